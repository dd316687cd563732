/**
 * Access reviews as Graph writes them, through the HTTP API on the virtual clock: the request bodies of Graph's
 * reference examples for creating definitions (ids replaced by the demo tenant's) are accepted, answered in Graph's
 * shape (the scope as written, the full patternedRecurrence, backupReviewers) and review the roles they name;
 * scopes pimflow can't honour are a 400 naming the supported ones; PUT replaces a definition; defaultDecision
 * `None` leaves items undecided and applies nothing for them; applyDecisions answers 204; a decision's
 * accessReviewId is its instance's id; reviewedBy and appliedBy unset are Graph's empty identity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorMessage } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';
import { eligible, REVIEWS } from './instance-helpers';

const HELPDESK = DEMO.helpdeskGroup;
const PASSWORD_ADMIN = '966707d0-3269-4727-9be2-8c3a10f19b9d';
/** A group of the demo tenant, made eligible for Helpdesk's member role next to two users. */
const PAYROLL_GROUP = '41cea612-6af1-453d-a86f-bb749fac37d5';
const NOBODY = { id: '00000000-0000-0000-0000-000000000000', displayName: '', userPrincipalName: '' };
// The demo tenant's sign-ins are relative to when it is seeded: the virtual clock starts now.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const TODAY = NOW.toISOString().slice(0, 10);
const IN_9_DAYS = new Date(NOW.getTime() + 9 * 86_400_000).toISOString().slice(0, 10);

let app: PimApp;
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });

interface Definition {
  id: string;
  scope: unknown;
  instanceEnumerationScope: unknown;
  reviewers: unknown[];
  fallbackReviewers: unknown[];
  backupReviewers: unknown[];
  displayName: string;
  descriptionForAdmins: string | null;
  lastModifiedDateTime: string;
  settings: Record<string, unknown> & { recurrence: unknown };
}

interface Instance {
  id: string;
  status: string;
  groupId?: string;
  accessId?: string;
  roleDefinitionId?: string;
}

interface Decision {
  id: string;
  accessReviewId: string;
  principal: { id: string; type: string };
  decision: string;
  applyResult: string;
  reviewedBy: unknown;
  reviewedDateTime: string | null;
  appliedBy: unknown;
  appliedDateTime: string | null;
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  await manageGroup(app, HELPDESK);
  const role = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId: PASSWORD_ADMIN } });
  expect(role.status, await role.clone().text()).toBe(201);
  for (const upn of ['ava.martinez', 'grace.okafor']) await eligible(app, HELPDESK, id(upn));
  await eligible(app, HELPDESK, PAYROLL_GROUP);
  await app.rt.waitForIdle();
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

/** What each instance reviews: `{group}/{role}` or `role:{roleDefinitionId}`. */
async function reviewedRoles(definitionId: string): Promise<string[]> {
  await app.rt.waitForIdle();
  const list = await app.json<{ value: Instance[] }>(`${REVIEWS}/${definitionId}/instances`, ADMIN);
  return list.value
    .map((i) => (i.roleDefinitionId ? `role:${i.roleDefinitionId}` : `${i.groupId}/${i.accessId}`))
    .sort();
}

/** The kinds of principal the definition's instance of Helpdesk's member role reviews. */
async function reviewedKinds(definitionId: string): Promise<string[]> {
  const list = await app.json<{ value: Instance[] }>(`${REVIEWS}/${definitionId}/instances`, ADMIN);
  const helpdesk = list.value.find((i) => i.groupId === HELPDESK);
  const items = await app.json<{ value: Decision[] }>(
    `${REVIEWS}/${definitionId}/instances/${helpdesk?.id}/decisions`,
    ADMIN,
  );
  return [...new Set(items.value.map((d) => d.principal.type))].sort();
}

async function remove(definitionId: string): Promise<void> {
  const res = await app.api(`${REVIEWS}/${definitionId}`, { ...ADMIN, method: 'DELETE' });
  expect(res.status, await res.clone().text()).toBe(204);
}

/** accessreviewset-post-definitions, example 1: a weekly review of a group's members by a selected user. */
function groupReviewExample(): Record<string, unknown> {
  return {
    displayName: 'Test create',
    descriptionForAdmins: 'New scheduled access review',
    descriptionForReviewers: 'If you have any questions, contact jerry@contoso.com',
    scope: {
      '@odata.type': '#microsoft.graph.accessReviewQueryScope',
      query: `/groups/${HELPDESK}/transitiveMembers`,
      queryType: 'MicrosoftGraph',
    },
    reviewers: [{ query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' }],
    settings: {
      mailNotificationsEnabled: true,
      reminderNotificationsEnabled: true,
      justificationRequiredOnApproval: true,
      defaultDecisionEnabled: false,
      defaultDecision: 'None',
      instanceDurationInDays: 1,
      recommendationsEnabled: true,
      recurrence: {
        pattern: { type: 'weekly', interval: 1 },
        range: { type: 'noEnd', startDate: `${TODAY}T12:02:30.667Z` },
      },
    },
  };
}

/** The same settings over another scope (Graph's scope examples show the scope alone). */
function withScope(scope: Record<string, unknown>): Record<string, unknown> {
  return { ...groupReviewExample(), displayName: 'Scope example', scope };
}

const roleQuery = (collection: string, filter: string) =>
  `/roleManagement/directory/${collection}?$expand=principal&$filter=(${filter})`;

const accepted: {
  name: string;
  body: () => Record<string, unknown>;
  reviews: () => string[];
  /** The kinds of principal reviewed in Helpdesk's member role (two users and a group hold it). */
  kinds?: string[];
}[] = [
  {
    name: 'a group’s members (accessreviewset-post-definitions, example 1)',
    body: groupReviewExample,
    reviews: () => [`${HELPDESK}/member`],
    kinds: ['group', 'user'],
  },
  {
    name: 'a one-time self-review of a group, with instanceEnumerationScope (the security groups tutorial)',
    body: () => ({
      displayName: 'One-time self-review for members of Building security',
      descriptionForAdmins: 'One-time self-review for members of Building security',
      descriptionForReviewers: 'One-time self-review for members of Building security',
      scope: { query: `/groups/${HELPDESK}/transitiveMembers`, queryType: 'MicrosoftGraph' },
      instanceEnumerationScope: { query: `/groups/${HELPDESK}`, queryType: 'MicrosoftGraph' },
      settings: {
        mailNotificationsEnabled: true,
        reminderNotificationsEnabled: true,
        justificationRequiredOnApproval: true,
        defaultDecisionEnabled: true,
        defaultDecision: 'Deny',
        instanceDurationInDays: 5,
        autoApplyDecisionsEnabled: true,
        recommendationsEnabled: true,
        recurrence: {
          pattern: null,
          range: {
            type: 'numbered',
            numberOfOccurrences: 0,
            recurrenceTimeZone: null,
            startDate: TODAY,
            endDate: IN_9_DAYS,
          },
        },
      },
    }),
    reviews: () => [`${HELPDESK}/member`],
    kinds: ['group', 'user'],
  },
  {
    name: 'the users assigned to a group (scope concept, example 1)',
    body: () =>
      withScope({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/groups/${HELPDESK}/transitiveMembers/microsoft.graph.user`,
        queryType: 'MicrosoftGraph',
      }),
    reviews: () => [`${HELPDESK}/member`],
    kinds: ['user'],
  },
  {
    name: 'inactive users assigned to a group (scope concept, example 1)',
    body: () =>
      withScope({
        '@odata.type': '#microsoft.graph.accessReviewInactiveUsersQueryScope',
        inactiveDuration: 'P30D',
        query: `/groups/${HELPDESK}/transitiveMembers/microsoft.graph.user`,
        queryType: 'MicrosoftGraph',
      }),
    reviews: () => [`${HELPDESK}/member`],
  },
  {
    name: 'the users and groups directly in a group (scope concept, example 3)',
    body: () => withScope({ query: `/groups/${HELPDESK}/members`, queryType: 'MicrosoftGraph' }),
    reviews: () => [`${HELPDESK}/member`],
    kinds: ['group', 'user'],
  },
  {
    name: 'everyone holding a privileged role (scope concept, example 9)',
    body: () =>
      withScope({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/roleManagement/directory/roleDefinitions/${PASSWORD_ADMIN}`,
        queryType: 'MicrosoftGraph',
      }),
    reviews: () => [`role:${PASSWORD_ADMIN}`],
  },
  {
    name: 'eligible users of a privileged role (scope concept, example 9)',
    body: () =>
      withScope({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: roleQuery(
          'roleEligibilityScheduleInstances',
          `isof(principal,'microsoft.graph.user') and roleDefinitionId eq '${PASSWORD_ADMIN}'`,
        ),
        queryType: 'MicrosoftGraph',
      }),
    reviews: () => [`role:${PASSWORD_ADMIN}`],
  },
  {
    name: 'active users of a privileged role (scope concept, example 9)',
    body: () =>
      withScope({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: roleQuery(
          'roleAssignmentScheduleInstances',
          `assignmentType eq 'Assigned' and isof(principal,'microsoft.graph.user') and roleDefinitionId eq '${PASSWORD_ADMIN}'`,
        ),
        queryType: 'MicrosoftGraph',
      }),
    reviews: () => [`role:${PASSWORD_ADMIN}`],
  },
  {
    name: 'users across a group and a role: principalResourceMembershipsScope (scope concept, examples 11 and 12)',
    body: () =>
      withScope({
        '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
        principalScopes: [
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: '/users',
            queryType: 'MicrosoftGraph',
            queryRoot: null,
          },
        ],
        resourceScopes: [
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: `/groups/${HELPDESK}/transitiveMembers/microsoft.graph.user`,
            queryType: 'MicrosoftGraph',
            queryRoot: null,
          },
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: `/roleManagement/directory/roleDefinitions/${PASSWORD_ADMIN}`,
            queryType: 'MicrosoftGraph',
          },
        ],
      }),
    reviews: () => [`${HELPDESK}/member`, `role:${PASSWORD_ADMIN}`].sort(),
    kinds: ['user'],
  },
];

describe('Graph’s examples of creating a definition, as written', () => {
  it.each(accepted)('accepts $name, answers it as written and reviews what it names', async (example) => {
    const sent = example.body();
    const res = await app.api(REVIEWS, { ...ADMIN, body: sent });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as Definition;
    const settings = sent.settings as { recurrence: { pattern: { type: string } | null } | null };
    expect(created).toMatchObject({
      displayName: sent.displayName,
      scope: sent.scope as object,
      instanceEnumerationScope: sent.instanceEnumerationScope ?? null,
      fallbackReviewers: [],
      backupReviewers: [],
    });
    expect(created.scope).toEqual(sent.scope);
    expect(created.settings).toMatchObject({
      defaultDecision: (sent.settings as { defaultDecision: string }).defaultDecision,
      decisionHistoriesForReviewersEnabled: false,
      applyActions: [],
    });
    // The full patternedRecurrence, Graph's defaults where not given, the start as a date.
    const pattern = settings.recurrence?.pattern;
    expect(created.settings.recurrence).toEqual({
      pattern: pattern && {
        type: pattern.type,
        interval: 1,
        month: 0,
        dayOfMonth: 0,
        daysOfWeek: [],
        firstDayOfWeek: 'sunday',
        index: 'first',
      },
      range: pattern
        ? { type: 'noEnd', numberOfOccurrences: 0, recurrenceTimeZone: null, startDate: TODAY, endDate: null }
        : {
            type: 'numbered',
            numberOfOccurrences: 0,
            recurrenceTimeZone: null,
            startDate: TODAY,
            endDate: IN_9_DAYS,
          },
    });
    expect(await app.json(`${REVIEWS}/${created.id}`, ADMIN)).toEqual(created);
    expect(await reviewedRoles(created.id)).toEqual(example.reviews());
    if (example.kinds) expect(await reviewedKinds(created.id)).toEqual(example.kinds);
    await remove(created.id);
  });

  const refused: [string, () => unknown, RegExp][] = [
    [
      'guest users of a group (scope concept, example 2): pimflow keeps no userType',
      () => ({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/groups/${HELPDESK}/transitiveMembers/microsoft.graph.user/?$filter=(userType eq 'Guest')`,
        queryType: 'MicrosoftGraph',
      }),
      /guests/,
    ],
    [
      'guests of all Microsoft 365 groups (scope concept, example 5)',
      () => ({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: './members/microsoft.graph.user',
        queryType: 'MicrosoftGraph',
      }),
      /needs instanceEnumerationScope/,
    ],
    [
      'access packages (scope concept, example 7)',
      () => ({
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query:
          "/identityGovernance/entitlementManagement/accessPackageAssignments?$filter=(accessPackageId eq 'x')",
        queryType: 'MicrosoftGraph',
      }),
      /supported: \/groups\/\{id\}\/members/,
    ],
    [
      'an application’s users (accessreviewset-post-definitions, example 3)',
      () => ({
        '@odata.type': '#microsoft.graph.principalResourceMembershipsScope',
        principalScopes: [
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: '/users',
            queryType: 'MicrosoftGraph',
          },
        ],
        resourceScopes: [
          {
            '@odata.type': '#microsoft.graph.accessReviewQueryScope',
            query: '/servicePrincipals/bae11f90-7d5d-46ba-9f55-8112b59d92ae',
            queryType: 'MicrosoftGraph',
          },
        ],
      }),
      /resourceScopes query/,
    ],
  ];
  it.each(refused)('refuses %s with a 400 that says what is supported', async (_name, scope, message) => {
    const before = await app.json<{ value: unknown[] }>(`${REVIEWS}?$top=999`, ADMIN);
    const res = await app.api(REVIEWS, { ...ADMIN, body: withScope(scope() as Record<string, unknown>) });
    const text = await res.clone().text();
    expect(res.status, text).toBe(400);
    expect(apiErrorMessage(await res.json())).toMatch(message);
    expect((await app.json<{ value: unknown[] }>(`${REVIEWS}?$top=999`, ADMIN)).value).toHaveLength(
      before.value.length,
    );
  });

  it('refuses an instanceEnumerationScope over many groups, and a relative scope naming no group', async () => {
    const res = await app.api(REVIEWS, {
      ...ADMIN,
      body: {
        ...withScope({
          '@odata.type': '#microsoft.graph.accessReviewQueryScope',
          query: './members/microsoft.graph.user',
          queryType: 'MicrosoftGraph',
        }),
        instanceEnumerationScope: {
          query: "/groups?$filter=(groupTypes/any(c:c eq 'Unified'))",
          queryType: 'MicrosoftGraph',
        },
      },
    });
    expect(res.status).toBe(400);
    expect(apiErrorMessage(await res.json())).toMatch(/groups under management, each named/);
  });

  it('takes enum values in any casing and answers Graph’s; applyActions only removes access', async () => {
    const body = groupReviewExample();
    const settings = body.settings as Record<string, unknown>;
    const res = await app.api(REVIEWS, {
      ...ADMIN,
      body: {
        ...body,
        settings: {
          ...settings,
          defaultDecision: 'deny',
          applyActions: [{ '@odata.type': '#microsoft.graph.removeAccessApplyAction' }],
          recurrence: {
            pattern: { type: 'Weekly', interval: 2, daysOfWeek: ['Monday'], firstDayOfWeek: 'MONDAY' },
            range: { type: 'NUMBERED', numberOfOccurrences: 3, startDate: TODAY },
          },
        },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as Definition;
    expect(created.settings).toMatchObject({
      defaultDecision: 'Deny',
      applyActions: [{ '@odata.type': '#microsoft.graph.removeAccessApplyAction' }],
      recurrence: {
        pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday'], firstDayOfWeek: 'monday' },
        range: { type: 'numbered', numberOfOccurrences: 3 },
      },
    });
    await remove(created.id);
    const deleting = await app.api(REVIEWS, {
      ...ADMIN,
      body: {
        ...body,
        settings: {
          ...settings,
          applyActions: [{ '@odata.type': '#microsoft.graph.disableAndDeleteUserApplyAction' }],
        },
      },
    });
    expect(deleting.status).toBe(400);
    expect(apiErrorMessage(await deleting.json())).toMatch(/only #microsoft\.graph\.removeAccessApplyAction/);
  });
});

describe('PUT definitions/{id}: Graph’s update, the whole definition', () => {
  let created: Definition;

  beforeAll(async () => {
    created = await app.json<Definition>(REVIEWS, { ...ADMIN, body: groupReviewExample() });
    await app.rt.waitForIdle();
  });
  afterAll(async () => {
    await remove(created.id);
  });

  async function put(body: unknown, definitionId = created.id): Promise<Response> {
    return app.api(`${REVIEWS}/${definitionId}`, { ...ADMIN, method: 'PUT', body });
  }

  it('replaces what it sends back, as a GET showed it; 204; what it leaves out takes its default', async () => {
    const read = await app.json<Definition & Record<string, unknown>>(`${REVIEWS}/${created.id}`, ADMIN);
    const { descriptionForAdmins: _left, ...rest } = read;
    await app.rt.advance('PT1M');
    const res = await put({
      ...rest,
      displayName: 'Test world UPDATED NAME!',
      backupReviewers: [{ query: `/users/${id('priya.nair')}`, queryType: 'MicrosoftGraph' }],
      fallbackReviewers: undefined,
      settings: {
        ...read.settings,
        reminderNotificationsEnabled: false,
        decisionHistoriesForReviewersEnabled: true,
      },
    });
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await res.text()).toBe('');
    const after = await app.json<Definition>(`${REVIEWS}/${created.id}`, ADMIN);
    expect(after).toMatchObject({
      displayName: 'Test world UPDATED NAME!',
      descriptionForAdmins: null,
      scope: read.scope as object,
      fallbackReviewers: [{ query: `/users/${id('priya.nair')}` }],
      backupReviewers: [{ query: `/users/${id('priya.nair')}` }],
      settings: {
        reminderNotificationsEnabled: false,
        decisionHistoriesForReviewersEnabled: true,
        recurrence: read.settings.recurrence,
      },
    });
    expect(after.lastModifiedDateTime > read.lastModifiedDateTime).toBe(true);
  });

  it('keeps PATCH for partial edits', async () => {
    const res = await app.api(`${REVIEWS}/${created.id}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { settings: { defaultDecision: 'none' } },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Definition).settings.defaultDecision).toBe('None');
  });

  it('refuses another scope, another id, another start, conflicting fallback lists; 404 for none', async () => {
    const read = await app.json<Definition & Record<string, unknown>>(`${REVIEWS}/${created.id}`, ADMIN);
    const recurrence = read.settings.recurrence as { pattern: unknown; range: Record<string, unknown> };
    const cases: [unknown, RegExp][] = [
      [
        { ...read, scope: { query: `/groups/${HELPDESK}/owners`, queryType: 'MicrosoftGraph' } },
        /Unsupported/,
      ],
      [
        { ...read, scope: { roles: [{ roleDefinitionId: PASSWORD_ADMIN }] } },
        /scope is fixed after creation/,
      ],
      [{ ...read, id: crypto.randomUUID() }, /is not this definition's/],
      [
        {
          ...read,
          settings: {
            ...read.settings,
            recurrence: { ...recurrence, range: { ...recurrence.range, startDate: IN_9_DAYS } },
          },
        },
        /startDate is fixed/,
      ],
      [{ ...read, settings: { ...read.settings, recurrence: null } }, /cannot become a one-time review/],
      [
        { ...read, backupReviewers: [{ query: `/users/${DEMO.admin}` }], fallbackReviewers: [] },
        /older name of fallbackReviewers/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await put(body);
      expect(res.status, await res.clone().text()).toBe(400);
      expect(apiErrorMessage(await res.json())).toMatch(message);
    }
    expect(await app.json(`${REVIEWS}/${created.id}`, ADMIN)).toEqual(read);
    const missing = await put(read, crypto.randomUUID());
    expect(missing.status).toBe(404);
  });
});

describe('defaultDecision None, applyDecisions, and the decisions’ Graph fields', () => {
  it('leaves items nobody decided undecided, applies only the deny, and answers 204', async () => {
    const [ava, grace] = [id('ava.martinez'), id('grace.okafor')];
    const definition = await app.json<Definition>(REVIEWS, {
      ...ADMIN,
      body: {
        displayName: 'None by default',
        scope: { query: `/groups/${HELPDESK}/members`, queryType: 'MicrosoftGraph' },
        reviewers: [{ query: `/users/${id('priya.nair')}`, queryType: 'MicrosoftGraph' }],
        // With recommendations on, Recommendation (our default) would decide every item: None decides none.
        settings: {
          instanceDurationInDays: 1,
          recommendationsEnabled: true,
          defaultDecisionEnabled: true,
          defaultDecision: 'NONE',
        },
      },
    });
    expect(definition.settings.defaultDecision).toBe('None');
    await app.rt.waitForIdle();
    const [instance] = (await app.json<{ value: Instance[] }>(`${REVIEWS}/${definition.id}/instances`, ADMIN))
      .value;
    expect(instance?.status).toBe('InProgress');
    const url = `${REVIEWS}/${definition.id}/instances/${instance?.id}`;
    const items = async () => (await app.json<{ value: Decision[] }>(`${url}/decisions`, ADMIN)).value;
    const byPrincipal = (all: Decision[], principalId: string) =>
      all.find((d) => d.principal.id === principalId);

    const before = await items();
    expect(before.map((d) => d.principal.id).sort()).toEqual([ava, grace, PAYROLL_GROUP].sort());
    for (const item of before)
      expect(item).toMatchObject({
        accessReviewId: instance?.id,
        decision: 'NotReviewed',
        reviewedBy: NOBODY,
        reviewedDateTime: null,
        appliedBy: NOBODY,
        appliedDateTime: null,
      });
    const avaItem = byPrincipal(before, ava);
    const decided = await app.api(`${url}/decisions/${avaItem?.id}`, {
      ...as('priya.nair'),
      method: 'PATCH',
      body: { decision: 'deny', justification: 'Moved team' },
    });
    expect(decided.status, await decided.clone().text()).toBe(204);

    await app.rt.advance('P1D');
    await app.rt.waitForIdle();
    expect((await app.json<Instance>(url, ADMIN)).status).toBe('Completed');
    const ended = await items();
    for (const undecided of [grace, PAYROLL_GROUP])
      expect(byPrincipal(ended, undecided)).toMatchObject({ decision: 'NotReviewed', reviewedBy: NOBODY });
    expect(byPrincipal(ended, ava)).toMatchObject({ decision: 'Deny', reviewedBy: { id: id('priya.nair') } });

    const applied = await app.api(`${url}/applyDecisions`, { ...ADMIN, method: 'POST' });
    expect(applied.status, await applied.clone().text()).toBe(204);
    expect(await applied.text()).toBe('');
    await app.rt.waitForIdle();
    expect((await app.json<Instance>(url, ADMIN)).status).toBe('Applied');
    const after = await items();
    expect(byPrincipal(after, ava)).toMatchObject({
      applyResult: 'AppliedSuccessfully',
      appliedBy: { id: DEMO.admin },
    });
    expect(byPrincipal(after, PAYROLL_GROUP)).toMatchObject({ applyResult: 'New', appliedBy: NOBODY });
    expect(byPrincipal(after, grace)).toMatchObject({
      applyResult: 'New',
      appliedBy: NOBODY,
      appliedDateTime: null,
    });
    // Grace's eligibility, never decided, is untouched; Ava's ended.
    const schedules = async (principalId: string) =>
      (
        await app.json<{ value: unknown[] }>(
          `${BASE}/eligibilitySchedules?$filter=principalId eq '${principalId}'`,
          ADMIN,
        )
      ).value;
    expect(await schedules(grace)).toHaveLength(1);
    expect(await schedules(ava)).toHaveLength(0);
  });
});
