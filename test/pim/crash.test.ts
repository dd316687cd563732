/**
 * Nothing lost, nothing left granted: the product app runs in a child process on a virtual clock, and is SIGKILLed
 * while a revoke is in flight (Graph made slow). After a restart the membership is removed and the end recorded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHostKeys } from '../../local/keys';
import { freePorts, testStorage, uniqueHub, waitFor } from '../helpers';
import { DEMO, ROOT } from '../pim-harness';

const localDir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-pim-crash-'));
const hub = uniqueHub('PimCrash');
// Free ports, picked once: a restart must come back on the same URLs, as `npm start` does.
let PORTS = { api: 0, cosmos: 0, graph: 0, mail: 0, identity: 0 };
let API = '';
let TOKEN_URL = '';
let BASE = '';
const GROUP = DEMO.helpdeskGroup;
let child: ChildProcess | undefined;

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
});

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
  init: { as?: string; roles?: string[]; acrs?: string[]; method?: string; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.as) {
    const res = await fetch(TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: init.as, roles: init.roles, amr: ['pwd', 'mfa'], acrs: init.acrs }),
    });
    headers.authorization = `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
  }
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };

/** The group's members as the Graph stand-in has saved them (its state file, written before each answer). */
function members(): string[] {
  const state = JSON.parse(readFileSync(path.join(localDir, 'standins', 'graph-tenant.json'), 'utf8')) as {
    groups: { id: string; members: string[] }[];
  };
  return state.groups.find((g) => g.id === GROUP)?.members ?? [];
}

async function advance(by: string): Promise<Response> {
  // The runtime's admin endpoints need the master key (made by the child in its local folder), as the host's do.
  const { master } = readHostKeys(path.join(localDir, 'secrets'));
  return fetch(`http://localhost:${PORTS.api}/admin/pimflow/clock?advance=${by}`, {
    method: 'POST',
    headers: { 'x-functions-key': master },
  });
}

describe('SIGKILL during a revoke', () => {
  it('removes the membership after a restart and records the end', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await start(t0);
    expect((await call(`${API}/managedGroups`, { ...admin, body: { groupId: GROUP } })).status).toBe(201);
    const me = (await (await call(`${API}/me`, { as: 'benjamin.lee@pimflow.example' })).json()) as {
      id: string;
    };
    const eligible = await call(`${BASE}/eligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    await waitFor('the eligibility', async () => {
      const res = await call(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: 'benjamin.lee@pimflow.example',
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });
    const activation = await call(`${BASE}/assignmentScheduleRequests`, {
      as: 'benjamin.lee@pimflow.example',
      body: {
        action: 'selfActivate',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'incident 42',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(activation.status, await activation.clone().text()).toBe(201);
    const requestId = ((await activation.json()) as { id: string }).id;
    await waitFor('the membership', async () => (members().includes(me.id) ? true : undefined));

    // Make Graph slow, move past the end, and kill the runtime while the revoke is on its way.
    await fetch(`https://127.0.0.1:${PORTS.graph}/_standin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ delayMs: 1500 }),
    });
    void advance('PT1H').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await kill();
    expect(members()).toContain(me.id);

    // Restart at the time it died; Graph's faults are gone with the process (state, not faults, persists).
    await start(new Date(t0.getTime() + 3600_000));
    await waitFor(
      'the revoke after the restart',
      async () => (members().includes(me.id) ? undefined : true),
      30_000,
    );
    const request = await waitFor('the request record', async () => {
      const res = await call(`${BASE}/assignmentScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: 'benjamin.lee@pimflow.example',
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 0 ? true : undefined;
    });
    expect(request).toBe(true);
    const audit = await waitFor('the audit of the end', async () => {
      const res = await call(
        `${API}/auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${requestId}'`)}`,
        admin,
      );
      const names = ((await res.json()) as { value: { activityDisplayName: string }[] }).value.map(
        (a) => a.activityDisplayName,
      );
      return names.includes('Remove member from group (PIM expiry)') ? names : undefined;
    });
    expect(audit.filter((n) => n === 'Remove member from group (PIM expiry)')).toHaveLength(1);
  }, 120_000);
});

/** Owners of the group as the Graph stand-in has saved them. */
function owners(): string[] {
  const state = JSON.parse(readFileSync(path.join(localDir, 'standins', 'graph-tenant.json'), 'utf8')) as {
    groups: { id: string; owners: string[] }[];
  };
  return state.groups.find((g) => g.id === GROUP)?.owners ?? [];
}

describe('SIGKILL between approval and grant', () => {
  it('grants after a restart, once', async () => {
    // Runs after the test above, on the same app (restarted there at 10:00).
    const filter = encodeURIComponent(
      `scopeId eq '${GROUP}' and scopeType eq 'Group' and roleDefinitionId eq 'owner'`,
    );
    const assignments = (await (
      await call(`${API}/policies/roleManagementPolicyAssignments?$filter=${filter}`, admin)
    ).json()) as {
      value: { policyId: string }[];
    };
    const policyId = assignments.value[0]?.policyId as string;
    const ruleUrl = `${API}/policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`;
    const rule = (await (await call(ruleUrl, admin)).json()) as {
      setting: { approvalStages: Record<string, unknown>[] };
    };
    const patched = await call(ruleUrl, {
      ...admin,
      method: 'PATCH',
      body: {
        ...rule,
        setting: {
          ...rule.setting,
          isApprovalRequired: true,
          approvalStages: [
            {
              ...rule.setting.approvalStages[0],
              isApproverJustificationRequired: false,
              primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: DEMO.admin }],
            },
          ],
        },
      },
    });
    expect(patched.status, await patched.clone().text()).toBe(204);
    const me = (await (await call(`${API}/me`, { as: 'oscar.petrov@pimflow.example' })).json()) as {
      id: string;
    };
    const eligible = await call(`${BASE}/eligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        accessId: 'owner',
        groupId: GROUP,
        principalId: me.id,
        justification: 'x',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status).toBe(201);
    await waitFor('the eligibility', async () => {
      const res = await call(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: 'oscar.petrov@pimflow.example',
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });
    const activation = await call(`${BASE}/assignmentScheduleRequests`, {
      as: 'oscar.petrov@pimflow.example',
      body: {
        action: 'selfActivate',
        accessId: 'owner',
        groupId: GROUP,
        principalId: me.id,
        justification: 'change 7',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(activation.status, await activation.clone().text()).toBe(201);
    const approvalId = ((await activation.json()) as { approvalId: string }).approvalId;
    const stepId = await waitFor('the approval', async () => {
      const res = await call(`${BASE}/assignmentApprovals/${approvalId}`, admin);
      return res.status === 200
        ? ((await res.json()) as { steps: { id: string }[] }).steps[0]?.id
        : undefined;
    });
    // Graph refuses writes (503) until the restart, so the approved grant can't complete before the kill.
    await fetch(`https://127.0.0.1:${PORTS.graph}/_standin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ unavailableRate: 1, writesOnly: true }),
    });
    const decided = await call(`${BASE}/assignmentApprovals/${approvalId}/steps/${stepId}`, {
      ...admin,
      method: 'PATCH',
      body: { reviewResult: 'Approve', justification: 'go' },
    });
    expect(decided.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await kill();
    expect(owners()).not.toContain(me.id);
    await start(new Date('2026-03-02T10:00:00Z'));
    await waitFor(
      'the grant after the restart',
      async () => (owners().includes(me.id) ? true : undefined),
      30_000,
    );
    const audit = await waitFor('the audit of the grant', async () => {
      const res = await call(
        `${API}/auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${approvalId}'`)}`,
        admin,
      );
      const names = ((await res.json()) as { value: { activityDisplayName: string }[] }).value.map(
        (a) => a.activityDisplayName,
      );
      return names.includes('Add owner to group (PIM activation)') ? names : undefined;
    });
    expect(audit.filter((n) => n === 'Add owner to group (PIM activation)')).toHaveLength(1);
  }, 120_000);
});
