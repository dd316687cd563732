/** Shared helpers for tests that run a function app on the local runtime. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect } from 'vitest';
import { isGraphShapedPath } from '../shared/http/graph-error';
import { startRuntime, type LocalRuntime, type RuntimeOptions } from '../local/runtime';
import { ensureLocalTls, type TlsMaterial } from '../local/standins/tls';

export const TEST_APPS = path.join(__dirname, 'apps');

export function testStorage(): string {
  const cs = process.env.PIMFLOW_TEST_STORAGE;
  if (!cs)
    throw new Error('PIMFLOW_TEST_STORAGE is not set: run tests through vitest (test/global-setup.ts)');
  return cs;
}

/** A task hub name no other test uses. */
export function uniqueHub(prefix = 'T'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

export async function startTestRuntime(
  app: string,
  options: Partial<RuntimeOptions> = {},
): Promise<LocalRuntime> {
  return startRuntime({
    appDir: path.join(TEST_APPS, app),
    port: 0,
    storageConnectionString: testStorage(),
    hubName: uniqueHub(),
    log: () => undefined,
    ...options,
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs; // not Date: a virtual clock may hold it still
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * waitFor on a virtual clock: an activity retried after a failed attempt waits on a durable retry timer, and a
 * virtual clock moves only when told, so without an answer for `everyMs` the clock is moved a minute (`nudge`).
 */
export async function waitForNudging<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  nudge: () => Promise<unknown>,
  { timeoutMs = 60_000, everyMs = 5_000 } = {},
): Promise<T> {
  let nudged = performance.now();
  return waitFor(
    what,
    async () => {
      const value = await probe();
      if (value === undefined && performance.now() - nudged > everyMs) {
        await nudge().catch(() => undefined);
        nudged = performance.now();
      }
      return value;
    },
    timeoutMs,
  );
}

/** The stand-ins' TLS material (created by test/global-setup.ts; the workers trust its CA). */
export function testTls(): TlsMaterial {
  const dir = process.env.PIMFLOW_TEST_TLS_DIR;
  if (!dir)
    throw new Error('PIMFLOW_TEST_TLS_DIR is not set: run tests through vitest (test/global-setup.ts)');
  return ensureLocalTls(dir);
}

/** Adds a host key to a request (the `x-functions-key` header, which the host reads before `?code=`). */
export function withKey(init: RequestInit, key: string): RequestInit {
  const headers = new Headers(init.headers);
  headers.set('x-functions-key', key);
  return { ...init, headers };
}

/**
 * Calls a runtime's Durable management API (`/runtime/webhooks/durabletask/<pathAndQuery>`) with the extension's
 * system key, as the URLs the extension hands out do. The API answers 401 without it.
 */
export function durableFetch(
  rt: LocalRuntime,
  pathAndQuery: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(`${rt.urls.durable}/${pathAndQuery.replace(/^\//, '')}`, withKey(init, rt.keys.durable));
}

/**
 * The message of an API error body in either of the API's error shapes: Graph's `{ error: { code, message } }`
 * (Graph-shaped routes) or RFC 9457 `{ detail }` (pages and pimflow's own routes). Tests read errors through this
 * so they hold whichever shape a route answers.
 */
export function apiErrorMessage(body: unknown): string {
  const b = body as { error?: { message?: unknown }; detail?: unknown } | null;
  const message = b?.error?.message ?? b?.detail;
  if (typeof message !== 'string') throw new Error(`Not an API error body: ${JSON.stringify(body)}`);
  return message;
}

/**
 * Checks an error answer in the shape its route must give (shared/http/graph-error.ts decides): Graph's
 * `{ error: { code, message, innerError } }` as application/json on Graph-shaped routes, problem+json with the
 * same status elsewhere; the message is useful and never a stack trace. Returns the message.
 */
export async function expectApiError(
  res: Response,
  status: number,
  message?: RegExp | string,
  what = '',
): Promise<string> {
  const text = await res.text();
  expect(res.status, `${what} ${text.slice(0, 300)}`).toBe(status);
  const body = JSON.parse(text) as {
    error?: { code?: unknown; innerError?: Record<string, unknown> };
    status?: unknown;
  };
  if (isGraphShapedPath(new URL(res.url).pathname)) {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
    expect(body.error?.code, what).toMatch(/^\w+$/);
    expect(body.error?.innerError?.['request-id'], what).toBe(res.headers.get('request-id'));
  } else {
    expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
    expect(body.status, what).toBe(status);
  }
  const found = apiErrorMessage(body);
  if (message !== undefined) expect(found, what).toMatch(message);
  expect(found.length, what).toBeLessThan(1000);
  expect(found, what).not.toMatch(/at .*\.js:\d+/);
  return found;
}
