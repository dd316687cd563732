/**
 * Groups under management (add with its baseline, list with paging, get, delete) and who may do what: admins
 * manage everything, an active owner of a managed group manages its settings (and only its), auditors read and
 * change nothing, everyone else 403, no token 401.
 */
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupNotManagedError } from '../../shared/policies/role-settings-source';
import { waitFor } from '../helpers';
import { DEMO, startPimApp, type ApiCall, type PimApp } from '../pim-harness';
import {
  ADMIN,
  AUDITOR,
  CLOUD_OPS_GROUP,
  expectProblem,
  FINANCE_GROUP,
  FINANCE_OWNER,
  HELPDESK_OWNER,
  manage,
  patch,
  PLAIN_USER,
  policyIdOf,
  roleSettings,
  rule,
  scopeFilter,
  T,
} from './policy-helpers';

const G = DEMO.helpdeskGroup;
const DYNAMIC_GROUP = '0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
let app: PimApp;

interface ManagedGroupView {
  id: string;
  groupId: string;
  displayName: string;
  managedSince: string;
  managedBy: string;
  roles: string[];
  policyIds: { member: string; owner: string };
  baselineMembers?: { id: string; type: string }[];
  baselineOwners?: { id: string; type: string }[];
}

beforeAll(async () => {
  app = await startPimApp();
  app.dev.graph.state.change((t) => {
    t.groups.push({
      id: DYNAMIC_GROUP,
      displayName: 'All London staff (dynamic)',
      description: null,
      mailNickname: 'AllLondon',
      mail: null,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: ['DynamicMembership'],
      isAssignableToRole: false,
      visibility: null,
      members: [],
      owners: [],
      createdDateTime: '2025-01-01T00:00:00Z',
    });
  });
});
afterAll(async () => {
  await app?.stop();
});

describe('managed groups', () => {
  it('refuses bad input, unknown and dynamic groups, and non-admins, changing nothing', async () => {
    await expectProblem(await app.api('managedGroups', { body: { groupId: G } }), 401);
    await expectProblem(await manage(app, G, HELPDESK_OWNER), 403);
    await expectProblem(await manage(app, G, AUDITOR), 403);
    await expectProblem(
      await app.api('managedGroups', { ...ADMIN, body: { groupId: 'helpdesk' } }),
      400,
      /groupId/,
    );
    await expectProblem(
      await app.api('managedGroups', { ...ADMIN, body: { groupId: G, roles: ['owner'] } }),
      400,
    );
    await expectProblem(await app.api('managedGroups', { ...ADMIN, body: {} }), 400);
    await expectProblem(await manage(app, '0badf00d-0000-4000-8000-000000000003'), 404, /No group/);
    await expectProblem(await manage(app, DYNAMIC_GROUP), 400, /dynamic membership/);
    const list = await app.json<{ value: unknown[] }>('managedGroups', ADMIN);
    expect(list.value).toEqual([]);
  });

  it('brings a group under management with its baseline, its two policies and an audit record', async () => {
    const res = await manage(app, G);
    expect(res.status, await res.clone().text()).toBe(201);
    const group = (await res.json()) as ManagedGroupView;
    expect(res.headers.get('location')).toMatch(new RegExp(`/api/managedGroups/${G}$`));
    expect(group).toMatchObject({
      id: G,
      groupId: G,
      displayName: 'Helpdesk Admin-Group',
      managedBy: DEMO.admin,
    });
    expect(group.roles).toEqual(['member', 'owner']);
    expect(group.baselineMembers?.map((m) => m.id).sort()).toEqual(app.groupMembers(G, 'members').sort());
    expect(group.baselineOwners?.map((m) => m.id).sort()).toEqual(app.groupMembers(G, 'owners').sort());
    expect(group.policyIds.member).toBe(await policyIdOf(app, G, 'member'));
    expect(group.policyIds.owner).toBe(await policyIdOf(app, G, 'owner'));

    await expectProblem(await manage(app, G), 409, /already under management/);

    const audit = await app.json<{ value: { activityDisplayName: string; operationType: string }[] }>(
      `auditLogs?$filter=${encodeURIComponent("category eq 'GroupManagement'")}&groupId=${G}`,
      ADMIN,
    );
    expect(audit.value).toEqual([
      expect.objectContaining({
        activityDisplayName: 'Bring group under PIM management',
        operationType: 'Add',
      }),
    ]);
  });

  it('lists managed groups by name, page by page, for admins and auditors only', async () => {
    for (const id of [FINANCE_GROUP, CLOUD_OPS_GROUP]) expect((await manage(app, id)).status).toBe(201);
    const names: string[] = [];
    let url: string | undefined = 'managedGroups?$top=1';
    let pages = 0;
    while (url) {
      const page: { value: ManagedGroupView[]; '@odata.nextLink'?: string } = await app.json(url, AUDITOR);
      expect(page.value.length).toBeLessThanOrEqual(1);
      names.push(...page.value.map((g) => g.displayName));
      expect(page.value[0]).not.toHaveProperty('baselineMembers');
      url = page['@odata.nextLink']?.replace(/^.*\/api\//, '');
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(names).toEqual(['Cloud Ops', 'Finance Approvers', 'Helpdesk Admin-Group']);
    await expectProblem(await app.api('managedGroups', PLAIN_USER), 403);
    await expectProblem(await app.api('managedGroups', HELPDESK_OWNER), 403);
    await expectProblem(await app.api('managedGroups'), 401);
    await expectProblem(await app.api('managedGroups?$top=0', ADMIN), 400, /\$top/);
    await expectProblem(await app.api('managedGroups?$skiptoken=***', ADMIN), 400, /skiptoken/);
    await expectProblem(await app.api('managedGroups?$orderby=displayName', ADMIN), 400, /\$orderby/);
  });

  it('shows one managed group to admins, auditors and its active owners', async () => {
    for (const call of [ADMIN, AUDITOR, HELPDESK_OWNER]) {
      const g = await app.json<ManagedGroupView>(`managedGroups/${G}`, call);
      expect(g.baselineOwners?.length).toBe(2);
    }
    await expectProblem(await app.api(`managedGroups/${G}`, FINANCE_OWNER), 403);
    await expectProblem(await app.api(`managedGroups/${G}`, PLAIN_USER), 403);
    await expectProblem(await app.api(`managedGroups/${DYNAMIC_GROUP}`, ADMIN), 404);
    await expectProblem(await app.api('managedGroups/not-a-guid', ADMIN), 400);
  });
});

describe('who may read and change role settings', () => {
  const body = (maximumDuration: string) => ({ '@odata.type': T.expiration, maximumDuration });
  const expiry = async (policyId: string) =>
    (await rule(app, policyId, 'Expiration_EndUser_Assignment')).maximumDuration;

  it('lets an admin and an active owner of the group change it, and nobody else', async () => {
    const helpdesk = await policyIdOf(app, G, 'owner');
    const finance = await policyIdOf(app, FINANCE_GROUP, 'member');
    expect((await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT2H'))).status).toBe(204);
    expect(await expiry(helpdesk)).toBe('PT2H');
    // Sofia owns the Helpdesk group: she may change its settings...
    expect(
      (await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT3H'), HELPDESK_OWNER)).status,
    ).toBe(204);
    expect(await expiry(helpdesk)).toBe('PT3H');
    // ...but not Finance Approvers', which Priya owns (and Priya not Helpdesk's).
    await expectProblem(
      await patch(app, finance, 'Expiration_EndUser_Assignment', body('PT1H'), HELPDESK_OWNER),
      403,
    );
    expect(
      (await patch(app, finance, 'Expiration_EndUser_Assignment', body('PT1H'), FINANCE_OWNER)).status,
    ).toBe(204);
    await expectProblem(
      await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT1H'), FINANCE_OWNER),
      403,
    );
    // Auditors read, never write; plain users do neither; no token is 401.
    await expectProblem(
      await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT1H'), AUDITOR),
      403,
    );
    await expectProblem(
      await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT1H'), PLAIN_USER),
      403,
    );
    await expectProblem(await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT1H'), {}), 401);
    expect(await expiry(helpdesk)).toBe('PT3H');
    expect(await expiry(finance)).toBe('PT1H');
  });

  it('lets admins, auditors and active owners read, and refuses everyone else', async () => {
    const helpdesk = await policyIdOf(app, G, 'member');
    const reads = [
      `policies/roleManagementPolicies?$filter=${scopeFilter(G)}&$expand=rules`,
      `policies/roleManagementPolicies/${helpdesk}?$expand=rules`,
      `policies/roleManagementPolicies/${helpdesk}/rules`,
      `policies/roleManagementPolicies/${helpdesk}/rules/Approval_EndUser_Assignment`,
      `policies/roleManagementPolicyAssignments?$filter=${scopeFilter(G, 'member')}`,
    ];
    const allowed: ApiCall[] = [ADMIN, AUDITOR, HELPDESK_OWNER];
    for (const url of reads) {
      for (const call of allowed) expect((await app.api(url, call)).status, `${url} as ${call.as}`).toBe(200);
      await expectProblem(await app.api(url, FINANCE_OWNER), 403);
      await expectProblem(await app.api(url, PLAIN_USER), 403);
      await expectProblem(await app.api(url), 401);
    }
  });

  it("lets whoever holds a role read that role's settings (its policy assignment), and nothing more", async () => {
    const member = await policyIdOf(app, G, 'member');
    const owner = await policyIdOf(app, G, 'owner');
    const holder = app.user('liam.obrien');
    const asHolder: ApiCall = { as: holder.userPrincipalName };
    const memberAssignment = `policies/roleManagementPolicyAssignments?$filter=${scopeFilter(G, 'member')}&$expand=policy($expand=rules)`;
    await expectProblem(await app.api(memberAssignment, asHolder), 403);
    const made = await app.api('identityGovernance/privilegedAccess/group/eligibilityScheduleRequests', {
      ...ADMIN,
      method: 'POST',
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: G,
        principalId: holder.id,
        justification: 'reads its settings',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
      },
    });
    expect(made.status).toBe(201);
    await waitFor('the eligibility', async () =>
      (await app.api(memberAssignment, asHolder)).status === 200 ? true : undefined,
    );
    const read = (await (await app.api(memberAssignment, asHolder)).json()) as {
      value: { policy: { id: string; rules: unknown[] } }[];
    };
    expect(read.value[0]?.policy.id).toBe(member);
    expect(read.value[0]?.policy.rules.length).toBeGreaterThan(10);
    expect(
      (await app.api(`policies/roleManagementPolicyAssignments/${member}_member`, asHolder)).status,
    ).toBe(200);
    // Not the other role's, not the group's policies as a whole, and no change.
    await expectProblem(
      await app.api(`policies/roleManagementPolicyAssignments?$filter=${scopeFilter(G, 'owner')}`, asHolder),
      403,
    );
    await expectProblem(await app.api(`policies/roleManagementPolicies/${owner}`, asHolder), 403);
    await expectProblem(
      await app.api(`policies/roleManagementPolicies?$filter=${scopeFilter(G)}`, asHolder),
      403,
    );
    await expectProblem(
      await patch(app, member, 'Expiration_EndUser_Assignment', body('PT1H'), asHolder),
      403,
    );
  });

  it('follows ownership in Graph: an owner who is removed loses access at once', async () => {
    const helpdesk = await policyIdOf(app, G, 'owner');
    const sofia = app.user('sofia.rossi').id;
    app.dev.graph.state.change((t) => {
      const g = t.groups.find((x) => x.id === G);
      if (g) g.owners = g.owners.filter((o) => o !== sofia);
    });
    try {
      await expectProblem(
        await patch(app, helpdesk, 'Expiration_EndUser_Assignment', body('PT1H'), HELPDESK_OWNER),
        403,
      );
      await expectProblem(await app.api(`policies/roleManagementPolicies/${helpdesk}`, HELPDESK_OWNER), 403);
    } finally {
      app.dev.graph.state.change((t) => {
        t.groups.find((x) => x.id === G)?.owners.push(sofia);
      });
    }
    expect((await app.api(`policies/roleManagementPolicies/${helpdesk}`, HELPDESK_OWNER)).status).toBe(200);
  });

  it('gives the owners of a group not under management nothing', async () => {
    // Marcus owns SRE On-Call, which isn't managed.
    const sre = 'da21b0b8-a527-4b3f-a29b-9d7ddf61cb44';
    await expectProblem(
      await app.api(`policies/roleManagementPolicies?$filter=${scopeFilter(sre)}`, {
        as: 'marcus.johnson@pimflow.example',
      }),
      403,
    );
  });
});

describe('removing a group from management', () => {
  it('is for admins only; removes the policies; the RoleSettingsSource then says the group is not managed', async () => {
    const old = await policyIdOf(app, CLOUD_OPS_GROUP, 'member');
    expect((await roleSettings(app, CLOUD_OPS_GROUP, 'member')).accessId).toBe('member');
    await expectProblem(
      await app.api(`managedGroups/${CLOUD_OPS_GROUP}`, { ...AUDITOR, method: 'DELETE' }),
      403,
    );
    await expectProblem(
      await app.api(`managedGroups/${CLOUD_OPS_GROUP}`, {
        as: 'marcus.johnson@pimflow.example',
        method: 'DELETE',
      }),
      403,
    );
    expect((await app.api(`managedGroups/${CLOUD_OPS_GROUP}`, { ...ADMIN, method: 'DELETE' })).status).toBe(
      204,
    );
    await expectProblem(
      await app.api(`managedGroups/${CLOUD_OPS_GROUP}`, { ...ADMIN, method: 'DELETE' }),
      404,
    );
    await expectProblem(await app.api(`managedGroups/${CLOUD_OPS_GROUP}`, ADMIN), 404);
    await expectProblem(await app.api(`policies/roleManagementPolicies/${old}`, ADMIN), 404);
    const none = await app.json<{ value: unknown[] }>(
      `policies/roleManagementPolicies?$filter=${scopeFilter(CLOUD_OPS_GROUP)}`,
      ADMIN,
    );
    expect(none.value).toEqual([]);

    const err = await roleSettings(app, CLOUD_OPS_GROUP, 'member').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GroupNotManagedError);
    expect((err as Error).name).toBe('GroupNotManagedError');
    expect(
      await roleSettings(app, '0badf00d-0000-4000-8000-000000000004', 'owner').catch((e: Error) => e.name),
    ).toBe('GroupNotManagedError');

    // Brought back, it starts again from PIM's defaults, with new policy ids.
    expect((await manage(app, CLOUD_OPS_GROUP)).status).toBe(201);
    const fresh = await policyIdOf(app, CLOUD_OPS_GROUP, 'member');
    expect(fresh).not.toBe(old);
    expect((await rule(app, fresh, 'Expiration_EndUser_Assignment')).maximumDuration).toBe('PT8H');

    const audit = await app.json<{ value: { operationType: string }[] }>(
      `auditLogs?$filter=${encodeURIComponent("category eq 'GroupManagement'")}&groupId=${CLOUD_OPS_GROUP}`,
      AUDITOR,
    );
    expect(audit.value.map((a) => a.operationType)).toEqual(['Add', 'Delete', 'Add']);
  });

  it('finishes a removal that died half-way: a retried DELETE clears what was left, and re-adding starts from defaults', async () => {
    const policyId = await policyIdOf(app, FINANCE_GROUP, 'member');
    const res = await patch(app, policyId, 'Expiration_EndUser_Assignment', {
      '@odata.type': T.expiration,
      maximumDuration: 'PT2H',
    });
    expect(res.status, await res.clone().text()).toBe(204);
    // The process died right after the group document was deleted: its policies are still there.
    const db = new CosmosClient({ endpoint: app.dev.cosmos.endpoint, key: app.dev.cosmos.key }).database(
      'pimflow',
    );
    await db.container('managedGroups').item(FINANCE_GROUP, FINANCE_GROUP).delete();
    await expectProblem(await app.api(`managedGroups/${FINANCE_GROUP}`, { ...ADMIN, method: 'DELETE' }), 404);
    await expectProblem(await app.api(`policies/roleManagementPolicies/${policyId}`, ADMIN), 404);
    expect((await manage(app, FINANCE_GROUP)).status).toBe(201);
    const fresh = await policyIdOf(app, FINANCE_GROUP, 'member');
    expect((await rule(app, fresh, 'Expiration_EndUser_Assignment')).maximumDuration).toBe('PT8H');
  });
});
