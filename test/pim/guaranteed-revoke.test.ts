/**
 * The guaranteed revoke, on the virtual clock, through the HTTP API: when an activation ends while Graph refuses
 * every write, a whole round of retries fails — the member stays, the failed round is audited, and the end is not
 * recorded (the request's orchestration is still revoking). Once Graph accepts writes again, the next round (15
 * minutes later) removes the member and records the end, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableFetch } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, makeEligible, manageGroup } from './pim-scenario';

const GROUP = DEMO.helpdeskGroup;
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  await makeEligible(app, GROUP, app.user('liam.obrien').id, 'member');
}, 60_000);
afterAll(async () => {
  app?.dev.graph.setFaults({});
  await app?.stop();
});

async function auditNames(correlationId: string): Promise<string[]> {
  const filter = encodeURIComponent(`correlationId eq '${correlationId}'`);
  const page = await app.json<{ value: { activityDisplayName: string }[] }>(
    `auditLogs/directoryAudits?$filter=${filter}&$top=200`,
    ADMIN,
  );
  return page.value.map((a) => a.activityDisplayName);
}

async function orchestration(requestId: string) {
  const res = await durableFetch(app.rt, `instances/request-${requestId}`);
  expect([200, 202]).toContain(res.status); // 202 while it runs
  return (await res.json()) as { runtimeStatus: string; customStatus: unknown; output: unknown };
}

describe('guaranteed revoke', () => {
  it('keeps trying in rounds while Graph refuses writes, and revokes (recording the end once) when it accepts them', async () => {
    const liam = app.user('liam.obrien');
    const res = await activate(app, 'liam.obrien', GROUP, 'member', { duration: 'PT1H' });
    expect(res.status, await res.clone().text()).toBe(201);
    const requestId = ((await res.json()) as { id: string }).id;
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(liam.id);

    // Graph refuses every write from just before the end: round 1 (8 attempts over ~3 minutes) fails whole.
    app.dev.graph.setFaults({ unavailableRate: 1, writesOnly: true, retryAfterSeconds: 0 });
    await app.rt.advance('PT1H');
    await app.rt.advance('PT10M');
    expect(app.groupMembers(GROUP)).toContain(liam.id);
    const during = await auditNames(requestId);
    expect(during).toContain('Remove member from group failed; retrying (round 1)');
    expect(during).not.toContain('Remove member from group failed; retrying (round 2)');
    expect(during).not.toContain('Remove member from group (PIM expiry)');
    const revoking = await orchestration(requestId);
    expect(revoking.runtimeStatus).toBe('Running');
    expect(revoking.customStatus).toBe('Revoking');

    // Graph accepts writes again; the next round starts 15 minutes after round 1 gave up.
    app.dev.graph.setFaults({});
    await app.rt.advance('PT15M');
    expect(app.groupMembers(GROUP)).not.toContain(liam.id);
    const done = await orchestration(requestId);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toBe('Expired');
    const after = await auditNames(requestId);
    expect(after.filter((n) => n === 'Remove member from group (PIM expiry)')).toHaveLength(1);
    expect(after.filter((n) => n.startsWith('Remove member from group failed'))).toEqual([
      'Remove member from group failed; retrying (round 1)',
    ]);

    // Nothing more happens later: no other round, no second end.
    await app.rt.advance('PT1H');
    expect(await auditNames(requestId)).toEqual(after);
  });
});
