/**
 * SIGKILL while a multi-stage review moves its items on to the next stage: the product app runs in a child process
 * on a virtual clock; stage 2's reviewers are the principals' managers, and Graph is made slow, so the move is
 * under way (some items moved, some not) when the runtime is killed. After a restart every item is in stage 2 once,
 * with one record of its stage-1 decision, and stage 2 runs with its reviewers mailed once.
 */
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp, COSMOS_KEY } from '../../bench/child-app';
import { ReviewStore } from '../../shared/reviews/adapters/review-store';
import { testStorage, waitFor } from '../helpers';
import { DEMO } from '../pim-harness';

const BASE = 'identityGovernance/privilegedAccess/group';
const REVIEWS = 'identityGovernance/accessReviews/definitions';
const GROUP = DEMO.helpdeskGroup;
const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };
let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), name: 'review-stage-crash' });
});

afterAll(async () => {
  await app?.dispose();
});

/** The app's ReviewStore (from source) over the child's Cosmos stand-in. */
function store() {
  const client = new CosmosClient({ endpoint: app.urls.cosmos, key: COSMOS_KEY });
  return new ReviewStore(client.database('pimflow'));
}

describe('SIGKILL while items move on to the next stage', () => {
  it('moves every item once after a restart, and stage 2 runs', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await app.start(t0);
    expect((await app.api('managedGroups', { ...admin, body: { groupId: GROUP } })).status).toBe(201);
    const outside = app.groupMembers(GROUP);
    const people = app
      .tenant()
      .users.filter((u) => u.id !== DEMO.admin && !outside.includes(u.id))
      .slice(0, 12);
    expect(people).toHaveLength(12);
    for (const p of people) {
      const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
        ...admin,
        body: {
          action: 'adminAssign',
          accessId: 'member',
          groupId: GROUP,
          principalId: p.id,
          justification: 'rota',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    await waitFor('the memberships', async () =>
      people.every((p) => app.groupMembers(GROUP).includes(p.id)) ? true : undefined,
    );

    const adminScope = { query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' };
    const created = await app.api(REVIEWS, {
      ...admin,
      body: {
        displayName: 'Crash between stages',
        scope: { roles: [{ groupId: GROUP, accessId: 'member' }], principalTypes: ['user'] },
        stageSettings: [
          { stageId: '1', durationInDays: 2, reviewers: [adminScope] },
          {
            stageId: '2',
            dependsOn: ['1'],
            durationInDays: 2,
            reviewers: [{ query: './manager', queryType: 'MicrosoftGraph', queryRoot: 'decisions' }],
            fallbackReviewers: [adminScope],
          },
        ],
        settings: { instanceDurationInDays: 4, mailNotificationsEnabled: true },
      },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const definitionId = ((await created.json()) as { id: string }).id;
    let reviews = store();
    const instanceId = await waitFor('the instance in progress', async () => {
      const page = await reviews.listInstances(definitionId, 10);
      const i = page.items[0];
      return i?.status === 'InProgress' ? i.id : undefined;
    });
    const itemsOf = async () =>
      (
        await reviews.decisions.queryPage(
          'SELECT * FROM c WHERE c.instanceId = @i',
          { '@i': instanceId },
          { partitionKey: instanceId, pageSize: 100 },
        )
      ).items;
    const snapshot = await itemsOf();
    const reviewed = snapshot.filter((i) => people.some((p) => p.id === i.principal.id));
    expect(reviewed).toHaveLength(12);

    // Managers are looked up in Graph for each item moved: slow, so the move is under way when the runtime dies.
    await app.graphFaults({ delayMs: 3000 });
    const moving = app.advance('P2D').catch(() => undefined);
    const movedBeforeKill = await waitFor(
      'some items moved on',
      async () => {
        const moved = (await itemsOf()).filter((i) => i.stageId === '2').length;
        return moved > 0 ? moved : undefined;
      },
      60_000,
    );
    await app.kill();
    await moving;

    await app.start();
    // The child's stand-ins listen anew after a restart.
    reviews = store();
    const stage2End = await waitFor(
      'stage 2 in progress',
      async () => {
        const i = await reviews.instances.get(instanceId, definitionId);
        return i.stages?.[1]?.status === 'InProgress' ? i.stages[1].endDateTime : undefined;
      },
      60_000,
    );
    const after = await itemsOf();
    expect(after).toHaveLength(snapshot.length);
    for (const item of after) {
      expect(item.stageId).toBe('2');
      expect(item.stageIds).toEqual(['1', '2']);
      expect(item.stageHistory?.map((h) => h.stageId)).toEqual(['1']);
      expect(item.decision).toBe('NotReviewed');
      expect(item.reviewerIds.length).toBeGreaterThan(0);
    }
    // Each stage-2 reviewer mailed once for it (mails of one stage are identical but for their link).
    const reviewBy = `${stage2End.slice(0, 16).replace('T', ' ')} UTC`;
    const mails = (await app.mail()).filter((m) => m.subject.includes('Crash between stages'));
    const stage2 = mails.filter((m) => m.text.includes(reviewBy));
    const recipients = stage2.map((m) => m.to.join(','));
    expect(recipients.length).toBeGreaterThan(0);
    expect(new Set(recipients).size).toBe(recipients.length);
    // The kill landed mid-move (otherwise this test proved nothing about the crash).
    expect(movedBeforeKill).toBeLessThan(snapshot.length);
  }, 240_000);
});
