/**
 * The HTTP host (routes, methods, request and response shapes, errors) and the Durable management API, through
 * the SDK's own client in an HTTP function and directly over HTTP, including bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime, waitFor } from '../helpers';

let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('durable-basics');
});
afterAll(async () => {
  await rt?.stop();
});

const api = (path: string) => `${rt.urls.api}/${path}`;
/** A management API URL with the extension's system key as `?code=`, as the URLs the extension hands out. */
const durable = (path: string) => {
  const url = new URL(`${rt.urls.durable}/${path}`);
  url.searchParams.set('code', rt.keys.durable);
  return url.href;
};

async function completed(id: string): Promise<{ runtimeStatus: string; output: unknown }> {
  return waitFor(`instance ${id}`, async () => {
    const s = (await (await fetch(durable(`instances/${id}`))).json()) as {
      runtimeStatus: string;
      output: unknown;
    };
    return s.runtimeStatus === 'Completed' ? s : undefined;
  });
}

describe('HTTP triggers', () => {
  it('passes route parameters, query, headers, cookies and body, and returns status, headers and cookies', async () => {
    const res = await fetch(api('echo/42/a/b%20c?q=1&tag=x&tag=y'), {
      method: 'POST',
      headers: { cookie: 'theme=dark', 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly; SameSite=Strict');
    expect(await res.json()).toEqual({
      method: 'POST',
      params: { id: '42', rest: 'a/b c' },
      query: { q: '1', tag: 'y' },
      tags: ['x', 'y'],
      cookie: 'theme=dark',
      body: { hello: 'world' },
    });
  });

  it('answers 404 for an unknown route or a failed constraint, 405 for a wrong method', async () => {
    expect((await fetch(api('nothing-here'))).status).toBe(404);
    expect((await fetch(api('echo/not-a-number/x'))).status).toBe(404);
    expect((await fetch(api('echo/1/x'), { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${rt.urls.origin}/elsewhere`)).status).toBe(404);
  });

  it('uses the function name when no route is given', async () => {
    const res = await fetch(api('Default'));
    expect(await res.text()).toBe('no route given');
  });

  it('answers 500 without details when a handler throws', async () => {
    const res = await fetch(api('boom'));
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('secret internals');
  });
});

describe('durable client in an HTTP function', () => {
  it('starts an orchestration and returns the check-status response', async () => {
    const res = await fetch(api('orchestrators/Chain/client-start-1'), {
      method: 'POST',
      body: JSON.stringify('Rome'),
    });
    expect(res.status).toBe(202);
    const payload = (await res.json()) as { id: string; statusQueryGetUri: string; sendEventPostUri: string };
    expect(payload.id).toBe('client-start-1');
    expect(res.headers.get('location')).toBe(payload.statusQueryGetUri);
    expect(payload.statusQueryGetUri).toContain('/runtime/webhooks/durabletask/instances/client-start-1');
    expect((await completed('client-start-1')).output).toEqual([
      'Hello Tokyo!',
      'Hello Seattle!',
      'Hello Rome!',
    ]);
    // The URL the client handed out works.
    const viaLink = await fetch(payload.statusQueryGetUri);
    expect(viaLink.status).toBe(200);
  });

  it('raises events, reads status with history, suspends, resumes, terminates and purges', async () => {
    await fetch(api('orchestrators/TwoEvents/client-ops-1'), { method: 'POST' });
    await rt.waitForIdle();
    expect((await fetch(api('client/client-ops-1/suspend'), { method: 'POST' })).status).toBe(202);
    await rt.waitForIdle();
    let s = (await (await fetch(api('client/client-ops-1/status'))).json()) as {
      runtimeStatus: string;
      historyEvents?: unknown[];
    };
    expect(s.runtimeStatus).toBe('Suspended');
    // An event raised while suspended waits for the resume.
    await fetch(api('client/client-ops-1/raise?name=First'), { method: 'POST', body: JSON.stringify('one') });
    await rt.waitForIdle();
    expect(
      ((await (await fetch(durable('instances/client-ops-1'))).json()) as { runtimeStatus: string })
        .runtimeStatus,
    ).toBe('Suspended');
    await fetch(api('client/client-ops-1/resume'), { method: 'POST' });
    await fetch(api('client/client-ops-1/raise?name=Second'), {
      method: 'POST',
      body: JSON.stringify('two'),
    });
    expect((await completed('client-ops-1')).output).toEqual(['one', 'two']);

    await fetch(api('orchestrators/TwoEvents/client-ops-2'), { method: 'POST' });
    await fetch(api('client/client-ops-2/terminate'), { method: 'POST' });
    s = await waitFor('terminated', async () => {
      const body = (await (await fetch(durable('instances/client-ops-2'))).json()) as {
        runtimeStatus: string;
        output: unknown;
      };
      return body.runtimeStatus === 'Terminated' ? body : undefined;
    });
    expect((s as unknown as { output: unknown }).output).toBe('stopped by test');
    const purged = (await (await fetch(api('client/client-ops-2/purge'))).json()) as {
      instancesDeleted: number;
    };
    expect(purged.instancesDeleted).toBe(1);
    expect((await fetch(durable('instances/client-ops-2'))).status).toBe(404);
  });

  it('lists instances by status through the client (which follows continuation tokens)', async () => {
    const res = await fetch(api('client/any/list?status=Completed'));
    const ids = (await res.json()) as string[];
    expect(ids).toContain('client-start-1');
  });
});

describe('management API', () => {
  it('pages instance lists with x-ms-continuation-token', async () => {
    for (let i = 0; i < 5; i++)
      await fetch(durable(`orchestrators/FanOut/page-${i}`), { method: 'POST', body: '1' });
    await rt.waitForIdle();
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const res: Response = await fetch(durable('instances?instanceIdPrefix=page-&top=2'), {
        headers: token ? { 'x-ms-continuation-token': token } : {},
      });
      expect(res.status).toBe(200);
      seen.push(...((await res.json()) as { instanceId: string }[]).map((s) => s.instanceId));
      token = res.headers.get('x-ms-continuation-token');
      pages++;
    } while (token);
    expect(seen.sort()).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('refuses bad input with 400 and changes nothing', async () => {
    const bad = async (url: string, init?: RequestInit) => {
      const res = await fetch(durable(url), init);
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { message: string }).message.length).toBeGreaterThan(10);
    };
    await bad('orchestrators/Chain/bad-json', { method: 'POST', body: '{not json' });
    await bad('orchestrators/NoSuchOrchestrator/x', { method: 'POST' });
    await bad('orchestrators/Chain/has%23hash', { method: 'POST' });
    await bad('instances?runtimeStatus=Sleeping');
    await bad('instances?createdTimeFrom=yesterday');
    await bad('instances?top=0');
    await bad('instances/x/raiseEvent/Go', { method: 'POST', body: '{broken' });
    expect((await fetch(durable('instances/bad-json'))).status).toBe(404);
  });

  it('refuses to start a second instance with the id of a running one', async () => {
    expect((await fetch(durable('orchestrators/TwoEvents/dup-1'), { method: 'POST' })).status).toBe(202);
    expect((await fetch(durable('orchestrators/TwoEvents/dup-1'), { method: 'POST' })).status).toBe(409);
  });

  it('answers 404 for unknown instances and paths, 405 for wrong methods, and never purges a running instance', async () => {
    expect((await fetch(durable('instances/nope'))).status).toBe(404);
    expect((await fetch(durable('instances/nope/terminate'), { method: 'POST' })).status).toBe(404);
    expect((await fetch(durable('whatever'))).status).toBe(404);
    expect((await fetch(durable('instances/dup-1'), { method: 'PUT' })).status).toBe(405);
    expect((await fetch(durable('instances/dup-1'), { method: 'DELETE' })).status).toBe(404);
    expect(
      ((await (await fetch(durable('instances/dup-1'))).json()) as { runtimeStatus: string }).runtimeStatus,
    ).toBe('Running');
  });

  it('answers 202 with Location while running and 200 once finished', async () => {
    const running = await fetch(durable('instances/dup-1'));
    expect(running.status).toBe(202);
    expect(running.headers.get('location')).toContain('/instances/dup-1');
    expect((await fetch(durable('instances/client-start-1'))).status).toBe(200);
  });
});
