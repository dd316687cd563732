/**
 * OData as Graph clients send it, through the HTTP API: `$select`, `$expand` (principal, group, roleDefinition,
 * targetSchedule, activatedUsing, a policy's rules with a nested `$select`), `$count=true` with paging, `$orderby`
 * both ways, `$filter` with `ne` on status, the absolute `@odata.context` on lists, GET by id and POST answers, and
 * a 400 naming what is allowed for every option that isn't.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorMessage } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, makeEligible, manageGroup } from './pim-scenario';

const GROUP = DEMO.helpdeskGroup;
const ROLES = 'roleManagement/directory';
const APPLICATION_ADMINISTRATOR = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
const PEOPLE = ['liam.obrien', 'grace.okafor', 'leo.fischer'];
let app: PimApp;
let metadata: string;

type Item = Record<string, unknown>;
interface Collection {
  '@odata.context': string;
  '@odata.count'?: number;
  '@odata.nextLink'?: string;
  value: Item[];
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  metadata = `${app.rt.urls.api}/$metadata#`;
  await manageGroup(app, GROUP);
  for (const upn of PEOPLE) {
    await makeEligible(app, GROUP, app.user(upn).id, 'member');
    await app.rt.advance('PT1M'); // distinct createdDateTimes, for $orderby
  }
  const res = await app.api('managedRoles', {
    ...ADMIN,
    body: { roleDefinitionId: APPLICATION_ADMINISTRATOR },
  });
  expect([201, 409], await res.clone().text()).toContain(res.status);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const q = (path: string, options: Record<string, string>) =>
  `${path}?${Object.entries(options)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;

async function refused(path: string): Promise<string> {
  const res = await app.api(path, ADMIN);
  expect(res.status, await res.clone().text()).toBe(400);
  return apiErrorMessage(await res.json());
}

describe('$select', () => {
  it('answers only the properties named (and id), and says so in an absolute @odata.context', async () => {
    const list = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleRequests`, { $select: 'status,principalId' }),
      ADMIN,
    );
    expect(list['@odata.context']).toBe(
      `${metadata}identityGovernance/privilegedAccess/group/eligibilityScheduleRequests(status,principalId)`,
    );
    expect(list.value).toHaveLength(PEOPLE.length);
    for (const item of list.value) expect(Object.keys(item).sort()).toEqual(['id', 'principalId', 'status']);
    const all = await app.json<Collection>(q(`${BASE}/eligibilityScheduleRequests`, { $select: '*' }), ADMIN);
    expect(all['@odata.context']).toBe(
      `${metadata}identityGovernance/privilegedAccess/group/eligibilityScheduleRequests`,
    );
    expect(all.value[0]).toHaveProperty('justification');
  });

  it('refuses a property the resource has not, naming it and the ones it has', async () => {
    const message = await refused(q(`${BASE}/eligibilityScheduleRequests`, { $select: 'status,colour' }));
    expect(message).toMatch(/colour/);
    expect(message).toMatch(/justification/);
  });
});

describe('$count and $orderby', () => {
  it('counts every item matching the filter, not the page, on every page', async () => {
    const first = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleRequests`, {
        $count: 'true',
        $top: '1',
        $filter: `groupId eq '${GROUP}'`,
      }),
      ADMIN,
    );
    expect(first['@odata.count']).toBe(PEOPLE.length);
    expect(first.value).toHaveLength(1);
    expect(first['@odata.nextLink']).toBeDefined();
    const next = await app.json<Collection>(
      (first['@odata.nextLink'] as string).slice(app.rt.urls.api.length + 1),
      ADMIN,
    );
    expect(next['@odata.count']).toBe(PEOPLE.length);
    const liam = app.user('liam.obrien').id;
    const one = await app.json<Collection>(
      q(`${BASE}/eligibilitySchedules`, { $count: 'true', $filter: `principalId eq '${liam}'` }),
      ADMIN,
    );
    expect(one['@odata.count']).toBe(1);
    const none = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleRequests`, { $count: 'false' }),
      ADMIN,
    );
    expect(none).not.toHaveProperty('@odata.count');
  });

  it('orders ascending and descending, across pages', async () => {
    const order = async (direction: string) => {
      const ids: string[] = [];
      let path: string | undefined = q(`${BASE}/eligibilityScheduleRequests`, {
        $orderby: `createdDateTime ${direction}`,
        $top: '2',
      });
      while (path) {
        const page: Collection = await app.json<Collection>(path, ADMIN);
        ids.push(...page.value.map((v) => v.principalId as string));
        const link = page['@odata.nextLink'];
        path = link?.slice(app.rt.urls.api.length + 1);
      }
      return ids;
    };
    const made = PEOPLE.map((p) => app.user(p).id);
    expect(await order('asc')).toEqual(made);
    expect(await order('desc')).toEqual([...made].reverse());
    const instances = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleInstances`, { $orderby: 'startDateTime' }),
      ADMIN,
    );
    expect(instances.value.map((v) => v.principalId)).toEqual(made);
  });

  it('refuses a field it cannot order by, naming those it can', async () => {
    expect(await refused(q(`${BASE}/eligibilityScheduleRequests`, { $orderby: 'justification' }))).toMatch(
      /createdDateTime/,
    );
    expect(await refused(q(`${BASE}/eligibilityScheduleRequests`, { $count: 'yes' }))).toMatch(
      /true or false/,
    );
  });
});

describe('$filter on status', () => {
  it('takes eq in any casing and ne, on requests and schedules', async () => {
    // Henry assigned for a month, Grace for an hour (expired, still listed), Zoe from tomorrow (not started).
    const zoe = app.user('zoe.anderson');
    const tomorrow = new Date(app.rt.clock.now().getTime() + 86_400_000).toISOString();
    for (const [upn, duration, startDateTime] of [
      ['henry.taylor', 'P30D', undefined],
      ['grace.okafor', 'PT1H', undefined],
      ['zoe.anderson', 'P1D', tomorrow],
    ] as const) {
      const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
        ...ADMIN,
        body: {
          action: 'adminAssign',
          accessId: 'member',
          groupId: GROUP,
          principalId: app.user(upn).id,
          justification: 'cover',
          scheduleInfo: { startDateTime, expiration: { type: 'afterDuration', duration } },
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      await app.rt.waitForIdle();
    }
    await app.rt.advance('PT2H');
    for (const collection of ['assignmentScheduleRequests', 'assignmentSchedules']) {
      const all = (await app.json<Collection>(`${BASE}/${collection}`, ADMIN)).value;
      expect(new Set(all.map((v) => v.status)).size, JSON.stringify(all)).toBeGreaterThan(1);
      const status = all[0]?.status as string;
      const eq = await app.json<Collection>(
        q(`${BASE}/${collection}`, { $filter: `status eq '${status.toLowerCase()}'` }),
        ADMIN,
      );
      const ne = await app.json<Collection>(
        q(`${BASE}/${collection}`, { $filter: `status ne '${status}'`, $count: 'true' }),
        ADMIN,
      );
      expect(eq.value.map((v) => v.id).sort()).toEqual(
        all
          .filter((v) => v.status === status)
          .map((v) => v.id)
          .sort(),
      );
      expect(ne.value.map((v) => v.id).sort()).toEqual(
        all
          .filter((v) => v.status !== status)
          .map((v) => v.id)
          .sort(),
      );
      expect(ne['@odata.count']).toBe(ne.value.length);
    }
    const provisioned = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleRequests`, { $filter: "status ne 'Provisioned'" }),
      ADMIN,
    );
    expect(provisioned.value).toEqual([]);
    expect(
      await refused(q(`${BASE}/eligibilityScheduleRequests`, { $filter: `principalId ne '${zoe.id}'` })),
    ).toMatch(/principalId eq 'value'/);
  });
});

describe('$expand', () => {
  it('expands principal (with a nested $select), group and targetSchedule on group requests', async () => {
    const list = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleRequests`, {
        $expand: 'principal($select=displayName),group,targetSchedule',
        $select: 'status',
      }),
      ADMIN,
    );
    expect(list['@odata.context']).toBe(
      `${metadata}identityGovernance/privilegedAccess/group/eligibilityScheduleRequests(status,principal(displayName),group(),targetSchedule())`,
    );
    const liam = app.user('liam.obrien');
    const item = list.value.find((v) => (v.principal as Item).id === liam.id) as Item;
    expect(item.principal).toEqual({
      '@odata.type': '#microsoft.graph.user',
      id: liam.id,
      displayName: liam.displayName,
    });
    expect((item.group as Item).id).toBe(GROUP);
    // The schedule a request made has Graph's group schedule id: {groupId}_{accessId}_{the request's id}.
    expect(item.targetSchedule).toMatchObject({
      id: `${GROUP}_member_${item.id as string}`,
      principalId: liam.id,
      status: 'Provisioned',
    });
    expect(Object.keys(item).sort()).toEqual(['group', 'id', 'principal', 'status', 'targetSchedule']);
  });

  it('reads each related object once per page, however many items name it', async () => {
    const before = app.dev.graph.requestCounts().requests;
    const list = await app.json<Collection>(
      q(`${BASE}/eligibilityScheduleRequests`, { $expand: 'group', $filter: `groupId eq '${GROUP}'` }),
      ADMIN,
    );
    expect(list.value).toHaveLength(PEOPLE.length);
    expect(app.dev.graph.requestCounts().requests - before).toBe(1);
  });

  it('refuses an expansion it has not, and an option it takes not inside one', async () => {
    const message = await refused(q(`${BASE}/eligibilityScheduleRequests`, { $expand: 'approval' }));
    expect(message).toMatch(/approval/);
    expect(message).toMatch(/principal, targetSchedule, group/);
    expect(await refused(q(`${BASE}/eligibilityScheduleRequests`, { $expand: 'constructor' }))).toMatch(
      /constructor/,
    );
    expect(await refused(q(`${BASE}/eligibilityScheduleRequests`, { $expand: 'principal(' }))).toMatch(
      /Unbalanced/,
    );
    expect(await refused(q(`${BASE}/eligibilityScheduleRequests`, { $expand: 'principal($top=1)' }))).toMatch(
      /\$select/,
    );
    expect(
      await refused(q(`${BASE}/eligibilityScheduleRequests`, { $expand: 'principal($select=shoeSize)' })),
    ).toMatch(/shoeSize.*userPrincipalName/);
  });

  it('expands principal, roleDefinition and activatedUsing on Entra role requests, schedules and instances', async () => {
    const olivia = app.user('olivia.carter');
    const eligible = await app.api(`${ROLES}/roleEligibilityScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'adminAssign',
        principalId: olivia.id,
        roleDefinitionId: APPLICATION_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'app owners rota',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    const eligibility = (await eligible.json()) as Item;
    expect(eligibility['@odata.context']).toBe(
      `${metadata}roleManagement/directory/roleEligibilityScheduleRequests/$entity`,
    );
    await app.rt.waitForIdle();
    const me = { as: olivia.userPrincipalName, amr: ['pwd', 'mfa'] };
    const activated = await app.api(`${ROLES}/roleAssignmentScheduleRequests`, {
      ...me,
      body: {
        action: 'selfActivate',
        principalId: olivia.id,
        roleDefinitionId: APPLICATION_ADMINISTRATOR,
        directoryScopeId: '/',
        justification: 'app registration fix',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT2H' } },
      },
    });
    expect(activated.status, await activated.clone().text()).toBe(201);
    const activation = (await activated.json()) as Item;
    expect(activation['@odata.context']).toBe(
      `${metadata}roleManagement/directory/roleAssignmentScheduleRequests/$entity`,
    );
    await app.rt.waitForIdle();

    const requests = await app.json<Collection>(
      q(`${ROLES}/roleAssignmentScheduleRequests`, {
        $filter: `principalId eq '${olivia.id}'`,
        $expand: 'principal,roleDefinition',
      }),
      ADMIN,
    );
    expect(requests.value).toHaveLength(1);
    expect(requests.value[0]).toMatchObject({
      id: activation.id,
      principal: { id: olivia.id, userPrincipalName: olivia.userPrincipalName },
      roleDefinition: { id: APPLICATION_ADMINISTRATOR, displayName: 'Application Administrator' },
    });

    const instances = await app.json<Collection>(
      q(`${ROLES}/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')`, {
        $expand: 'activatedUsing($select=id,roleDefinitionId)',
        $count: 'true',
      }),
      me,
    );
    expect(instances['@odata.count']).toBe(1);
    expect(instances.value[0]?.activatedUsing).toEqual({
      id: eligibility.id,
      roleDefinitionId: APPLICATION_ADMINISTRATOR,
    });

    for (const [filter, count] of [
      ["assignmentType eq 'Activated' and memberType eq 'direct'", 1],
      ["assignmentType ne 'activated'", 0],
    ] as const) {
      const matching = await app.json<Collection>(
        q(`${ROLES}/roleAssignmentScheduleInstances`, {
          $filter: `principalId eq '${olivia.id}' and ${filter}`,
          $count: 'true',
        }),
        ADMIN,
      );
      expect(matching['@odata.count'], filter).toBe(count);
    }

    const byId = await app.json<Item>(
      q(`${ROLES}/roleAssignmentScheduleRequests/${activation.id as string}`, {
        $select: 'status',
        $expand: 'targetSchedule($select=id)',
      }),
      me,
    );
    expect(byId).toEqual({
      '@odata.context': `${metadata}roleManagement/directory/roleAssignmentScheduleRequests(status,targetSchedule(id))/$entity`,
      id: activation.id,
      status: 'Provisioned',
      targetSchedule: { id: activation.id },
    });
    const schedule = await app.json<Item>(`${ROLES}/roleAssignmentSchedules/${activation.id as string}`, me);
    expect(schedule['@odata.context']).toBe(
      `${metadata}roleManagement/directory/roleAssignmentSchedules/$entity`,
    );
    const res = await app.api(`${ROLES}/roleAssignmentSchedules/${activation.id as string}?$top=1`, me);
    expect(res.status).toBe(400);
    expect(apiErrorMessage(await res.json())).toMatch(/\$top.*\$select, \$expand/);
  });
});

describe('role management policies', () => {
  const filter = `scopeId eq '${GROUP}' and scopeType eq 'Group'`;

  it("expands rules with a nested $select, as Graph's own example does", async () => {
    const list = await app.json<Collection>(
      q('policies/roleManagementPolicies', { $filter: filter, $expand: 'rules($select=id)' }),
      ADMIN,
    );
    expect(list['@odata.context']).toBe(`${metadata}policies/roleManagementPolicies(rules(id))`);
    expect(list.value.length).toBeGreaterThan(0);
    for (const policy of list.value) {
      const rules = policy.rules as Item[];
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) expect(Object.keys(rule).sort()).toEqual(['@odata.type', 'id']);
    }
    const policyId = list.value[0]?.id as string;
    const one = await app.json<Item>(
      q(`policies/roleManagementPolicies/${policyId}`, { $select: 'displayName', $expand: 'effectiveRules' }),
      ADMIN,
    );
    expect(one['@odata.context']).toBe(
      `${metadata}policies/roleManagementPolicies(displayName,effectiveRules())/$entity`,
    );
    expect(Object.keys(one).sort()).toEqual(['@odata.context', 'displayName', 'effectiveRules', 'id']);
    const assignments = await app.json<Collection>(
      q('policies/roleManagementPolicyAssignments', {
        $filter: filter,
        $expand: 'policy($select=id;$expand=rules($select=id))',
      }),
      ADMIN,
    );
    const policy = assignments.value[0]?.policy as Item;
    expect(Object.keys(policy).sort()).toEqual(['id', 'rules']);
    expect((policy.rules as Item[])[0]).toHaveProperty('id');
    expect(
      await refused(q('policies/roleManagementPolicies', { $filter: filter, $expand: 'owners' })),
    ).toMatch(/rules, effectiveRules/);
  });
});
