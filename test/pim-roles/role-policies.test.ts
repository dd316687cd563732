/**
 * Role settings of Microsoft Entra roles through the Graph-shaped policies API: a managed role's policy
 * (`DirectoryRole_{tenantId}_{guid}` at scope `/`) listed, filtered and expanded, its defaults as seed 002's
 * tables, its policy assignment, rule PATCHes (maximum duration, approval with and without approvers, groupOwners
 * refused) read back through the RoleSettingsSource, audited, and who may read or change them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import {
  ADMIN,
  AUDITOR,
  expectProblem,
  HELPDESK_OWNER,
  mustPatch,
  patch,
  rule,
  rules,
  RULE_IDS,
  T,
  type Policy,
  type Rule,
} from '../pim-policy/policy-helpers';

const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
const DIRECTORY = "scopeId eq '/' and scopeType eq 'DirectoryRole'";
const q = (filter: string) => encodeURIComponent(filter);

let app: PimApp;
let helpdeskPolicy: string;
let readerPolicy: string;

async function manageRole(roleDefinitionId: string): Promise<string> {
  const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { policyId: string }).policyId;
}

const settingsOf = async (roleDefinitionId: string) =>
  (await app.services()).roleSettings.get('/', roleDefinitionId, 'directoryRole');

beforeAll(async () => {
  app = await startPimApp();
  helpdeskPolicy = await manageRole(HELPDESK_ADMINISTRATOR);
  readerPolicy = await manageRole(SECURITY_READER);
});
afterAll(async () => {
  await app?.stop();
});

describe('policies of directory roles', () => {
  it("lists the managed roles' policies at scope / with $expand=rules, with Graph's ids and shape", async () => {
    const list = await app.json<{ value: Policy[] }>(
      `policies/roleManagementPolicies?$filter=${q(DIRECTORY)}&$expand=rules`,
      ADMIN,
    );
    expect(list.value.map((p) => p.id).sort()).toEqual([helpdeskPolicy, readerPolicy].sort());
    for (const policy of list.value) {
      expect(policy.id).toMatch(new RegExp(`^DirectoryRole_${DEMO.tenantId}_[0-9a-f-]{36}$`));
      expect(policy).toMatchObject({
        scopeId: '/',
        scopeType: 'DirectoryRole',
        displayName: 'DirectoryRole',
        description: 'DirectoryRole',
        isOrganizationDefault: false,
        lastModifiedBy: null,
      });
      expect(policy.rules?.map((r) => r.id).sort()).toEqual([...RULE_IDS].sort());
    }
    const bare = await app.json<{ value: Policy[] }>(
      `policies/roleManagementPolicies?$filter=${q(DIRECTORY)}`,
      ADMIN,
    );
    expect(bare.value).toHaveLength(2);
    expect(bare.value[0]).not.toHaveProperty('rules');
    const one = await app.json<Policy>(
      `policies/roleManagementPolicies/${helpdeskPolicy}?$expand=rules`,
      AUDITOR,
    );
    expect(one).toMatchObject({ id: helpdeskPolicy, scopeType: 'DirectoryRole' });
    expect(one.rules).toHaveLength(17);
    const rules = await app.json<{ value: Rule[] }>(
      `policies/roleManagementPolicies/${helpdeskPolicy}/rules`,
      ADMIN,
    );
    expect(rules.value).toHaveLength(17);
  });

  it("has seed 002's defaults: 8 h, justification, no ticket, no MFA, no approval, permanent allowed", async () => {
    // Seed 002's Activation, Assignment and three notification tables, as the rules say them.
    const seed002: Record<string, Record<string, unknown>> = {
      Expiration_EndUser_Assignment: { isExpirationRequired: true, maximumDuration: 'PT8H' },
      Enablement_EndUser_Assignment: { enabledRules: ['Justification'] },
      Approval_EndUser_Assignment: { setting: { isApprovalRequired: false, approvalMode: 'SingleStage' } },
      AuthenticationContext_EndUser_Assignment: { isEnabled: false },
      Expiration_Admin_Eligibility: { isExpirationRequired: false },
      Expiration_Admin_Assignment: { isExpirationRequired: false },
      Enablement_Admin_Assignment: { enabledRules: ['Justification'] },
    };
    const notification = {
      notificationLevel: 'All',
      isDefaultRecipientsEnabled: true,
      notificationRecipients: [],
    };
    const byId = new Map((await rules(app, helpdeskPolicy)).map((r) => [r.id, r]));
    for (const id of RULE_IDS) {
      const expected = seed002[id] ?? (id.startsWith('Notification_') ? notification : undefined);
      if (expected) expect(byId.get(id), id).toMatchObject(expected);
    }
    expect(byId.get('Expiration_EndUser_Assignment')?.target).toEqual({
      caller: 'EndUser',
      operations: ['All'],
      level: 'Assignment',
      inheritableSettings: [],
      enforcedSettings: [],
    });
    const s = await settingsOf(SECURITY_READER);
    expect(s.activation).toMatchObject({
      maximumDuration: 'PT8H',
      requireJustification: true,
      requireTicket: false,
      requireMfa: false,
      authenticationContext: null,
      requireApproval: false,
      approvers: [],
    });
    expect(s.eligibleAssignment.allowPermanent).toBe(true);
    expect(s.activeAssignment).toMatchObject({
      allowPermanent: true,
      requireMfa: false,
      requireJustification: true,
    });
    expect(s.notifications).toMatchObject({
      criticalOnly: false,
      defaultRecipientsEnabled: true,
      adminRecipients: [],
    });
  });

  it('serves policy assignments as Graph writes them for roles, filtered by roleDefinitionId', async () => {
    const all = await app.json<{ value: Record<string, unknown>[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${q(DIRECTORY)}`,
      ADMIN,
    );
    expect(all.value).toHaveLength(2);
    const filtered = await app.json<{ value: Record<string, unknown>[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${q(`${DIRECTORY} and roleDefinitionId eq '${HELPDESK_ADMINISTRATOR.toUpperCase()}'`)}`,
      AUDITOR,
    );
    expect(filtered.value).toEqual([
      {
        id: `${helpdeskPolicy}_${HELPDESK_ADMINISTRATOR}`,
        policyId: helpdeskPolicy,
        scopeId: '/',
        scopeType: 'DirectoryRole',
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
      },
    ]);
    const one = await app.json<{ policy: Policy }>(
      `policies/roleManagementPolicyAssignments/${helpdeskPolicy}_${HELPDESK_ADMINISTRATOR}?$expand=policy($expand=rules)`,
      ADMIN,
    );
    expect(one.policy.id).toBe(helpdeskPolicy);
    expect(one.policy.rules).toHaveLength(17);
    // A role that isn't managed has none; the wrong role in an assignment id is no assignment.
    const none = await app.json<{ value: unknown[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${q(`${DIRECTORY} and roleDefinitionId eq '62e90394-69f5-4237-9190-012177145e10'`)}`,
      ADMIN,
    );
    expect(none.value).toEqual([]);
    await expectProblem(
      await app.api(`policies/roleManagementPolicyAssignments/${helpdeskPolicy}_${SECURITY_READER}`, ADMIN),
      404,
    );
  });

  it('refuses filters that mix the kinds, and unknown policy ids', async () => {
    const bad = [
      "scopeId eq '/' and scopeType eq 'Group'",
      `scopeId eq '${DEMO.helpdeskGroup}' and scopeType eq 'DirectoryRole'`,
      "scopeId eq '/' and scopeType eq 'Directory'",
    ];
    for (const filter of bad) {
      await expectProblem(await app.api(`policies/roleManagementPolicies?$filter=${q(filter)}`, ADMIN), 400);
    }
    await expectProblem(
      await app.api(
        `policies/roleManagementPolicyAssignments?$filter=${q(`${DIRECTORY} and roleDefinitionId eq 'member'`)}`,
        ADMIN,
      ),
      400,
      /roleDefinitionId/,
    );
    await expectProblem(
      await app.api(
        `policies/roleManagementPolicies/DirectoryRole_${DEMO.tenantId}_00000000-0000-4000-8000-000000000000`,
        ADMIN,
      ),
      404,
    );
    const otherTenant = helpdeskPolicy.replace(DEMO.tenantId, '00000000-0000-4000-8000-000000000001');
    await expectProblem(await app.api(`policies/roleManagementPolicies/${otherTenant}`, ADMIN), 404);
  });
});

describe('rule PATCH on a directory role', () => {
  it('changes the activation maximum and approval, read back through the RoleSettingsSource, audited', async () => {
    await mustPatch(app, helpdeskPolicy, 'Expiration_EndUser_Assignment', {
      '@odata.type': T.expiration,
      maximumDuration: 'PT4H',
    });
    // Approval without approvers: the default approvers (Global and Privileged Role Administrators) decide.
    await mustPatch(app, helpdeskPolicy, 'Approval_EndUser_Assignment', {
      '@odata.type': T.approval,
      setting: {
        isApprovalRequired: true,
        approvalMode: 'SingleStage',
        approvalStages: [{ primaryApprovers: [] }],
      },
    });
    expect(await rule(app, helpdeskPolicy, 'Expiration_EndUser_Assignment')).toMatchObject({
      maximumDuration: 'PT4H',
    });
    let s = await settingsOf(HELPDESK_ADMINISTRATOR);
    expect(s.activation).toMatchObject({ maximumDuration: 'PT4H', requireApproval: true, approvers: [] });
    // The other role's policy didn't move.
    expect((await settingsOf(SECURITY_READER)).activation.maximumDuration).toBe('PT8H');

    const approver = app.user('olivia.carter');
    await mustPatch(app, helpdeskPolicy, 'Approval_EndUser_Assignment', {
      '@odata.type': T.approval,
      setting: {
        approvalStages: [
          { primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: approver.id }] },
        ],
      },
    });
    s = await settingsOf(HELPDESK_ADMINISTRATOR);
    expect(s.activation.approvers).toEqual([{ type: 'user', id: approver.id }]);

    const audit = await app.json<{
      value: {
        targetResources: { id: string; type: string; displayName: string | null }[];
        additionalDetails: { key: string; value: string }[];
      }[];
    }>(`auditLogs?$filter=${q("category eq 'RoleSettings'")}`, ADMIN);
    expect(audit.value).toHaveLength(3);
    for (const row of audit.value) {
      expect(row.targetResources).toContainEqual({
        id: HELPDESK_ADMINISTRATOR,
        displayName: 'Helpdesk Administrator',
        type: 'Role',
      });
    }
    expect(audit.value.flatMap((r) => r.additionalDetails)).toContainEqual({
      key: 'maximumDuration',
      value: '"PT8H" → "PT4H"',
    });
  });

  it('refuses groupOwners approvers, durations out of range and unknown approvers, changing nothing', async () => {
    const before = await rule(app, readerPolicy, 'Approval_EndUser_Assignment');
    const detail = await expectProblem(
      await patch(app, readerPolicy, 'Approval_EndUser_Assignment', {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            {
              primaryApprovers: [
                { '@odata.type': '#microsoft.graph.groupOwners', groupId: DEMO.helpdeskGroup },
              ],
            },
          ],
        },
      }),
      400,
      /groupOwners approvers .* a directory role has none/,
    );
    expect(detail).toMatch(/singleUser|groupMembers/);
    await expectProblem(
      await patch(app, readerPolicy, 'Expiration_EndUser_Assignment', {
        '@odata.type': T.expiration,
        maximumDuration: 'PT25H',
      }),
      400,
      /between 30 minutes/,
    );
    await expectProblem(
      await patch(app, readerPolicy, 'Approval_EndUser_Assignment', {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            {
              primaryApprovers: [
                {
                  '@odata.type': '#microsoft.graph.singleUser',
                  userId: '00000000-0000-4000-8000-00000000abcd',
                },
              ],
            },
          ],
        },
      }),
      400,
      /No user/,
    );
    await expectProblem(
      await patch(app, readerPolicy, 'Nope_Rule', { '@odata.type': T.expiration }),
      400,
      /not a rule of a directory role policy/,
    );
    expect(await rule(app, readerPolicy, 'Approval_EndUser_Assignment')).toEqual(before);
    expect((await settingsOf(SECURITY_READER)).activation.maximumDuration).toBe('PT8H');
  });

  it('lets admins change and auditors read; group owners and others get 403', async () => {
    const body = { '@odata.type': T.expiration, maximumDuration: 'PT2H' };
    await expectProblem(await patch(app, readerPolicy, 'Expiration_EndUser_Assignment', body, AUDITOR), 403);
    await expectProblem(
      await patch(app, readerPolicy, 'Expiration_EndUser_Assignment', body, HELPDESK_OWNER),
      403,
    );
    await expectProblem(
      await app.api(`policies/roleManagementPolicies?$filter=${q(DIRECTORY)}`, HELPDESK_OWNER),
      403,
      /admins and auditors/,
    );
    await expectProblem(
      await app.api(`policies/roleManagementPolicies/${readerPolicy}`, HELPDESK_OWNER),
      403,
    );
    expect((await app.api(`policies/roleManagementPolicies/${readerPolicy}/rules`, AUDITOR)).status).toBe(
      200,
    );
  });
});
