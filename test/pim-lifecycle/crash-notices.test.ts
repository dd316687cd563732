/**
 * A lifecycle survives a crash: the product app runs in a child process on a virtual clock and is SIGKILLed just
 * as its 14-day notice goes out. After a restart the notice is not sent twice, the 1-day notice comes on its day,
 * and the eligibility still expires on time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHostKeys } from '../../local/keys';
import { freePorts, testStorage, uniqueHub, waitFor } from '../helpers';
import { DEMO, ROOT } from '../pim-harness';

const localDir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-lifecycle-crash-'));
const hub = uniqueHub('LifecycleCrash');
// Free ports, picked once: a restart must come back on the same URLs, as `npm start` does.
let PORTS = { api: 0, cosmos: 0, graph: 0, mail: 0, identity: 0 };
let API = '';
let TOKEN_URL = '';
let BASE = '';
let MAILBOX = '';

beforeAll(async () => {
  const [api, cosmos, graph, mail, identity] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  PORTS = { api, cosmos, graph, mail, identity };
  API = `http://localhost:${PORTS.api}/api`;
  TOKEN_URL = `https://127.0.0.1:${PORTS.identity}/${DEMO.tenantId}/oauth2/v2.0/token`;
  BASE = `${API}/identityGovernance/privilegedAccess/group`;
  MAILBOX = `https://127.0.0.1:${PORTS.mail}/mailbox`;
});
const GROUP = DEMO.helpdeskGroup;
const DAY_MS = 86_400_000;
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(localDir, { recursive: true, force: true });
});

async function start(virtualNow: Date): Promise<void> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist/local/cli.js'), ROOT], {
    env: {
      ...process.env,
      PORT: String(PORTS.api),
      AzureWebJobsStorage: testStorage(),
      PIMFLOW_TASK_HUB: hub,
      PIMFLOW_LOCAL_DIR: localDir,
      PIMFLOW_VIRTUAL_CLOCK: virtualNow.toISOString(),
      PIMFLOW_COSMOS_PORT: String(PORTS.cosmos),
      PIMFLOW_GRAPH_PORT: String(PORTS.graph),
      PIMFLOW_MAIL_PORT: String(PORTS.mail),
      PIMFLOW_IDENTITY_PORT: String(PORTS.identity),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (/^ready$/m.test(output)) resolve();
    });
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    proc.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
  });
}

async function kill(): Promise<void> {
  const proc = child;
  proc?.kill('SIGKILL');
  if (proc && proc.exitCode === null) await new Promise((resolve) => proc.once('exit', resolve));
}

async function call(
  url: string,
  init: { as?: string; roles?: string[]; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.as) {
    const res = await fetch(TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: init.as, roles: init.roles, amr: ['pwd', 'mfa'] }),
    });
    headers.authorization = `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
  }
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(url, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };
const HARPER = 'harper.singh@pimflow.example';

async function subjects(pattern: RegExp): Promise<string[]> {
  const res = await fetch(`${MAILBOX}/messages?to=${encodeURIComponent(HARPER)}`);
  return ((await res.json()) as { subject: string }[]).map((m) => m.subject).filter((s) => pattern.test(s));
}

function advance(by: string): Promise<Response> {
  // The runtime's admin endpoints need the master key (made by the child in its local folder), as the host's do.
  const { master } = readHostKeys(path.join(localDir, 'secrets'));
  return fetch(`http://localhost:${PORTS.api}/admin/pimflow/clock?advance=${by}`, {
    method: 'POST',
    headers: { 'x-functions-key': master },
  });
}

async function scheduleStatus(principalId: string): Promise<string | undefined> {
  const res = await call(`${BASE}/eligibilitySchedules?$filter=principalId eq '${principalId}'`, admin);
  return ((await res.json()) as { value: { status: string }[] }).value[0]?.status;
}

describe('SIGKILL between a notice and the expiry', () => {
  it('sends no notice twice and misses no expiry', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await start(t0);
    expect((await call(`${API}/managedGroups`, { ...admin, body: { groupId: GROUP } })).status).toBe(201);
    const me = (await (await call(`${API}/me`, { as: HARPER })).json()) as { id: string };
    const eligible = await call(`${BASE}/eligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P20D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    await waitFor('the eligibility', async () =>
      (await scheduleStatus(me.id)) === 'Provisioned' ? true : undefined,
    );

    // Day 6 is 14 days before the end: kill the runtime the moment the notice reaches the mailbox (the
    // orchestration has likely not recorded the activity yet, so it runs again after the restart).
    void advance('P6D').catch(() => undefined);

    await waitFor('the 14-day notice', async () =>
      (await subjects(/ends in 14 days/)).length > 0 ? true : undefined,
    );
    await kill();

    await start(new Date(t0.getTime() + 6 * DAY_MS));
    expect((await advance('P13D')).status).toBe(200);
    await waitFor('the 1-day notice', async () =>
      (await subjects(/ends tomorrow/)).length > 0 ? true : undefined,
    );
    expect(await subjects(/ends in 14 days/)).toHaveLength(1);
    expect(await scheduleStatus(me.id)).toBe('Provisioned');

    expect((await advance('P1D')).status).toBe(200);
    await waitFor('the expiry', async () => ((await scheduleStatus(me.id)) === 'Expired' ? true : undefined));
    await waitFor('the end notice', async () =>
      (await subjects(/has ended/)).length > 0 ? true : undefined,
    );
    expect(await subjects(/ends in 14 days/)).toHaveLength(1);
    expect(await subjects(/ends tomorrow/)).toHaveLength(1);
    expect(await subjects(/has ended/)).toHaveLength(1);
  }, 120_000);
});
