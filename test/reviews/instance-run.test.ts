/**
 * An access review instance run end to end on the virtual clock: the snapshot of the role's eligible and active
 * assignments at the start, reviewers (managers with a fallback, self-review, selected users), recommendations
 * from the demo tenant's sign-ins, start mails with each reviewer's link, midpoint reminders only to reviewers with
 * items left, and at the end each default decision. Outcomes are read through the API and in the mailbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';
import {
  byPrincipal,
  decisions,
  type DecisionItem,
  eligible,
  instance,
  MANAGER,
  startReview,
  users,
  type StartedReview,
} from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
const PAYROLL_GROUP = '41cea612-6af1-453d-a86f-bb749fac37d5';
const DEFAULT_DECIDER = '00000000-0000-0000-0000-000000000000';
// The demo tenant's sign-ins are relative to when it is seeded: the virtual clock starts now.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);

let app: PimApp;
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  await manageGroup(app, GROUP);
  for (const upn of ['ava.martinez', 'grace.okafor', 'noah.williams', 'olivia.carter'])
    await eligible(app, GROUP, id(upn));
  await eligible(app, GROUP, PAYROLL_GROUP);
  await app.rt.waitForIdle();
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

async function mails(upn: string, review: string) {
  return (await app.mailTo(`${upn}@pimflow.example`)).filter((m) => m.subject.includes(review));
}

async function patchDecision(review: StartedReview, itemId: string, upn: string, body: unknown) {
  const res = await app.api(`${review.url}/decisions/${itemId}`, { ...as(upn), method: 'PATCH', body });
  expect(res.status, await res.clone().text()).toBe(204);
}

describe('Managers review, with a fallback; recommendations; reminders; default decision Recommendation', () => {
  const NAME = 'Managers review helpdesk';
  const description = `Check each person still needs Helpdesk access. ${'x'.repeat(300)} THE-END`;
  let review: StartedReview;

  it('snapshots the assignments with recommendations and each item’s reviewers, and mails each reviewer once', async () => {
    review = await startReview(app, GROUP, {
      displayName: NAME,
      descriptionForReviewers: description,
      reviewers: MANAGER,
      fallbackReviewers: users(id('daniel.kim')),
      settings: {
        recommendationsEnabled: true,
        mailNotificationsEnabled: true,
        reminderNotificationsEnabled: true,
        defaultDecisionEnabled: true,
        defaultDecision: 'Recommendation',
      },
    });
    expect((await instance(app, review)).status).toBe('InProgress');
    const items = await decisions(app, review);
    expect(items).toHaveLength(5);
    expect(items.every((i) => i.decision === 'NotReviewed' && i.assignmentType === 'eligible')).toBe(true);
    // Signed in half a day ago → Approve; 63 days ago → Deny with the date; never → Deny; a group → no info.
    expect(byPrincipal(items, id('ava.martinez')).recommendation).toBe('Approve');
    const noah = byPrincipal(items, id('noah.williams'));
    expect(noah.recommendation).toBe('Deny');
    expect(new Date(noah.lastSignInDateTime ?? 0).getTime()).toBeLessThan(NOW.getTime() - 60 * 86_400_000);
    const grace = byPrincipal(items, id('grace.okafor'));
    expect(grace).toMatchObject({ recommendation: 'Deny', lastSignInDateTime: null });
    expect(byPrincipal(items, id('olivia.carter')).recommendation).toBe('Approve');
    expect(byPrincipal(items, PAYROLL_GROUP)).toMatchObject({
      recommendation: 'NoInfoAvailable',
      principal: { type: 'group' },
    });

    // Marcus manages Ava and Grace; Sofia manages Noah; Olivia has no manager and the group can't have one: Daniel.
    const names = (list: { principal: { id: string } }[]) => list.map((i) => i.principal.id).sort();
    expect(names(await decisions(app, review, as('marcus.johnson')))).toEqual(
      [id('ava.martinez'), id('grace.okafor')].sort(),
    );
    expect(names(await decisions(app, review, as('sofia.rossi')))).toEqual([id('noah.williams')]);
    expect(names(await decisions(app, review, as('daniel.kim')))).toEqual(
      [id('olivia.carter'), PAYROLL_GROUP].sort(),
    );

    const marcus = await mails('marcus.johnson', NAME);
    expect(marcus).toHaveLength(1);
    expect(marcus[0]?.subject).toMatch(/^Please review access to Helpdesk Admin-Group \(member\)/);
    expect(marcus[0]?.text).toContain('Items to review: 2');
    expect(marcus[0]?.text).toMatch(/\/api\/accessReviews\/review\?token=[\w-]+\.[\w-]+\.[\w-]+/);
    // The description for reviewers: its first 256 characters.
    expect(marcus[0]?.text).toContain('Check each person still needs Helpdesk access.');
    expect(marcus[0]?.text).not.toContain('THE-END');
    expect((await mails('daniel.kim', NAME))[0]?.text).toContain('Items to review: 2');
    expect(await mails('sofia.rossi', NAME)).toHaveLength(1);
    expect(await mails('ava.martinez', NAME)).toHaveLength(0);

    const contacted = await app.json<{ value: { id: string }[] }>(`${review.url}/contactedReviewers`, ADMIN);
    expect(contacted.value.map((r) => r.id).sort()).toEqual(
      [id('marcus.johnson'), id('sofia.rossi'), id('daniel.kim')].sort(),
    );
  });

  it('reminds at the midpoint only the reviewers with items left', async () => {
    const items = await decisions(app, review, as('marcus.johnson'));
    await patchDecision(review, byPrincipal(items, id('ava.martinez')).id, 'marcus.johnson', {
      decision: 'Approve',
      justification: 'On the rota',
    });
    await patchDecision(review, byPrincipal(items, id('grace.okafor')).id, 'marcus.johnson', {
      decision: 'Deny',
      justification: 'Left the team',
    });
    await app.rt.advance('P6D');
    await app.rt.waitForIdle();
    expect((await mails('sofia.rossi', NAME)).filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(
      0,
    );
    await app.rt.advance('P1D');
    await app.rt.waitForIdle();
    const sofia = (await mails('sofia.rossi', NAME)).filter((m) => m.subject.startsWith('Reminder'));
    expect(sofia).toHaveLength(1);
    expect(sofia[0]?.text).toContain('Items left: 1');
    expect((await mails('daniel.kim', NAME)).filter((m) => m.subject.startsWith('Reminder'))).toHaveLength(1);
    expect(
      (await mails('marcus.johnson', NAME)).filter((m) => m.subject.startsWith('Reminder')),
    ).toHaveLength(0);
  });

  it('completes at the end: items not reviewed take their recommendation, and the admins get the counts', async () => {
    const noah = byPrincipal(await decisions(app, review, as('sofia.rossi')), id('noah.williams'));
    await patchDecision(review, noah.id, 'sofia.rossi', { decision: 'DontKnow', justification: null });
    await app.rt.advance('P7D');
    await app.rt.waitForIdle();
    const done = await instance(app, review);
    expect(done.status).toBe('Completed');
    expect(done.completedDateTime).not.toBeNull();
    const items = await decisions(app, review);
    expect(byPrincipal(items, id('ava.martinez'))).toMatchObject({
      decision: 'Approve',
      justification: 'On the rota',
    });
    expect(byPrincipal(items, id('grace.okafor')).decision).toBe('Deny');
    expect(byPrincipal(items, id('noah.williams')).decision).toBe('DontKnow');
    // Olivia wasn't reviewed: her recommendation (Approve); the group has none, so it stays NotReviewed.
    expect(byPrincipal(items, id('olivia.carter'))).toMatchObject({
      decision: 'Approve',
      reviewedBy: { id: DEFAULT_DECIDER },
    });
    expect(byPrincipal(items, PAYROLL_GROUP).decision).toBe('NotReviewed');
    const admin = (await app.mailTo(DEMO.adminUpn)).filter(
      (m) => m.subject === `Access review completed: ${NAME} (Helpdesk Admin-Group, member)`,
    );
    expect(admin).toHaveLength(1);
    expect(admin[0]?.text).toContain('Approved: 2');
    expect(admin[0]?.text).toContain('Denied: 1');
    expect(admin[0]?.text).toContain('Not reviewed: 1');
    expect(admin[0]?.text).toContain('By the default decision: 1');
  });
});

describe('Self-review, with a fallback for groups', () => {
  it('has each user review their own access and the group reviewed by the fallback reviewer', async () => {
    const NAME = 'Self review helpdesk';
    const review = await startReview(app, GROUP, {
      displayName: NAME,
      reviewers: [],
      fallbackReviewers: users(id('daniel.kim')),
      settings: { mailNotificationsEnabled: true, instanceDurationInDays: 3 },
    });
    const mine = await decisions(app, review, as('ava.martinez'));
    expect(mine.map((i) => i.principal.id)).toEqual([id('ava.martinez')]);
    expect((await mails('ava.martinez', NAME))[0]?.text).toContain('Items to review: 1');
    expect((await decisions(app, review, as('daniel.kim'))).map((i) => i.principal.id)).toEqual([
      PAYROLL_GROUP,
    ]);
    // Ava can decide her own item, not Grace's.
    await patchDecision(review, mine[0]?.id ?? '', 'ava.martinez', {
      decision: 'Approve',
      justification: 'Still on call',
    });
    const grace = byPrincipal(await decisions(app, review), id('grace.okafor'));
    const res = await app.api(`${review.url}/decisions/${grace.id}`, {
      ...as('ava.martinez'),
      method: 'PATCH',
      body: { decision: 'Deny' },
    });
    expect(res.status).toBe(403);
    // No default decision: at the end, items nobody decided stay NotReviewed.
    await app.rt.advance('P3D');
    await app.rt.waitForIdle();
    const items = await decisions(app, review);
    expect(items.filter((i) => i.decision === 'NotReviewed')).toHaveLength(4);
  });
});

describe('Selected reviewers and the default decisions Approve and Deny', () => {
  it('gives every item nobody decided the default decision', async () => {
    const reviewers = users(id('priya.nair'), id('lucas.dubois'));
    const approve = await startReview(app, GROUP, {
      displayName: 'Default approve',
      reviewers,
      settings: { instanceDurationInDays: 2, defaultDecisionEnabled: true, defaultDecision: 'Approve' },
    });
    const deny = await startReview(app, GROUP, {
      displayName: 'Default deny',
      reviewers,
      settings: { instanceDurationInDays: 2, defaultDecisionEnabled: true, defaultDecision: 'Deny' },
    });
    // Both selected reviewers review every item.
    expect(await decisions(app, approve, as('priya.nair'))).toHaveLength(5);
    expect(await decisions(app, approve, as('lucas.dubois'))).toHaveLength(5);
    const first = (await decisions(app, deny, as('lucas.dubois')))[0];
    await patchDecision(deny, first?.id ?? '', 'lucas.dubois', {
      decision: 'Approve',
      justification: 'Needed',
    });
    await app.rt.advance('P2D');
    await app.rt.waitForIdle();
    const approved = await decisions(app, approve);
    expect(approved.map((i) => i.decision)).toEqual(Array(5).fill('Approve'));
    expect(approved.every((i) => i.reviewedBy?.id === DEFAULT_DECIDER)).toBe(true);
    const denied = await decisions(app, deny);
    expect(denied.filter((i) => i.decision === 'Deny')).toHaveLength(4);
    expect(byPrincipal(denied, first?.principal.id ?? '')).toMatchObject({
      decision: 'Approve',
      reviewedBy: { id: id('lucas.dubois') },
    });
  });
});

describe('Scope: assignment types, principal kinds, inactive users only', () => {
  it('reviews only what the scope names', async () => {
    const res = await app.api('identityGovernance/privilegedAccess/group/assignmentScheduleRequests', {
      ...ADMIN,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: GROUP,
        principalId: id('liam.obrien'),
        justification: 'Rota',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    const active = await startReview(app, GROUP, {
      displayName: 'Active only',
      reviewers: users(id('priya.nair')),
      scope: { roles: [{ groupId: GROUP, accessId: 'member' }], assignmentTypes: 'active' } as never,
    });
    const activeItems = await decisions(app, active);
    expect(activeItems.map((i) => [i.principal.id, i.assignmentType])).toEqual([
      [id('liam.obrien'), 'active'],
    ]);
    const inactive = await startReview(app, GROUP, {
      displayName: 'Inactive users',
      reviewers: users(id('priya.nair')),
      scope: {
        roles: [{ groupId: GROUP, accessId: 'member' }],
        assignmentTypes: 'eligible',
        principalTypes: ['user'],
        inactiveDurationInDays: 30,
      } as never,
    });
    // Noah last signed in 63 days ago, Grace never; Ava and Olivia recently; the group isn't a user.
    expect((await decisions(app, inactive)).map((i) => i.principal.id).sort()).toEqual(
      [id('noah.williams'), id('grace.okafor')].sort(),
    );
  });
});

describe('Default decision Recommendation with auto-apply', () => {
  it('denies an item recommended Deny that nobody decided, and auto-apply removes the access', async () => {
    const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
    await manageGroup(app, CLOUD_OPS);
    const grace = id('grace.okafor'); // never signed in: recommended Deny
    const ava = id('ava.martinez'); // signed in half a day ago: recommended Approve
    for (const principalId of [grace, ava]) {
      const res = await app.api('identityGovernance/privilegedAccess/group/assignmentScheduleRequests', {
        ...ADMIN,
        body: {
          action: 'adminAssign',
          accessId: 'member',
          groupId: CLOUD_OPS,
          principalId,
          justification: 'On call',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    await app.rt.waitForIdle();
    expect(app.groupMembers(CLOUD_OPS)).toEqual(expect.arrayContaining([grace, ava]));
    const review = await startReview(app, CLOUD_OPS, {
      displayName: 'Cloud Ops by recommendation',
      reviewers: users(id('priya.nair')),
      scope: {
        roles: [{ groupId: CLOUD_OPS, accessId: 'member' }],
        assignmentTypes: 'active',
        principalTypes: ['user'],
      } as never,
      settings: {
        instanceDurationInDays: 3,
        recommendationsEnabled: true,
        defaultDecisionEnabled: true,
        defaultDecision: 'Recommendation',
        autoApplyDecisionsEnabled: true,
      },
    });
    const before = await decisions(app, review);
    expect(before.map((i) => [i.principal.id, i.recommendation, i.decision]).sort()).toEqual(
      [
        [grace, 'Deny', 'NotReviewed'],
        [ava, 'Approve', 'NotReviewed'],
      ].sort(),
    );

    // Nobody decides; at the end the default decider takes each recommendation, and auto-apply acts on it.
    await app.rt.advance('P4D');
    await app.rt.waitForIdle();
    const after = (await decisions(app, review)) as (DecisionItem & { applyResult: string })[];
    expect(byPrincipal(after, grace)).toMatchObject({
      decision: 'Deny',
      reviewedBy: { id: DEFAULT_DECIDER },
      applyResult: 'AppliedSuccessfully',
    });
    expect(byPrincipal(after, ava)).toMatchObject({
      decision: 'Approve',
      reviewedBy: { id: DEFAULT_DECIDER },
      applyResult: 'New',
    });
    expect(app.groupMembers(CLOUD_OPS)).not.toContain(grace);
    expect(app.groupMembers(CLOUD_OPS)).toContain(ava);
    expect((await instance(app, review)).status).toBe('Applied');
  });
});
