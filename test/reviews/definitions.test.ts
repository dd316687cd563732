/**
 * The access review definitions API through HTTP, on the virtual clock: create (Graph-shaped, audited, its series
 * orchestration started), the checks beyond the body's shape, bad input on every endpoint (400 problem+json, nothing
 * stored), who may do what (admins manage, auditors read, others 403), paging, series edits, delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVIEW_ORCHESTRATORS, seriesInstanceId } from '../../shared/reviews/contract';
import { durableFetch, expectApiError } from '../helpers';
import { DEMO, startPimApp, type ApiCall, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';

const DEFS = 'identityGovernance/accessReviews/definitions';
const T0 = new Date('2026-06-01T09:00:00Z');
const TODAY = '2026-06-01';
const HELPDESK = DEMO.helpdeskGroup;
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
/** In the demo tenant, never brought under management here. */
const FINANCE = '5954f79c-0342-4f18-a20d-d040bab5dd82';
const AUDITOR = { as: 'olivia.carter@pimflow.example', roles: ['PimFlow.Auditor'] };
const USER = { as: 'olivia.carter@pimflow.example' };

let app: PimApp;

interface DefinitionView {
  '@odata.type': string;
  id: string;
  displayName: string;
  status: string;
  scope: { roles: { groupId: string; accessId: string }[]; assignmentTypes: string };
  reviewers: { query: string; queryType?: string; queryRoot?: string | null }[];
  fallbackReviewers: { query: string }[];
  settings: Record<string, unknown> & {
    instanceDurationInDays: number;
    recurrence?: { range: { startDate: string; type: string } } | null;
  };
  createdBy: { id: string };
  createdDateTime: string;
  lastModifiedDateTime: string;
  descriptionForReviewers: string | null;
}

function userQuery(upn: string) {
  return { query: `/users/${app.user(upn).id}`, queryType: 'MicrosoftGraph' };
}

function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    displayName: 'Quarterly Helpdesk review',
    descriptionForAdmins: 'Who still needs Helpdesk?',
    descriptionForReviewers: 'Please confirm who still needs access.',
    scope: {
      '@odata.type': '#pimflow.groupRoleReviewScope',
      roles: [{ groupId: HELPDESK, accessId: 'member' }],
      assignmentTypes: 'both',
    },
    reviewers: [userQuery('admin')],
    settings: {
      instanceDurationInDays: 14,
      recurrence: {
        pattern: { type: 'absoluteMonthly', interval: 3 },
        range: { type: 'noEnd', startDate: TODAY },
      },
      mailNotificationsEnabled: true,
    },
    ...overrides,
  };
}

function withSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const b = body();
  return { ...b, settings: { ...(b.settings as Record<string, unknown>), ...settings } };
}

async function create(b: Record<string, unknown> = body()): Promise<DefinitionView> {
  return app.json<DefinitionView>(DEFS, { ...ADMIN, body: b });
}

async function allDefinitions(): Promise<DefinitionView[]> {
  const all: DefinitionView[] = [];
  let next: string | undefined = `${DEFS}?$top=50`;
  while (next) {
    const page: { value: DefinitionView[]; '@odata.nextLink'?: string } = await app.json(next, ADMIN);
    all.push(...page.value);
    next = page['@odata.nextLink']?.replace(/^.*\/api\//, '');
  }
  return all;
}

const expectProblem = (res: Response, status: number, detail?: RegExp) => expectApiError(res, status, detail);

async function runtimeStatus(instanceId: string): Promise<string | undefined> {
  const res = await durableFetch(app.rt, `instances/${instanceId}`);
  if (res.status === 404) return undefined;
  return ((await res.json()) as { runtimeStatus: string }).runtimeStatus;
}

async function auditOf(id: string): Promise<{ activityDisplayName: string; operationType: string }[]> {
  const filter = encodeURIComponent(`correlationId eq '${id}' and category eq 'AccessReview'`);
  const page = await app.json<{ value: { activityDisplayName: string; operationType: string }[] }>(
    `auditLogs/directoryAudits?$filter=${filter}`,
    ADMIN,
  );
  return page.value;
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: T0 });
  await manageGroup(app, HELPDESK);
  await manageGroup(app, CLOUD_OPS);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

describe('POST definitions', () => {
  it('creates a Graph-shaped definition with defaults, starts its series and audits it', async () => {
    const res = await app.api(DEFS, { ...ADMIN, body: body() });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as DefinitionView;
    expect(res.headers.get('location')).toMatch(new RegExp(`/${DEFS}/${created.id}$`));
    expect(created).toMatchObject({
      '@odata.type': '#microsoft.graph.accessReviewScheduleDefinition',
      displayName: 'Quarterly Helpdesk review',
      status: 'NotStarted',
      createdBy: { id: DEMO.admin },
      createdDateTime: T0.toISOString(),
      fallbackReviewers: [],
      scope: { roles: [{ groupId: HELPDESK, accessId: 'member' }], assignmentTypes: 'both' },
      settings: {
        instanceDurationInDays: 14,
        autoApplyDecisionsEnabled: false,
        defaultDecisionEnabled: false,
        defaultDecision: 'Recommendation',
        recommendationLookBackDuration: 'P30D',
        mailNotificationsEnabled: true,
      },
    });
    expect(created).not.toHaveProperty('orchestrationInstanceId');
    expect(await app.json(`${DEFS}/${created.id}`, ADMIN)).toEqual(created);
    await app.rt.waitForIdle();
    const status = await durableFetch(app.rt, `instances/${seriesInstanceId(created.id)}?showInput=true`);
    const instance = (await status.json()) as { name: string; input: unknown; runtimeStatus: string };
    expect(instance.name).toBe(REVIEW_ORCHESTRATORS.series);
    expect(instance.input).toEqual({ definitionId: created.id, occurrence: 0 });
    expect(['Running', 'Pending', 'ContinuedAsNew']).toContain(instance.runtimeStatus);
    expect(await auditOf(created.id)).toContainEqual(
      expect.objectContaining({ activityDisplayName: 'Create access review', operationType: 'Add' }),
    );
  });

  it('accepts manager reviewers with a fallback, self-review, and e-mail recipients', async () => {
    const manager = await create(
      body({
        reviewers: [{ query: './manager', queryType: 'MicrosoftGraph', queryRoot: 'decisions' }],
        fallbackReviewers: [userQuery('admin')],
        additionalNotificationRecipients: [
          { notificationRecipientScope: { emailAddress: 'secops@pimflow.example' } },
          { notificationRecipientScope: { query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' } },
        ],
      }),
    );
    expect(manager.reviewers[0]).toMatchObject({ query: './manager', queryRoot: 'decisions' });
    const self = await create(body({ reviewers: [] }));
    expect(self.reviewers).toEqual([]);
    const oneTime = await create(withSettings({ recurrence: null, instanceDurationInDays: 30 }));
    expect(oneTime.settings.recurrence).toBeNull();
  });

  const bad: [string, () => unknown, number, RegExp][] = [
    ['no displayName', () => ({ ...body(), displayName: undefined }), 400, /body\.displayName/],
    ['an unknown property', () => body({ status: 'Completed' }), 400, /status|Unrecognized/i],
    ['a server field (id)', () => body({ id: '0b4f6f3e-1111-4222-8333-444455556666' }), 400, /"id"/],
    ['no scope roles', () => body({ scope: { roles: [] } }), 400, /scope\.roles/],
    [
      'an unknown accessId',
      () => body({ scope: { roles: [{ groupId: HELPDESK, accessId: 'admin' }] } }),
      400,
      /accessId/,
    ],
    [
      'a group not under management',
      () => body({ scope: { roles: [{ groupId: FINANCE, accessId: 'member' }] } }),
      400,
      /not under management/,
    ],
    [
      'a role named twice',
      () =>
        body({
          scope: {
            roles: [
              { groupId: HELPDESK, accessId: 'owner' },
              { groupId: HELPDESK.toUpperCase(), accessId: 'owner' },
            ],
          },
        }),
      400,
      /named twice/,
    ],
    [
      'a duration as long as a weekly interval',
      () =>
        withSettings({
          instanceDurationInDays: 7,
          recurrence: {
            pattern: { type: 'weekly', interval: 1 },
            range: { type: 'noEnd', startDate: TODAY },
          },
        }),
      400,
      /shorter than the interval/,
    ],
    [
      'a duration longer than a month',
      () =>
        withSettings({
          instanceDurationInDays: 30,
          recurrence: {
            pattern: { type: 'absoluteMonthly', interval: 1 },
            range: { type: 'noEnd', startDate: TODAY },
          },
        }),
      400,
      /shorter than the interval/,
    ],
    [
      'an endDate range without its date',
      () =>
        withSettings({
          recurrence: {
            pattern: { type: 'weekly', interval: 2 },
            range: { type: 'endDate', startDate: TODAY },
          },
          instanceDurationInDays: 3,
        }),
      400,
      /endDate is required/,
    ],
    [
      'a numbered range of 0',
      () =>
        withSettings({
          recurrence: {
            pattern: { type: 'weekly', interval: 2 },
            range: { type: 'numbered', startDate: TODAY, numberOfOccurrences: 0 },
          },
          instanceDurationInDays: 3,
        }),
      400,
      /numberOfOccurrences/,
    ],
    [
      'a start date in the past',
      () =>
        withSettings({
          recurrence: {
            pattern: { type: 'absoluteMonthly', interval: 1 },
            range: { type: 'noEnd', startDate: '2026-05-31' },
          },
          instanceDurationInDays: 3,
        }),
      400,
      /startDate .* must be today/,
    ],
    [
      'a bad look-back',
      () => withSettings({ recommendationLookBackDuration: 'thirty days' }),
      400,
      /recommendationLookBackDuration/,
    ],
    ['a bad defaultDecision', () => withSettings({ defaultDecision: 'Maybe' }), 400, /defaultDecision/],
    [
      'manager reviewers without fallback',
      () => body({ reviewers: [{ query: './manager', queryRoot: 'decisions' }] }),
      400,
      /fallbackReviewers/,
    ],
    [
      'an unsupported reviewer query',
      () => body({ reviewers: [{ query: `/groups/${HELPDESK}/owners` }] }),
      400,
      /Unsupported reviewer query/,
    ],
    [
      'manager combined with users',
      () =>
        body({
          reviewers: [{ query: './manager', queryRoot: 'decisions' }, userQuery('admin')],
          fallbackReviewers: [userQuery('admin')],
        }),
      400,
      /cannot be combined/,
    ],
    [
      'a manager fallback',
      () =>
        body({
          reviewers: [{ query: './manager', queryRoot: 'decisions' }],
          fallbackReviewers: [{ query: './manager', queryRoot: 'decisions' }],
        }),
      400,
      /fallbackReviewers must be selected users/,
    ],
    [
      'an unknown user as reviewer',
      () => body({ reviewers: [{ query: '/users/00000000-0000-4000-8000-000000000001' }] }),
      400,
      /reviewers\[0\]: no user 00000000-0000-4000-8000-000000000001/,
    ],
    [
      'an unknown user as recipient',
      () =>
        body({
          additionalNotificationRecipients: [
            { notificationRecipientScope: { query: '/users/00000000-0000-4000-8000-000000000002' } },
          ],
        }),
      400,
      /additionalNotificationRecipients\[0\]: no user/,
    ],
    [
      'a recipient without query or address',
      () => body({ additionalNotificationRecipients: [{ notificationRecipientScope: {} }] }),
      400,
      /needs a query/,
    ],
    ['an array', () => [body()], 400, /body/],
    ['no body', () => undefined, 400, /body/],
  ];
  it.each(bad)('refuses %s with %i and stores nothing', async (_name, make, status, detail) => {
    const before = (await allDefinitions()).length;
    const b = make();
    await expectProblem(await app.api(DEFS, { ...ADMIN, method: 'POST', body: b }), status, detail);
    expect(await allDefinitions()).toHaveLength(before);
  });

  it('refuses malformed JSON (400) and other media types (415)', async () => {
    const before = (await allDefinitions()).length;
    await expectProblem(await app.api(DEFS, { ...ADMIN, body: '{"displayName":' }), 400, /not valid JSON/);
    await expectProblem(
      await app.api(DEFS, {
        ...ADMIN,
        body: JSON.stringify(body()),
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    );
    expect(await allDefinitions()).toHaveLength(before);
  });
});

describe('who may do what', () => {
  it('lets admins manage, auditors read, and nobody else anything', async () => {
    const d = await create();
    const calls: [string, ApiCall][] = [
      [DEFS, { body: body() }],
      [DEFS, {}],
      [`${DEFS}/${d.id}`, {}],
      [`${DEFS}/${d.id}`, { method: 'PATCH', body: { displayName: 'x' } }],
      [`${DEFS}/${d.id}`, { method: 'DELETE' }],
    ];
    for (const [path, call] of calls) {
      await expectProblem(await app.api(path, call), 401);
      await expectProblem(await app.api(path, { ...call, ...USER }), 403, /PimFlow\.Admin/);
    }
    // Auditors read, never change.
    expect((await app.json<DefinitionView>(`${DEFS}/${d.id}`, AUDITOR)).id).toBe(d.id);
    expect((await app.json<{ value: unknown[] }>(DEFS, AUDITOR)).value.length).toBeGreaterThan(0);
    for (const [path, call] of [calls[0], calls[3], calls[4]] as [string, ApiCall][]) {
      await expectProblem(await app.api(path, { ...call, ...AUDITOR }), 403, /PimFlow\.Admin/);
    }
    expect((await app.json<DefinitionView>(`${DEFS}/${d.id}`, ADMIN)).displayName).toBe(d.displayName);
  });
});

describe('GET definitions', () => {
  it('lists newest first, paged with $top and @odata.nextLink', async () => {
    await create(body({ displayName: 'Paging 0' }));
    await create(body({ displayName: 'Paging A' }));
    await app.rt.advance('PT1M');
    await create(body({ displayName: 'Paging B' }));
    const all = await allDefinitions();
    expect(all.length).toBeGreaterThanOrEqual(3);
    const times = all.map((d) => d.createdDateTime);
    expect([...times].sort().reverse()).toEqual(times);
    const first = await app.json<{ value: DefinitionView[]; '@odata.nextLink'?: string }>(
      `${DEFS}?$top=2`,
      ADMIN,
    );
    expect(first.value).toHaveLength(2);
    expect(first.value[0]?.displayName).toBe('Paging B');
    expect(first['@odata.nextLink']).toMatch(/(\$|%24)skiptoken=/);
    const ids = new Set<string>();
    let next: string | undefined = `${DEFS}?$top=2`;
    while (next) {
      const page: { value: DefinitionView[]; '@odata.nextLink'?: string } = await app.json(next, ADMIN);
      expect(page.value.length).toBeLessThanOrEqual(2);
      page.value.forEach((d) => ids.add(d.id));
      next = page['@odata.nextLink']?.replace(/^.*\/api\//, '');
    }
    expect(ids.size).toBe(all.length);
  });

  it('refuses bad query options and ids', async () => {
    await expectProblem(await app.api(`${DEFS}?$top=0`, ADMIN), 400, /\$top/);
    await expectProblem(await app.api(`${DEFS}?$top=abc`, ADMIN), 400, /\$top/);
    await expectProblem(await app.api(`${DEFS}?$skiptoken=%%%`, ADMIN), 400, /\$skiptoken/);
    await expectProblem(await app.api(`${DEFS}?$skiptoken=`, ADMIN), 400, /\$skiptoken/);
    await expectProblem(await app.api(`${DEFS}?$orderby=displayName`, ADMIN), 400, /\$orderby/);
    await expectProblem(await app.api(`${DEFS}/not-a-guid`, ADMIN), 400, /id/);
    await expectProblem(
      await app.api(`${DEFS}/0b4f6f3e-1111-4222-8333-444455556666`, ADMIN),
      404,
      /No access review definition/,
    );
  });
});

describe('PATCH definitions/{id}', () => {
  it('edits the series: names, reviewers, settings merged key by key; audited', async () => {
    const d = await create();
    await app.rt.advance('PT5M');
    const patched = await app.json<DefinitionView>(`${DEFS}/${d.id}`, {
      ...ADMIN,
      method: 'PATCH',
      body: {
        displayName: 'Quarterly Helpdesk review (v2)',
        descriptionForReviewers: null,
        reviewers: [{ query: './manager', queryRoot: 'decisions' }],
        fallbackReviewers: [userQuery('admin')],
        settings: { instanceDurationInDays: 21, justificationRequiredOnApproval: true },
      },
    });
    expect(patched).toMatchObject({
      id: d.id,
      displayName: 'Quarterly Helpdesk review (v2)',
      descriptionForReviewers: null,
      reviewers: [{ query: './manager', queryRoot: 'decisions' }],
      settings: {
        instanceDurationInDays: 21,
        justificationRequiredOnApproval: true,
        mailNotificationsEnabled: true,
        recurrence: d.settings.recurrence,
      },
      scope: d.scope,
      createdDateTime: d.createdDateTime,
    });
    expect(patched.lastModifiedDateTime > d.lastModifiedDateTime).toBe(true);
    expect(await app.json(`${DEFS}/${d.id}`, ADMIN)).toEqual(patched);
    expect(await auditOf(d.id)).toContainEqual(
      expect.objectContaining({ activityDisplayName: 'Update access review', operationType: 'Update' }),
    );
  });

  it('refuses bad edits with 400 and changes nothing', async () => {
    const d = await create();
    await app.rt.waitForIdle();
    const stored = await app.json<DefinitionView>(`${DEFS}/${d.id}`, ADMIN);
    const range = { type: 'noEnd', startDate: TODAY };
    const refusals: [unknown, RegExp][] = [
      [{ scope: { roles: [{ groupId: CLOUD_OPS, accessId: 'member' }] } }, /scope is fixed/],
      [
        {
          settings: {
            recurrence: {
              pattern: { type: 'absoluteMonthly', interval: 3 },
              range: { ...range, startDate: '2026-07-01' },
            },
          },
        },
        /startDate is fixed/,
      ],
      [{ settings: { recurrence: null } }, /one-time/],
      [{ settings: { instanceDurationInDays: 90 } }, /shorter than the interval/],
      [{ reviewers: [{ query: './manager', queryRoot: 'decisions' }] }, /fallbackReviewers/],
      [{ reviewers: [{ query: '/users/00000000-0000-4000-8000-000000000003' }] }, /no user/],
      [{ reviewers: [{ query: 'everyone' }] }, /Unsupported reviewer query/],
      [{ status: 'Completed' }, /status|Unrecognized/i],
      [{ createdDateTime: '2020-01-01T00:00:00Z' }, /createdDateTime|Unrecognized/i],
      [{ settings: { unknownSetting: true } }, /unknownSetting|Unrecognized/i],
      [{ displayName: '' }, /displayName/],
      [{}, /at least one property/],
      ['"just a string"', /body/],
    ];
    for (const [patch, detail] of refusals) {
      await expectProblem(
        await app.api(`${DEFS}/${d.id}`, { ...ADMIN, method: 'PATCH', body: patch }),
        400,
        detail,
      );
    }
    await expectProblem(
      await app.api(`${DEFS}/${d.id}`, { ...ADMIN, method: 'PATCH', body: '{"displayName": ' }),
      400,
      /not valid JSON/,
    );
    await expectProblem(
      await app.api(`${DEFS}/nope`, { ...ADMIN, method: 'PATCH', body: { displayName: 'x' } }),
      400,
    );
    await expectProblem(
      await app.api(`${DEFS}/0b4f6f3e-1111-4222-8333-444455556666`, {
        ...ADMIN,
        method: 'PATCH',
        body: { displayName: 'x' },
      }),
      404,
    );
    expect(await app.json(`${DEFS}/${d.id}`, ADMIN)).toEqual(stored);
  });

  it('changes the range of a series (endDate, numbered)', async () => {
    const d = await create();
    const patched = await app.json<DefinitionView>(`${DEFS}/${d.id}`, {
      ...ADMIN,
      method: 'PATCH',
      body: {
        settings: {
          recurrence: {
            pattern: { type: 'absoluteMonthly', interval: 3 },
            range: { type: 'numbered', startDate: TODAY, numberOfOccurrences: 4 },
          },
        },
      },
    });
    expect(patched.settings.recurrence?.range).toMatchObject({ type: 'numbered', numberOfOccurrences: 4 });
  });
});

describe('DELETE definitions/{id}', () => {
  it('deletes the definition, ends its series orchestration and audits it', async () => {
    const d = await create();
    await app.rt.waitForIdle();
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBeDefined();
    const res = await app.api(`${DEFS}/${d.id}`, { ...ADMIN, method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    await expectProblem(await app.api(`${DEFS}/${d.id}`, ADMIN), 404);
    expect((await allDefinitions()).map((x) => x.id)).not.toContain(d.id);
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Terminated');
    expect(await auditOf(d.id)).toContainEqual(
      expect.objectContaining({ activityDisplayName: 'Delete access review', operationType: 'Delete' }),
    );
    await expectProblem(await app.api(`${DEFS}/${d.id}`, { ...ADMIN, method: 'DELETE' }), 404);
  });

  it('refuses bad ids', async () => {
    await expectProblem(await app.api(`${DEFS}/not-a-guid`, { ...ADMIN, method: 'DELETE' }), 400, /id/);
    await expectProblem(
      await app.api(`${DEFS}/0b4f6f3e-1111-4222-8333-444455556666`, { ...ADMIN, method: 'DELETE' }),
      404,
    );
  });
});
