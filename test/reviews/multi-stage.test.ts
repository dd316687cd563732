/**
 * Multi-stage access reviews (Graph's stageSettings), through the HTTP API on the virtual clock: a two-stage review
 * whose first stage passes on only Approve and NotReviewed — stage 1's reviewer decides, the stage closes, stage 2's
 * reviewer sees only the items passed on, decides, the review completes and auto-apply removes the denied members
 * from the directory; who may decide in which stage; and what a definition's stageSettings must be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorMessage } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';
import { assignActive } from './apply-fixtures';
import { REVIEWS } from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
const NOW = new Date('2026-03-02T09:00:00Z');
const DAY = 86_400_000;

let app: PimApp;
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });
const user = (upn: string) => ({ query: `/users/${id(upn)}`, queryType: 'MicrosoftGraph' });

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  await manageGroup(app, GROUP);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

interface Stage {
  id: string;
  startDateTime: string;
  endDateTime: string;
  status: string;
  reviewers: { query: string }[];
}
interface Item {
  id: string;
  principal: { id: string };
  decision: string;
  reviewedBy: { id: string } | null;
}

/** A definition body: a one-time review of the group's members with these stages. */
function definition(stageSettings: unknown, settings: Record<string, unknown> = {}) {
  return {
    displayName: 'Two-stage helpdesk review',
    scope: { roles: [{ groupId: GROUP, accessId: 'member' }] },
    stageSettings,
    settings: { instanceDurationInDays: 4, ...settings },
  };
}

describe('a two-stage review', () => {
  const members = ['olivia.carter', 'daniel.kim', 'priya.nair', 'amelia.novak'];
  let url: string;
  let stages: Stage[];
  const itemOf = (items: Item[], upn: string) => {
    const found = items.find((i) => i.principal.id === id(upn));
    if (!found) throw new Error(`No item for ${upn}`);
    return found;
  };
  const items = async (path: string, who: { as: string; roles?: string[] } = ADMIN) =>
    (await app.json<{ value: Item[] }>(`${url}/${path}?$top=999`, who)).value;
  const decide = (path: string, who: string, decision: string) =>
    app.api(`${url}/${path}`, { ...as(who), method: 'PATCH', body: { decision, justification: 'Checked' } });

  it('creates the definition as Graph writes it: the stages in order, the instance as long as they are', async () => {
    for (const m of members) await assignActive(app, GROUP, id(m));
    expect(app.groupMembers(GROUP)).toEqual(expect.arrayContaining(members.map(id)));
    const res = await app.api(REVIEWS, {
      ...ADMIN,
      body: definition(
        // Given out of order: dependsOn says which runs first.
        [
          { stageId: '2', dependsOn: ['1'], durationInDays: 4, reviewers: [user('sofia.rossi')] },
          {
            stageId: '1',
            durationInDays: 3,
            recommendationsEnabled: false,
            decisionsThatWillMoveToNextStage: ['notReviewed', 'Approve'],
            reviewers: [user('marcus.johnson')],
          },
        ],
        { autoApplyDecisionsEnabled: true, mailNotificationsEnabled: true },
      ),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as {
      id: string;
      settings: { instanceDurationInDays: number };
      stageSettings: { stageId: string; decisionsThatWillMoveToNextStage?: string[] }[];
    };
    expect(created.stageSettings.map((s) => s.stageId)).toEqual(['1', '2']);
    expect(created.stageSettings[0]?.decisionsThatWillMoveToNextStage).toEqual(['NotReviewed', 'Approve']);
    expect(created.settings.instanceDurationInDays).toBe(7);

    await app.rt.waitForIdle();
    const list = await app.json<{ value: { id: string; status: string; endDateTime: string }[] }>(
      `${REVIEWS}/${created.id}/instances`,
      ADMIN,
    );
    expect(list.value).toHaveLength(1);
    const instance = list.value[0];
    expect(instance?.status).toBe('InProgress');
    url = `${REVIEWS}/${created.id}/instances/${instance?.id ?? ''}`;
    stages = (await app.json<{ value: Stage[] }>(`${url}/stages`, ADMIN)).value;
    expect(stages.map((s) => s.status)).toEqual(['InProgress', 'NotStarted']);
    expect(stages[0]?.reviewers).toEqual([
      expect.objectContaining({ query: `/users/${id('marcus.johnson')}` }),
    ]);
    expect(stages[0]?.endDateTime).toBe(stages[1]?.startDateTime);
    expect(
      new Date(stages[0]?.endDateTime ?? 0).getTime() - new Date(stages[0]?.startDateTime ?? 0).getTime(),
    ).toBe(3 * DAY);
    expect(stages[1]?.endDateTime).toBe(instance?.endDateTime);
    // A stage by Graph's id or by its stageId (an entity answer: with its own @odata.context).
    const { '@odata.context': context, ...byStageId } = await app.json<Record<string, unknown>>(
      `${url}/stages/2`,
      ADMIN,
    );
    expect(context).toMatch(/\/stages\/\$entity$/);
    expect(byStageId).toEqual(stages[1]);
    expect((await app.api(`${url}/stages/${crypto.randomUUID()}`, ADMIN)).status).toBe(404);
  });

  it('stage 1: its reviewer decides; stage 2’s reviewer can’t, nor is mailed yet', async () => {
    const stage1 = `stages/${stages[0]?.id ?? ''}/decisions`;
    const mine = await items(stage1, as('marcus.johnson'));
    expect(mine).toHaveLength(4);
    expect((await app.mailTo('marcus.johnson@pimflow.example')).map((m) => m.subject)).toEqual([
      expect.stringMatching(/^Please review access/),
    ]);
    expect(await app.mailTo('sofia.rossi@pimflow.example')).toHaveLength(0);

    const refused = await decide(`${stage1}/${itemOf(mine, 'olivia.carter').id}`, 'sofia.rossi', 'Approve');
    expect(refused.status).toBe(403);
    expect(apiErrorMessage(await refused.json())).toMatch(/reviewers of this review/);

    for (const [who, decision] of [
      ['olivia.carter', 'Approve'],
      ['daniel.kim', 'Deny'],
      ['priya.nair', 'DontKnow'],
    ] as const) {
      const res = await decide(`${stage1}/${itemOf(mine, who).id}`, 'marcus.johnson', decision);
      expect(res.status, await res.clone().text()).toBe(204);
    }
  });

  it('at the end of stage 1 only the Approve and NotReviewed items move on; the others keep their decision', async () => {
    await app.rt.advance('P3D');
    await app.rt.waitForIdle();
    stages = (await app.json<{ value: Stage[] }>(`${url}/stages`, ADMIN)).value;
    expect(stages.map((s) => s.status)).toEqual(['Completed', 'InProgress']);

    const stage2 = `stages/${stages[1]?.id ?? ''}/decisions`;
    const sofias = await items(stage2, as('sofia.rossi'));
    expect(sofias.map((i) => i.principal.id).sort()).toEqual(
      [id('olivia.carter'), id('amelia.novak')].sort(),
    );
    expect(sofias.every((i) => i.decision === 'NotReviewed')).toBe(true);
    expect(await app.mailTo('sofia.rossi@pimflow.example')).toHaveLength(1);

    // Stage 1 keeps what was decided in it; the instance shows each item's decision as it stands.
    const stage1 = await items(`stages/${stages[0]?.id ?? ''}/decisions`);
    expect(itemOf(stage1, 'olivia.carter').decision).toBe('Approve');
    const all = await items('decisions');
    expect(all.map((i) => [i.principal.id, i.decision]).sort()).toEqual(
      [
        [id('olivia.carter'), 'NotReviewed'],
        [id('daniel.kim'), 'Deny'],
        [id('priya.nair'), 'DontKnow'],
        [id('amelia.novak'), 'NotReviewed'],
      ].sort(),
    );

    // Stage 1 is closed: its reviewer can't change a final decision, and stage 2's reviewer can't decide there.
    const late = await decide(
      `stages/${stages[0]?.id ?? ''}/decisions/${itemOf(all, 'daniel.kim').id}`,
      'marcus.johnson',
      'Approve',
    );
    expect(late.status).toBe(400);
    expect(apiErrorMessage(await late.json())).toMatch(/Stage 1 is Completed: its decisions are final/);
    const viaInstance = await decide(
      `decisions/${itemOf(all, 'priya.nair').id}`,
      'marcus.johnson',
      'Approve',
    );
    expect(viaInstance.status).toBe(400);
    const wrongStage = await decide(
      `stages/${stages[0]?.id ?? ''}/decisions/${itemOf(all, 'amelia.novak').id}`,
      'sofia.rossi',
      'Approve',
    );
    expect(wrongStage.status).toBe(400);
    expect(apiErrorMessage(await wrongStage.json())).toMatch(/current stage \(2\)/);
  });

  it('stage 2 decides; at the end the final decisions are applied: denied members leave the group', async () => {
    const stage2 = `stages/${stages[1]?.id ?? ''}/decisions`;
    const sofias = await items(stage2, as('sofia.rossi'));
    expect(
      (await decide(`${stage2}/${itemOf(sofias, 'olivia.carter').id}`, 'sofia.rossi', 'Deny')).status,
    ).toBe(204);
    expect(
      (await decide(`${stage2}/${itemOf(sofias, 'amelia.novak').id}`, 'sofia.rossi', 'Approve')).status,
    ).toBe(204);
    await app.rt.advance('P4D');
    await app.rt.waitForIdle();
    const instance = await app.json<{ status: string }>(url, ADMIN);
    expect(instance.status).toBe('Applied');
    expect((await app.json<{ value: Stage[] }>(`${url}/stages`, ADMIN)).value.map((s) => s.status)).toEqual([
      'Completed',
      'Completed',
    ]);
    const membersNow = app.groupMembers(GROUP);
    expect(membersNow).not.toContain(id('olivia.carter'));
    expect(membersNow).not.toContain(id('daniel.kim'));
    expect(membersNow).toContain(id('priya.nair'));
    expect(membersNow).toContain(id('amelia.novak'));
  });
});

describe('stopping a multi-stage review', () => {
  it('ends the current stage and the ones after it; no decision is taken after', async () => {
    const res = await app.api(REVIEWS, {
      ...ADMIN,
      body: definition(
        [
          { stageId: '1', durationInDays: 2, reviewers: [user('marcus.johnson')] },
          { stageId: '2', dependsOn: ['1'], durationInDays: 2, reviewers: [user('sofia.rossi')] },
        ],
        { mailNotificationsEnabled: true },
      ),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const definitionId = ((await res.json()) as { id: string }).id;
    await app.rt.waitForIdle();
    const list = await app.json<{ value: { id: string }[] }>(`${REVIEWS}/${definitionId}/instances`, ADMIN);
    const url = `${REVIEWS}/${definitionId}/instances/${list.value[0]?.id ?? ''}`;
    const pending = await app.json<{ value: Item[] }>(`${url}/stages/1/decisions`, as('marcus.johnson'));
    expect(pending.value.length).toBeGreaterThan(0);

    const stop = await app.api(`${url}/stop`, { ...ADMIN, method: 'POST' });
    expect(stop.status, await stop.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect((await app.json<{ status: string }>(url, ADMIN)).status).toBe('Completed');
    const stages = (await app.json<{ value: Stage[] }>(`${url}/stages`, ADMIN)).value;
    expect(stages.map((s) => s.status)).toEqual(['Completed', 'Completed']);
    const late = await app.api(`${url}/stages/1/decisions/${pending.value[0]?.id ?? ''}`, {
      ...as('marcus.johnson'),
      method: 'PATCH',
      body: { decision: 'Approve', justification: 'Late' },
    });
    expect(late.status).toBe(409);
    // Stage 2 never started: its reviewer has only the mail of the first review's stage 2.
    await app.rt.advance('P4D');
    await app.rt.waitForIdle();
    expect(await app.mailTo('sofia.rossi@pimflow.example')).toHaveLength(1);
    expect(await app.mailTo('marcus.johnson@pimflow.example')).toHaveLength(2);
  });
});

describe('stageSettings validation', () => {
  const stage = (stageId: string, dependsOn: string[] = [], more: Record<string, unknown> = {}) => ({
    stageId,
    dependsOn,
    durationInDays: 2,
    reviewers: [user('marcus.johnson')],
    ...more,
  });
  const bad: [string, () => unknown, RegExp][] = [
    [
      'four stages',
      () => definition(['1', '2', '3', '4'].map((s, i) => stage(s, i ? [String(i)] : []))),
      /stageSettings/,
    ],
    ['no stages', () => definition([]), /stageSettings/],
    ['a stage id twice', () => definition([stage('1'), stage('1', ['1'])]), /stageId "1" is used twice/],
    ['two first stages', () => definition([stage('1'), stage('2')]), /exactly one stage \(the first\)/],
    ['an unknown dependsOn', () => definition([stage('1'), stage('2', ['9'])]), /no stage "9"/],
    [
      'parallel stages',
      () => definition([stage('1'), stage('2', ['1']), stage('3', ['1'])]),
      /both depend on stage "1"/,
    ],
    [
      'a cycle',
      () => definition([stage('1'), stage('2', ['3']), stage('3', ['2'])]),
      /one chain from the first stage/,
    ],
    [
      'two dependsOn',
      () => definition([stage('1'), stage('2', ['1']), stage('3', ['2', '1'])]),
      /depends on one stage/,
    ],
    [
      'Recommendation passed on',
      () =>
        definition([
          stage('1', [], { decisionsThatWillMoveToNextStage: ['Recommendation'] }),
          stage('2', ['1']),
        ]),
      /"Recommendation" is not supported/,
    ],
    [
      'an unknown decision',
      () => definition([stage('1', [], { decisionsThatWillMoveToNextStage: ['Maybe'] }), stage('2', ['1'])]),
      /decisionsThatWillMoveToNextStage/,
    ],
    ['no duration', () => definition([{ stageId: '1', reviewers: [] }]), /durationInDays/],
    [
      'an unsupported reviewer query',
      () =>
        definition([stage('1'), stage('2', ['1'], { reviewers: [{ query: `/groups/${GROUP}/owners` }] })]),
      /stageSettings\[1\]\.reviewers: Unsupported reviewer query/,
    ],
    [
      'managers without fallback reviewers',
      () => definition([stage('1', [], { reviewers: [{ query: './manager', queryRoot: 'decisions' }] })]),
      /stageSettings\[0\]\.fallbackReviewers/,
    ],
    [
      'an unknown user',
      () =>
        definition([
          stage('1', [], { reviewers: [{ query: '/users/00000000-0000-4000-8000-000000000001' }] }),
        ]),
      /stageSettings\[0\]\.reviewers\[0\]: no user/,
    ],
    [
      'stages longer than a weekly recurrence',
      () =>
        definition([stage('1', [], { durationInDays: 4 }), stage('2', ['1'], { durationInDays: 3 })], {
          recurrence: {
            pattern: { type: 'weekly', interval: 1 },
            range: { type: 'noEnd', startDate: app.rt.clock.now().toISOString().slice(0, 10) },
          },
        }),
      /sum of the stages' durationInDays/,
    ],
  ];

  it.each(bad)('refuses %s with a 400 that says what to fix', async (_name, body, message) => {
    const before = await app.json<{ value: unknown[] }>(`${REVIEWS}?$top=999`, ADMIN);
    const res = await app.api(REVIEWS, { ...ADMIN, body: body() });
    expect(res.status).toBe(400);
    expect(apiErrorMessage(await res.json())).toMatch(message);
    expect((await app.json<{ value: unknown[] }>(`${REVIEWS}?$top=999`, ADMIN)).value).toHaveLength(
      before.value.length,
    );
  });

  it('a series edit replaces the stages, checked as at creation', async () => {
    const res = await app.api(REVIEWS, { ...ADMIN, body: definition([stage('1'), stage('2', ['1'])]) });
    expect(res.status, await res.clone().text()).toBe(201);
    const url = `${REVIEWS}/${((await res.json()) as { id: string }).id}`;
    const bad = await app.api(url, {
      ...ADMIN,
      method: 'PATCH',
      body: { stageSettings: [stage('1'), stage('1', ['1'])] },
    });
    expect(bad.status).toBe(400);
    expect(apiErrorMessage(await bad.json())).toMatch(/used twice/);
    const edited = await app.api(url, {
      ...ADMIN,
      method: 'PATCH',
      body: { stageSettings: [stage('1', [], { durationInDays: 6 })] },
    });
    expect(edited.status, await edited.clone().text()).toBe(200);
    expect(await edited.json()).toMatchObject({
      settings: { instanceDurationInDays: 6 },
      stageSettings: [{ stageId: '1', durationInDays: 6 }],
    });
  });

  it('takes three stages in a chain; every decision moves on when the list is left out', async () => {
    const res = await app.api(REVIEWS, {
      ...ADMIN,
      body: definition([stage('c', ['b']), stage('a'), stage('b', ['a'], { durationInDays: 5 })]),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as {
      settings: { instanceDurationInDays: number };
      stageSettings: { stageId: string; decisionsThatWillMoveToNextStage?: unknown }[];
    };
    expect(created.stageSettings.map((s) => s.stageId)).toEqual(['a', 'b', 'c']);
    expect(created.stageSettings[0]).not.toHaveProperty('decisionsThatWillMoveToNextStage');
    expect(created.settings.instanceDurationInDays).toBe(9);
  });
});
