/**
 * Keys, as the Functions host enforces them: the Durable management API (both forms) needs the extension's system
 * key or the master key, `/admin/*` the master key, and HTTP triggers what their authLevel says. Without a valid
 * key the answer is 401 and nothing happens. The keys are made once and kept on disk; the durable client binding
 * carries the system key, so the SDK in the app works unchanged.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostKeys, readHostKeys } from '../../local/keys';
import type { LocalRuntime } from '../../local/runtime';
import { durableFetch, startTestRuntime, waitFor, withKey } from '../helpers';

const START = new Date('2026-01-05T08:00:00Z');
const keysDir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-keys-'));
let rt: LocalRuntime;

beforeAll(async () => {
  rt = await startTestRuntime('durable-basics', { keysDir, virtualClock: START });
});
afterAll(async () => {
  await rt?.stop();
  rmSync(keysDir, { recursive: true, force: true });
});

const WRONG = 'not-a-key-at-all';
const url = (pathAndQuery: string) => `${rt.urls.durable}/${pathAndQuery}`;

interface Status {
  runtimeStatus: string;
  output: unknown;
  historyEvents?: { EventType: string; Name?: string }[];
}

async function status(id: string): Promise<Status> {
  const res = await durableFetch(rt, `instances/${id}?showHistory=true`);
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as Status;
}

const eventsOf = (s: Status) =>
  (s.historyEvents ?? []).filter((e) => e.EventType === 'EventRaised').map((e) => e.Name);

/** Starts TwoEvents (it waits for "First", then "Second") and waits until it is idle. */
async function startWaiting(id: string): Promise<void> {
  const res = await durableFetch(rt, `orchestrators/TwoEvents/${id}`, { method: 'POST' });
  expect(res.status).toBe(202);
  await rt.waitForIdle();
  expect((await status(id)).runtimeStatus).toBe('Running');
}

/** Expects 401 with an empty body, as the host answers. */
async function expect401(res: Response, what: string): Promise<void> {
  expect(res.status, what).toBe(401);
  expect(await res.text(), what).toBe('');
}

describe('the keys', () => {
  it('are made on first start, strong, in host.json and <function>.json, and kept', () => {
    const file = JSON.parse(readFileSync(path.join(keysDir, 'host.json'), 'utf8')) as {
      masterKey: { name: string; value: string };
      functionKeys: { name: string; value: string }[];
      systemKeys: { name: string; value: string }[];
    };
    expect(file.masterKey.name).toBe('master');
    expect(file.functionKeys.map((k) => k.name)).toEqual(['default']);
    expect(file.systemKeys.map((k) => k.name)).toEqual(['durabletask_extension']);
    const values = [file.masterKey, ...file.functionKeys, ...file.systemKeys].map((k) => k.value);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(new Set(values).size).toBe(values.length);
    expect(statSync(path.join(keysDir, 'host.json')).mode & 0o077).toBe(0);
    expect(rt.keys.master).toBe(file.masterKey.value);
    expect(rt.keys.durable).toBe(file.systemKeys[0]?.value);
    // Only the function-level trigger gets keys of its own (file named as the host names it: lower case).
    const own = JSON.parse(readFileSync(path.join(keysDir, 'keyedfunction.json'), 'utf8')) as {
      keys: { name: string; value: string }[];
    };
    expect(own.keys[0]?.value).toBe(rt.keys.functionKey('KeyedFunction'));

    // The next start (or another process) reads the same keys.
    const again = HostKeys.load(keysDir, { functionNames: ['KeyedFunction'] });
    expect([again.master, again.durable, again.hostKey(), again.functionKey('KeyedFunction')]).toEqual([
      rt.keys.master,
      rt.keys.durable,
      rt.keys.hostKey(),
      rt.keys.functionKey('KeyedFunction'),
    ]);
    expect(readHostKeys(keysDir)).toEqual({
      master: rt.keys.master,
      durable: rt.keys.durable,
      hostKey: rt.keys.hostKey(),
    });
  });

  it('prints where they are', () => {
    expect(rt.banner).toContain(`keys: ${path.join(keysDir, 'host.json')}`);
  });
});

describe('the Durable management API', () => {
  it('refuses a raised event without the system key, with a wrong one or with a function key, and delivers none', async () => {
    await startWaiting('keys-raise');
    const raise = (query: string, headers: Record<string, string> = {}) =>
      fetch(url(`instances/keys-raise/raiseEvent/First${query}`), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify('sneaky'),
      });
    await expect401(await raise(''), 'no key');
    await expect401(await raise(`?code=${WRONG}`), 'wrong code');
    await expect401(await raise('', { 'x-functions-key': WRONG }), 'wrong header');
    await expect401(await raise(`?code=${rt.keys.hostKey()}`), 'a host function key');
    await expect401(await raise(`?code=${rt.keys.functionKey('KeyedFunction')}`), 'a function key');
    // The header is read first, as the host does: a wrong header is not rescued by a right code.
    await expect401(
      await raise(`?code=${rt.keys.durable}`, { 'x-functions-key': WRONG }),
      'wrong header, right code',
    );
    await rt.waitForIdle();
    const unchanged = await status('keys-raise');
    expect(unchanged.runtimeStatus).toBe('Running');
    expect(eventsOf(unchanged)).toEqual([]);

    // The right key, as ?code= and as the header, delivers.
    expect((await raise(`?code=${encodeURIComponent(rt.keys.durable)}`)).status).toBe(202);
    expect((await raise('', { 'x-functions-key': rt.keys.durable })).status).toBe(202);
    await rt.waitForIdle();
    expect(eventsOf(await status('keys-raise'))).toEqual(['First', 'First']);
  });

  it('refuses terminate, start, status, list and purge without a valid key, and changes nothing', async () => {
    await startWaiting('keys-ops');
    const bad: Record<string, string>[] = [{}, { 'x-functions-key': WRONG }];
    for (const headers of bad) {
      const what = JSON.stringify(headers);
      await expect401(
        await fetch(url('instances/keys-ops/terminate?reason=x'), { method: 'POST', headers }),
        `terminate ${what}`,
      );
      await expect401(
        await fetch(url('orchestrators/Chain/keys-never'), { method: 'POST', headers, body: '"Oslo"' }),
        `start ${what}`,
      );
      await expect401(await fetch(url('instances/keys-ops'), { headers }), `status ${what}`);
      await expect401(await fetch(url('instances'), { headers }), `list ${what}`);
      await expect401(await fetch(url('instances/keys-ops'), { method: 'DELETE', headers }), `purge ${what}`);
      await expect401(
        await fetch(url(`instances?createdTimeFrom=${START.toISOString()}`), { method: 'DELETE', headers }),
        `purge many ${what}`,
      );
      await expect401(
        await fetch(url('instances/keys-ops/suspend'), { method: 'POST', headers }),
        `suspend ${what}`,
      );
    }
    await rt.waitForIdle();
    expect((await status('keys-ops')).runtimeStatus).toBe('Running');
    expect((await durableFetch(rt, 'instances/keys-never')).status).toBe(404);
  });

  it('refuses the RPC form the SDK uses without the key, in the URL user info or otherwise', async () => {
    await startWaiting('keys-rpc');
    const rpc = `${rt.urls.origin}/durabletask/instances/keys-rpc/terminate?reason=x`;
    const basic = (key: string) => ({
      authorization: `Basic ${Buffer.from(`durabletask_extension:${key}`).toString('base64')}`,
    });
    await expect401(await fetch(rpc, { method: 'POST' }), 'no key');
    await expect401(await fetch(rpc, { method: 'POST', headers: basic(WRONG) }), 'wrong key');
    await expect401(await fetch(rpc, { method: 'POST', headers: basic(rt.keys.hostKey()) }), 'host key');
    await rt.waitForIdle();
    expect((await status('keys-rpc')).runtimeStatus).toBe('Running');
    expect((await fetch(rpc, { method: 'POST', headers: basic(rt.keys.durable) })).status).toBe(202);
    await rt.waitForIdle();
    expect((await status('keys-rpc')).runtimeStatus).toBe('Terminated');
  });

  it('accepts the master key, as the host does', async () => {
    await startWaiting('keys-master');
    const res = await fetch(url('instances/keys-master/terminate?reason=by-master'), {
      method: 'POST',
      headers: { 'x-functions-key': rt.keys.master },
    });
    expect(res.status).toBe(202);
    await rt.waitForIdle();
    expect((await status('keys-master')).runtimeStatus).toBe('Terminated');
  });

  it('hands out URLs that carry the system key, as the extension does', async () => {
    const res = await durableFetch(rt, 'orchestrators/TwoEvents/keys-links', { method: 'POST' });
    const payload = (await res.json()) as { statusQueryGetUri: string; sendEventPostUri: string };
    const code = `code=${encodeURIComponent(rt.keys.durable)}`;
    expect(payload.statusQueryGetUri).toContain(code);
    expect(payload.sendEventPostUri).toContain(code);
    expect((await fetch(payload.statusQueryGetUri)).status).toBe(202);
    // While running, Location is the caller's URL with its key, so a poller can follow it.
    const running = await fetch(url(`instances/keys-links?code=${encodeURIComponent(rt.keys.durable)}`));
    expect(running.status).toBe(202);
    expect((await fetch(running.headers.get('location') as string)).status).toBe(202);
  });
});

describe('the durable client in the app (unchanged SDK)', () => {
  it('gets binding data with the key, so starting, raising and reading through the SDK work', async () => {
    const started = await fetch(`${rt.urls.api}/orchestrators/TwoEvents/keys-sdk`, { method: 'POST' });
    expect(started.status).toBe(202);
    const payload = (await started.json()) as { statusQueryGetUri: string };
    // createCheckStatusResponse builds its links from the binding's managementUrls.
    expect(payload.statusQueryGetUri).toContain(`code=${encodeURIComponent(rt.keys.durable)}`);
    await rt.waitForIdle();
    for (const name of ['First', 'Second']) {
      const raised = await fetch(`${rt.urls.api}/client/keys-sdk/raise?name=${name}`, {
        method: 'POST',
        body: JSON.stringify(name.toLowerCase()),
      });
      expect(raised.status).toBe(202);
    }
    const done = await waitFor('keys-sdk to complete', async () => {
      const res = await fetch(`${rt.urls.api}/client/keys-sdk/status`);
      const s = (await res.json()) as Status;
      return s.runtimeStatus === 'Completed' ? s : undefined;
    });
    expect(done.output).toEqual(['first', 'second']);
  });
});

describe('authLevel of HTTP triggers', () => {
  const get = (route: string, init: RequestInit = {}) => fetch(`${rt.urls.api}/${route}`, init);

  it('leaves anonymous triggers open', async () => {
    expect((await get('Default')).status).toBe(200);
  });

  it('asks a function-level trigger for its own key, a host key or the master key', async () => {
    await expect401(await get('keyed/function'), 'no key');
    await expect401(await get(`keyed/function?code=${WRONG}`), 'wrong key');
    // A system key is for its extension's endpoints only.
    await expect401(await get(`keyed/function?code=${rt.keys.durable}`), 'the durable system key');
    for (const key of [rt.keys.functionKey('KeyedFunction'), rt.keys.hostKey(), rt.keys.master]) {
      const byCode = await get(`keyed/function?code=${key}`);
      expect(byCode.status).toBe(200);
      expect(await byCode.text()).toBe('function level');
      expect((await get('keyed/function', withKey({}, key))).status).toBe(200);
    }
  });

  it('asks an admin-level trigger for the master key', async () => {
    await expect401(await get('keyed/admin'), 'no key');
    await expect401(await get(`keyed/admin?code=${rt.keys.hostKey()}`), 'a host key');
    await expect401(await get(`keyed/admin?code=${rt.keys.functionKey('KeyedFunction')}`), 'a function key');
    const res = await get('keyed/admin', withKey({}, rt.keys.master));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('admin level');
  });

  it('answers 404 and 405 before asking for a key, as routing comes first', async () => {
    expect((await get('keyed/nothing')).status).toBe(404);
    expect((await get('keyed/function', { method: 'POST' })).status).toBe(405);
  });
});

describe('the admin endpoints', () => {
  it('move the virtual clock only with the master key', async () => {
    const before = rt.clock.now().getTime();
    const advance = (headers: Record<string, string>) =>
      fetch(`${rt.urls.origin}/admin/pimflow/clock?advance=PT1H`, { method: 'POST', headers });
    await expect401(await advance({}), 'no key');
    await expect401(await advance({ 'x-functions-key': WRONG }), 'wrong key');
    await expect401(await advance({ 'x-functions-key': rt.keys.durable }), 'the durable system key');
    await expect401(await advance({ 'x-functions-key': rt.keys.hostKey() }), 'a host key');
    expect(rt.clock.now().getTime()).toBe(before);
    const res = await advance({ 'x-functions-key': rt.keys.master });
    expect(res.status).toBe(200);
    expect(rt.clock.now().getTime()).toBe(before + 3_600_000);
  });

  it('show the host status only with the master key', async () => {
    await expect401(await fetch(`${rt.urls.origin}/admin/host/status`), 'no key');
    const res = await fetch(`${rt.urls.origin}/admin/host/status?code=${rt.keys.master}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { state: string }).state).toBe('Running');
  });
});
