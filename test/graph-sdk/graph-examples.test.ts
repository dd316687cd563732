/**
 * The request bodies of Graph's reference examples, sent as written through Graph's SDK over HTTPS (issue 15):
 * PIM for Groups and Entra role requests, and role settings rule updates. Only ids are replaced (Graph's example
 * ids by the demo tenant's) and dates moved so each example's first date falls a minute before now — Graph's examples
 * send a start that is already past when they run, which pimflow takes as now (docs/api/requests.md). Each must be
 * accepted (2xx). The rows run in order: later ones build on earlier ones (an eligibility before its activation).
 *
 * Sources (microsoft-graph-docs, v1.0): privilegedaccessgroup-post-eligibilityschedulerequests (examples 1, 2),
 * privilegedaccessgroup-post-assignmentschedulerequests (examples 1, 2), rbacapplication-post-roleeligibility-
 * schedulerequests (examples 1, 2), rbacapplication-post-roleassignmentschedulerequests (examples 1, 2),
 * unifiedrolemanagementpolicyrule-update and the how-to "Update rules in PIM" (examples 1-6). The reference pages
 * have no selfDeactivate example: those rows send the body Graph clients send (the CLI for Microsoft 365's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type ApiCall, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';
import { graphClient, sdkSend } from './sdk-client';

const HELPDESK = DEMO.helpdeskGroup;
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
const FINANCE_APPROVERS = '5954f79c-0342-4f18-a20d-d040bab5dd82';
const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
const GROUPS_ADMINISTRATOR = 'fdd7a751-b60b-444a-984c-02652fe8fa1c';
const GROUPS = '/identityGovernance/privilegedAccess/group';
const ROLES = '/roleManagement/directory';
const RULE_TARGET_TYPE = 'microsoft.graph.unifiedRoleManagementPolicyRuleTarget';

let app: PimApp;
/** Graph's example ids → the demo tenant's. */
let demoIds: Record<string, string> = {};
/** The policies the rule examples are sent to. */
const policies = { directoryRole: '', groupMember: '' };

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  for (const group of [HELPDESK, CLOUD_OPS]) await manageGroup(app, group);
  for (const roleDefinitionId of [SECURITY_READER, GROUPS_ADMINISTRATOR]) {
    const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
    expect([201, 409], await res.clone().text()).toContain(res.status);
  }
  demoIds = {
    // PIM for Groups examples: the principal, the groups.
    '3cce9d87-3986-4f19-8335-7ed075408ca2': app.user('olivia.carter').id,
    '2b5ed229-4072-478d-9504-a047ebd4b07d': HELPDESK,
    '68e55cce-cf7e-4a2d-9046-3e4e75c4bfa7': CLOUD_OPS,
    // Entra role examples: the principal, Attribute Assignment Administrator (not in the demo tenant).
    '071cc716-8147-4397-a5ba-b2105951cc0b': app.user('daniel.kim').id,
    '8424c6f0-a189-499e-bbd0-26c1753c96d4': SECURITY_READER,
    // The approval rule example's approvers: a user and a group.
    '10a08e2e-3ea2-4ce0-80cb-d5fdd4b05ea6': app.user('priya.nair').id,
    '14f2746d-7d6f-4ac6-acd8-8cac318b041b': FINANCE_APPROVERS,
  };
  const roleFilter = `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${SECURITY_READER}'`;
  const groupFilter = `scopeId eq '${HELPDESK}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`;
  for (const [key, filter] of [
    ['directoryRole', roleFilter],
    ['groupMember', groupFilter],
  ] as const) {
    const found = await app.json<{ value: { policyId: string }[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(filter)}`,
      ADMIN,
    );
    policies[key] = found.value[0]?.policyId ?? '';
  }
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const ISO_DATE = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g;

/** The example with demo ids, its dates moved so that the first is a minute ago. */
function asDemo(example: unknown): unknown {
  let text = JSON.stringify(example);
  for (const [graphId, demoId] of Object.entries(demoIds)) text = text.replaceAll(graphId, demoId);
  const dates = [...text.matchAll(ISO_DATE)].map((m) => Date.parse(m[0]));
  if (dates.length > 0) {
    const shift = app.rt.clock.now().getTime() - 60_000 - Math.min(...dates);
    text = text.replace(ISO_DATE, (d) => new Date(Date.parse(d) + shift).toISOString());
  }
  return JSON.parse(text) as unknown;
}

interface Example {
  name: string;
  /** Who sends it: an admin, or the example's principal (a demo user's UPN prefix). */
  as: 'admin' | string;
  method: 'POST' | 'PATCH';
  path: () => string;
  body: unknown;
}

const requestExamples: Example[] = [
  {
    name: 'group eligibility, example 1: AdminAssign (AfterDateTime)',
    as: 'admin',
    method: 'POST',
    path: () => `${GROUPS}/eligibilityScheduleRequests`,
    body: {
      accessId: 'member',
      principalId: '3cce9d87-3986-4f19-8335-7ed075408ca2',
      groupId: '2b5ed229-4072-478d-9504-a047ebd4b07d',
      action: 'AdminAssign',
      scheduleInfo: {
        startDateTime: '2023-02-06T19:25:00.000Z',
        expiration: { type: 'AfterDateTime', endDateTime: '2023-02-07T19:56:00.000Z' },
      },
      justification: 'Assign eligible request.',
    },
  },
  {
    name: 'group eligibility, example 2: AdminExtend',
    as: 'admin',
    method: 'POST',
    path: () => `${GROUPS}/eligibilityScheduleRequests`,
    body: {
      accessId: 'member',
      principalId: '3cce9d87-3986-4f19-8335-7ed075408ca2',
      groupId: '2b5ed229-4072-478d-9504-a047ebd4b07d',
      action: 'AdminExtend',
      scheduleInfo: {
        startDateTime: '2023-02-06T19:25:00.000Z',
        expiration: { type: 'AfterDateTime', endDateTime: '2023-02-07T20:56:00.000Z' },
      },
      justification: 'Extend eligible request.',
    },
  },
  {
    name: 'group assignment, example 1: adminAssign (afterDuration)',
    as: 'admin',
    method: 'POST',
    path: () => `${GROUPS}/assignmentScheduleRequests`,
    body: {
      accessId: 'member',
      principalId: '3cce9d87-3986-4f19-8335-7ed075408ca2',
      groupId: '68e55cce-cf7e-4a2d-9046-3e4e75c4bfa7',
      action: 'adminAssign',
      scheduleInfo: {
        startDateTime: '2022-12-08T07:43:00.000Z',
        expiration: { type: 'afterDuration', duration: 'PT2H' },
      },
      justification: 'Assign active member access.',
    },
  },
  {
    name: 'group assignment, example 2: selfActivate',
    as: 'olivia.carter',
    method: 'POST',
    path: () => `${GROUPS}/assignmentScheduleRequests`,
    body: {
      accessId: 'member',
      principalId: '3cce9d87-3986-4f19-8335-7ed075408ca2',
      groupId: '2b5ed229-4072-478d-9504-a047ebd4b07d',
      action: 'selfActivate',
      scheduleInfo: {
        startDateTime: '2023-02-08T07:43:00.000Z',
        expiration: { type: 'afterDuration', duration: 'PT2H' },
      },
      justification: 'Activate assignment.',
    },
  },
  {
    name: 'group assignment: selfDeactivate (as Graph clients send it)',
    as: 'olivia.carter',
    method: 'POST',
    path: () => `${GROUPS}/assignmentScheduleRequests`,
    body: {
      action: 'selfDeactivate',
      principalId: '3cce9d87-3986-4f19-8335-7ed075408ca2',
      groupId: '2b5ed229-4072-478d-9504-a047ebd4b07d',
      accessId: 'member',
    },
  },
  {
    name: 'role eligibility, example 1: adminAssign (afterDateTime, two years)',
    as: 'admin',
    method: 'POST',
    path: () => `${ROLES}/roleEligibilityScheduleRequests`,
    body: {
      action: 'adminAssign',
      justification: 'Assign Attribute Assignment Admin eligibility to restricted user',
      roleDefinitionId: '8424c6f0-a189-499e-bbd0-26c1753c96d4',
      directoryScopeId: '/',
      principalId: '071cc716-8147-4397-a5ba-b2105951cc0b',
      scheduleInfo: {
        startDateTime: '2022-04-10T00:00:00Z',
        expiration: { type: 'afterDateTime', endDateTime: '2024-04-10T00:00:00Z' },
      },
    },
  },
  {
    name: 'role assignment, example 2: selfActivate (AfterDuration, ticketInfo)',
    as: 'daniel.kim',
    method: 'POST',
    path: () => `${ROLES}/roleAssignmentScheduleRequests`,
    body: {
      action: 'selfActivate',
      principalId: '071cc716-8147-4397-a5ba-b2105951cc0b',
      roleDefinitionId: '8424c6f0-a189-499e-bbd0-26c1753c96d4',
      directoryScopeId: '/',
      justification:
        'I need access to the Attribute Administrator role to manage attributes to be assigned to restricted AUs',
      scheduleInfo: {
        startDateTime: '2022-04-14T00:00:00.000Z',
        expiration: { type: 'AfterDuration', duration: 'PT5H' },
      },
      ticketInfo: { ticketNumber: 'CONTOSO:Normal-67890', ticketSystem: 'MS Project' },
    },
  },
  {
    name: 'role assignment: selfDeactivate (as Graph clients send it, with an empty ticketInfo)',
    as: 'daniel.kim',
    method: 'POST',
    path: () => `${ROLES}/roleAssignmentScheduleRequests`,
    body: {
      principalId: '071cc716-8147-4397-a5ba-b2105951cc0b',
      roleDefinitionId: '8424c6f0-a189-499e-bbd0-26c1753c96d4',
      directoryScopeId: '/',
      action: 'selfDeactivate',
      justification: 'Remove SharePoint Administrator role',
      ticketInfo: {},
    },
  },
  {
    name: 'role eligibility, example 2: adminRemove',
    as: 'admin',
    method: 'POST',
    path: () => `${ROLES}/roleEligibilityScheduleRequests`,
    body: {
      action: 'adminRemove',
      roleDefinitionId: '8424c6f0-a189-499e-bbd0-26c1753c96d4',
      directoryScopeId: '/',
      principalId: '071cc716-8147-4397-a5ba-b2105951cc0b',
    },
  },
  {
    name: 'role assignment, example 1: adminAssign (NoExpiration)',
    as: 'admin',
    method: 'POST',
    path: () => `${ROLES}/roleAssignmentScheduleRequests`,
    body: {
      action: 'adminAssign',
      justification: 'Assign Groups Admin to IT Helpdesk group',
      roleDefinitionId: 'fdd7a751-b60b-444a-984c-02652fe8fa1c',
      directoryScopeId: '/',
      principalId: '071cc716-8147-4397-a5ba-b2105951cc0b',
      scheduleInfo: { startDateTime: '2022-04-10T00:00:00Z', expiration: { type: 'NoExpiration' } },
    },
  },
];

const target = (caller: string, level: string, operations = ['All']) => ({
  '@odata.type': RULE_TARGET_TYPE,
  caller,
  operations,
  level,
  inheritableSettings: [],
  enforcedSettings: [],
});

/** Graph's rule update examples (ids in the URL and body; the policy is chosen per row). */
const ruleExamples: { name: string; ruleId: string; body: Record<string, unknown> }[] = [
  {
    name: 'reference example / how-to 1: activation maximum duration',
    ruleId: 'Expiration_EndUser_Assignment',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_EndUser_Assignment',
      isExpirationRequired: true,
      maximumDuration: 'PT1H45M',
      target: target('EndUser', 'Assignment'),
    },
  },
  {
    name: 'how-to 2: justification, MFA and ticketing on activation',
    ruleId: 'Enablement_EndUser_Assignment',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
      id: 'Enablement_EndUser_Assignment',
      enabledRules: ['Justification', 'MultiFactorAuthentication', 'Ticketing'],
      target: target('EndUser', 'Assignment'),
    },
  },
  {
    name: 'how-to 3: approval to activate (a user and a group as approvers)',
    ruleId: 'Approval_EndUser_Assignment',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
      id: 'Approval_EndUser_Assignment',
      target: target('EndUser', 'Assignment'),
      setting: {
        '@odata.type': 'microsoft.graph.approvalSettings',
        isApprovalRequired: true,
        isApprovalRequiredForExtension: false,
        isRequestorJustificationRequired: true,
        approvalMode: 'SingleStage',
        approvalStages: [
          {
            '@odata.type': 'microsoft.graph.unifiedApprovalStage',
            approvalStageTimeOutInDays: 1,
            isApproverJustificationRequired: true,
            escalationTimeInMinutes: 0,
            primaryApprovers: [
              {
                '@odata.type': '#microsoft.graph.singleUser',
                userId: '10a08e2e-3ea2-4ce0-80cb-d5fdd4b05ea6',
              },
              {
                '@odata.type': '#microsoft.graph.groupMembers',
                groupId: '14f2746d-7d6f-4ac6-acd8-8cac318b041b',
              },
            ],
            isEscalationEnabled: false,
            escalationApprovers: [],
          },
        ],
      },
    },
  },
  {
    name: 'how-to 4: expiration of eligible assignments',
    ruleId: 'Expiration_Admin_Eligibility',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_Admin_Eligibility',
      isExpirationRequired: true,
      maximumDuration: 'P90D',
      target: target('Admin', 'Eligibility'),
    },
  },
  {
    name: 'how-to 5: expiration of active assignments',
    ruleId: 'Expiration_Admin_Assignment',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_Admin_Assignment',
      isExpirationRequired: true,
      maximumDuration: 'P90D',
      target: target('Admin', 'Assignment'),
    },
  },
  {
    name: 'how-to 6: justification and MFA for active assignments',
    ruleId: 'Enablement_Admin_Assignment',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
      id: 'Enablement_Admin_Assignment',
      enabledRules: ['Justification', 'MultiFactorAuthentication'],
      target: target('Admin', 'Assignment'),
    },
  },
  {
    // Graph's enums are case-insensitive: `operations: ["all"]` is the same target as `["All"]`.
    name: 'how-to 1 with the target in other casing (operations ["all"], caller "endUser")',
    ruleId: 'Expiration_EndUser_Assignment',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_EndUser_Assignment',
      isExpirationRequired: true,
      maximumDuration: 'PT2H',
      target: target('endUser', 'assignment', ['all']),
    },
  },
];

function callOf(as: string): ApiCall & { as: string } {
  return as === 'admin' ? ADMIN : { as: app.user(as).userPrincipalName, amr: ['pwd', 'mfa'] };
}

async function expectAccepted(example: Example): Promise<void> {
  const client = graphClient(app, callOf(example.as));
  const res = await sdkSend(client, example.method, example.path(), asDemo(example.body));
  expect(res.status, `${example.name}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${example.name}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  await app.rt.waitForIdle();
}

describe("Graph's request examples, as written", () => {
  for (const example of requestExamples) it(example.name, () => expectAccepted(example));
});

describe("Graph's rule update examples, as written", () => {
  for (const scope of ['directoryRole', 'groupMember'] as const) {
    for (const rule of ruleExamples) {
      it(`${rule.name} (${scope === 'directoryRole' ? 'an Entra role' : "a group's member role"})`, () =>
        expectAccepted({
          name: rule.name,
          as: 'admin',
          method: 'PATCH',
          path: () => `/policies/roleManagementPolicies/${policies[scope]}/rules/${rule.ruleId}`,
          body: rule.body,
        }));
    }
  }
});
