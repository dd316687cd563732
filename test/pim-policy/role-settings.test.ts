/**
 * Role settings through the Graph-shaped API: PIM's defaults when a group comes under management, Table-1 of the
 * seeds configured with rule PATCHes and read back through the RoleSettingsSource, every validation refusal (400,
 * nothing changed), concurrent PATCHes (no lost update), and an audit row per change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import {
  ADMIN,
  expectProblem,
  manage,
  mustPatch,
  patch,
  policyIdOf,
  roleSettings,
  rule,
  rules,
  RULE_IDS,
  scopeFilter,
  T,
  type Policy,
  type Rule,
} from './policy-helpers';

const G = DEMO.helpdeskGroup;
let app: PimApp;
let ownerPolicy: string;
let memberPolicy: string;

beforeAll(async () => {
  app = await startPimApp();
  const res = await manage(app, G);
  expect(res.status, await res.clone().text()).toBe(201);
  ownerPolicy = await policyIdOf(app, G, 'owner');
  memberPolicy = await policyIdOf(app, G, 'member');
});
afterAll(async () => {
  await app?.stop();
});

describe('defaults', () => {
  it('lists both policies of the group with $expand=rules, with Graph ids and PIM defaults', async () => {
    const list = await app.json<{ value: Policy[] }>(
      `policies/roleManagementPolicies?$filter=${scopeFilter(G)}&$expand=rules`,
      ADMIN,
    );
    expect(list.value).toHaveLength(2);
    expect(list.value.map((p) => p.id).sort()).toEqual([memberPolicy, ownerPolicy].sort());
    for (const policy of list.value) {
      expect(policy.id).toMatch(new RegExp(`^Group_${G}_[0-9a-f-]{36}$`));
      expect(policy).toMatchObject({ scopeId: G, scopeType: 'Group', isOrganizationDefault: false });
      const byId = new Map((policy.rules ?? []).map((r) => [r.id, r]));
      expect([...byId.keys()].sort()).toEqual([...RULE_IDS].sort());
      expect(byId.get('Expiration_EndUser_Assignment')).toEqual({
        '@odata.type': T.expiration,
        id: 'Expiration_EndUser_Assignment',
        isExpirationRequired: true,
        maximumDuration: 'PT8H',
        target: {
          caller: 'EndUser',
          operations: ['All'],
          level: 'Assignment',
          inheritableSettings: [],
          enforcedSettings: [],
        },
      });
      expect(byId.get('Enablement_EndUser_Assignment')).toMatchObject({ enabledRules: ['Justification'] });
      expect(byId.get('Approval_EndUser_Assignment')).toMatchObject({
        '@odata.type': T.approval,
        setting: { isApprovalRequired: false, approvalMode: 'SingleStage' },
      });
      expect(byId.get('AuthenticationContext_EndUser_Assignment')).toMatchObject({ isEnabled: false });
      expect(byId.get('Expiration_Admin_Eligibility')).toMatchObject({
        isExpirationRequired: false,
        target: { caller: 'Admin', level: 'Eligibility' },
      });
      expect(byId.get('Notification_Approver_EndUser_Assignment')).toMatchObject({
        '@odata.type': T.notification,
        notificationType: 'Email',
        recipientType: 'Approver',
        notificationLevel: 'All',
        isDefaultRecipientsEnabled: true,
        notificationRecipients: [],
      });
    }
    // Without $expand there are no rules.
    const bare = await app.json<{ value: Policy[] }>(
      `policies/roleManagementPolicies?$filter=${scopeFilter(G)}`,
      ADMIN,
    );
    expect(bare.value[0]).not.toHaveProperty('rules');
  });

  it('serves policy assignments, one policy, its rules and one rule', async () => {
    const all = await app.json<{ value: Record<string, unknown>[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${scopeFilter(G)}`,
      ADMIN,
    );
    expect(all.value).toHaveLength(2);
    const member = all.value.find((a) => a.roleDefinitionId === 'member');
    expect(member).toEqual({
      // Graph's form: the policy id and the role.
      id: `${memberPolicy}_member`,
      policyId: memberPolicy,
      scopeId: G,
      scopeType: 'Group',
      roleDefinitionId: 'member',
    });
    const one = await app.json<Record<string, unknown> & { policy: Policy }>(
      `policies/roleManagementPolicyAssignments/${member?.id as string}?$expand=policy($expand=rules)`,
      ADMIN,
    );
    expect(one.policy.id).toBe(memberPolicy);
    expect(one.policy.rules).toHaveLength(17);
    // The id pimflow answered before it followed Graph still resolves.
    const old = await app.json<Record<string, unknown>>(
      `policies/roleManagementPolicyAssignments/Group_${G}_${memberPolicy}_member`,
      ADMIN,
    );
    expect(old.id).toBe(`${memberPolicy}_member`);

    const policy = await app.json<Policy>(`policies/roleManagementPolicies/${ownerPolicy}`, ADMIN);
    expect(policy.id).toBe(ownerPolicy);
    expect(policy).not.toHaveProperty('rules');
    const list = await app.json<{ value: Rule[] }>(
      `policies/roleManagementPolicies/${ownerPolicy}/rules`,
      ADMIN,
    );
    expect(list.value).toHaveLength(17);
    const approval = await rule(app, ownerPolicy, 'Approval_EndUser_Assignment');
    expect(approval['@odata.type']).toBe(T.approval);

    await expectProblem(
      await app.api(`policies/roleManagementPolicies/${ownerPolicy}/rules/Nope`, ADMIN),
      404,
    );
    await expectProblem(
      await app.api(`policies/roleManagementPolicies/Group_${G}_00000000-0000-4000-8000-000000000000`, ADMIN),
      404,
    );
    await expectProblem(await app.api('policies/roleManagementPolicies', ADMIN), 400, /scopeId/);
    await expectProblem(
      await app.api(
        `policies/roleManagementPolicies?$filter=${encodeURIComponent(`scopeId eq '${G}' and scopeType eq 'Directory'`)}`,
        ADMIN,
      ),
      400,
    );
    await expectProblem(
      await app.api(`policies/roleManagementPolicies?$filter=${scopeFilter(G)}&$expand=owners`, ADMIN),
      400,
      /\$expand/,
    );
    // A group not under management has no policies.
    const none = await app.json<{ value: unknown[] }>(
      `policies/roleManagementPolicies?$filter=${scopeFilter('5954f79c-0342-4f18-a20d-d040bab5dd82')}`,
      ADMIN,
    );
    expect(none.value).toEqual([]);
  });

  it('maps the defaults to RoleSettings through the RoleSettingsSource', async () => {
    const s = await roleSettings(app, G, 'member');
    expect(s.activation).toMatchObject({
      maximumDuration: 'PT8H',
      requireJustification: true,
      requireApproval: false,
      requireMfa: false,
      authenticationContext: null,
    });
    expect(s.eligibleAssignment.allowPermanent).toBe(true);
  });
});

describe('Table-1', () => {
  it('configures the Owner row (approval by other owners, 2 h, justification, c1) and the Member row (4 h)', async () => {
    for (const [policyId, duration, eligible] of [
      [ownerPolicy, 'PT2H', 'P180D'],
      [memberPolicy, 'PT4H', 'P90D'],
    ] as const) {
      const expiration = await rule(app, policyId, 'Expiration_EndUser_Assignment');
      await mustPatch(app, policyId, expiration.id, { ...expiration, maximumDuration: duration });
      await mustPatch(app, policyId, 'Enablement_EndUser_Assignment', {
        '@odata.type': T.enablement,
        enabledRules: ['Justification'],
      });
      await mustPatch(app, policyId, 'AuthenticationContext_EndUser_Assignment', {
        '@odata.type': T.authContext,
        isEnabled: true,
        claimValue: 'c1',
      });
      // Eligible assignments expire after 6 (owner) or 3 (member) months; permanent active ones stay allowed,
      // with MFA and justification required.
      await mustPatch(app, policyId, 'Expiration_Admin_Eligibility', {
        '@odata.type': 'microsoft.graph.unifiedRoleManagementPolicyExpirationRule', // Graph's samples omit the '#'
        isExpirationRequired: true,
        maximumDuration: eligible,
      });
      await mustPatch(app, policyId, 'Enablement_Admin_Assignment', {
        '@odata.type': T.enablement,
        enabledRules: ['Justification', 'MultiFactorAuthentication'],
      });
    }
    // What a GET returned, changed and sent back: Graph's round trip.
    const approval = await rule(app, ownerPolicy, 'Approval_EndUser_Assignment');
    const setting = approval.setting as { approvalStages: Record<string, unknown>[] };
    await mustPatch(app, ownerPolicy, 'Approval_EndUser_Assignment', {
      ...approval,
      setting: {
        ...setting,
        isApprovalRequired: true,
        approvalStages: [
          {
            ...setting.approvalStages[0],
            primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId: G }],
          },
        ],
      },
    });

    const owner = await roleSettings(app, G, 'owner');
    expect(owner.activation).toEqual({
      maximumDuration: 'PT2H',
      requireJustification: true,
      requireTicket: false,
      requireMfa: false,
      authenticationContext: 'c1',
      requireApproval: true,
      approvers: [{ type: 'groupOwners' }],
      approvalStageTimeOutInDays: 1,
      isApproverJustificationRequired: true,
      approvalMode: 'SingleStage',
      stages: [
        {
          approvers: [{ type: 'groupOwners' }],
          escalationApprovers: [],
          approvalStageTimeOutInDays: 1,
          isApproverJustificationRequired: true,
          isEscalationEnabled: false,
          escalationTimeInMinutes: 0,
        },
      ],
      isApprovalRequiredForExtension: false,
    });
    expect(owner.eligibleAssignment).toEqual({ allowPermanent: false, maximumDuration: 'P180D' });
    expect(owner.activeAssignment).toEqual({
      allowPermanent: true,
      maximumDuration: 'P180D',
      requireMfa: true,
      requireJustification: true,
    });
    const member = await roleSettings(app, G, 'member');
    expect(member.activation).toMatchObject({
      maximumDuration: 'PT4H',
      requireJustification: true,
      authenticationContext: 'c1',
      requireApproval: false,
      approvers: [],
    });
    expect(member.eligibleAssignment).toEqual({ allowPermanent: false, maximumDuration: 'P90D' });

    // The stored rule reads back as Graph's shape.
    expect(await rule(app, ownerPolicy, 'Approval_EndUser_Assignment')).toMatchObject({
      setting: {
        isApprovalRequired: true,
        approvalMode: 'SingleStage',
        approvalStages: [
          {
            approvalStageTimeOutInDays: 1,
            primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId: G }],
          },
        ],
      },
    });
  });

  it('takes users and group members as approvers, and notification recipients', async () => {
    const olivia = app.user('olivia.carter');
    await mustPatch(app, memberPolicy, 'Approval_EndUser_Assignment', {
      '@odata.type': T.approval,
      setting: {
        isApprovalRequired: true,
        approvalStages: [
          {
            approvalStageTimeOutInDays: 2,
            primaryApprovers: [
              { '@odata.type': '#microsoft.graph.singleUser', userId: olivia.id },
              {
                '@odata.type': '#microsoft.graph.groupMembers',
                groupId: '5954f79c-0342-4f18-a20d-d040bab5dd82',
              },
            ],
          },
        ],
      },
    });
    await mustPatch(app, memberPolicy, 'Notification_Admin_EndUser_Assignment', {
      '@odata.type': T.notification,
      notificationLevel: 'Critical',
      notificationRecipients: ['secops@pimflow.example', 'SecOps@pimflow.example'],
    });
    const s = await roleSettings(app, G, 'member');
    expect(s.activation.approvers).toEqual([
      { type: 'user', id: olivia.id },
      { type: 'groupMembers', id: '5954f79c-0342-4f18-a20d-d040bab5dd82' },
    ]);
    expect(s.activation.approvalStageTimeOutInDays).toBe(2);
    expect(s.notifications.adminRecipients).toEqual(['secops@pimflow.example']);
    expect(s.notifications.events?.eligibleActivated.admin).toEqual({
      level: 'Critical',
      defaultRecipients: true,
      additionalRecipients: ['secops@pimflow.example'],
    });
    // Back to Table-1's Member row: no approval.
    await mustPatch(app, memberPolicy, 'Approval_EndUser_Assignment', {
      '@odata.type': T.approval,
      setting: { isApprovalRequired: false },
    });
    expect((await roleSettings(app, G, 'member')).activation.requireApproval).toBe(false);
  });

  it('takes Serial approval with up to 3 stages, decimal waits (0.25 = 6 h) and escalation', async () => {
    const olivia = app.user('olivia.carter');
    const marcus = app.user('marcus.johnson');
    const owners = { '@odata.type': '#microsoft.graph.groupOwners', groupId: G };
    const user = (id: string) => ({ '@odata.type': '#microsoft.graph.singleUser', userId: id });
    await mustPatch(app, memberPolicy, 'Approval_EndUser_Assignment', {
      '@odata.type': T.approval,
      setting: {
        isApprovalRequired: true,
        isApprovalRequiredForExtension: true,
        approvalMode: 'Serial',
        approvalStages: [
          {
            approvalStageTimeOutInDays: 0.25,
            isApproverJustificationRequired: false,
            isEscalationEnabled: true,
            escalationTimeInMinutes: 120,
            primaryApprovers: [owners],
            escalationApprovers: [user(olivia.id)],
          },
          { approvalStageTimeOutInDays: 2, primaryApprovers: [user(marcus.id)] },
          { approvalStageTimeOutInDays: 1 / 24, primaryApprovers: [user(olivia.id)] },
        ],
      },
    });
    const stored = await rule(app, memberPolicy, 'Approval_EndUser_Assignment');
    expect(stored).toMatchObject({
      setting: {
        approvalMode: 'Serial',
        approvalStages: [
          { approvalStageTimeOutInDays: 0.25, isEscalationEnabled: true, escalationTimeInMinutes: 120 },
          { approvalStageTimeOutInDays: 2, isEscalationEnabled: false },
          { approvalStageTimeOutInDays: 1 / 24 },
        ],
      },
    });
    const s = await roleSettings(app, G, 'member');
    expect(s.activation).toMatchObject({
      requireApproval: true,
      approvalMode: 'Serial',
      isApprovalRequiredForExtension: true,
      approvers: [{ type: 'groupOwners' }],
      approvalStageTimeOutInDays: 0.25,
      isApproverJustificationRequired: false,
    });
    expect(s.activation.stages).toEqual([
      {
        approvers: [{ type: 'groupOwners' }],
        escalationApprovers: [{ type: 'user', id: olivia.id }],
        approvalStageTimeOutInDays: 0.25,
        isApproverJustificationRequired: false,
        isEscalationEnabled: true,
        escalationTimeInMinutes: 120,
      },
      {
        approvers: [{ type: 'user', id: marcus.id }],
        escalationApprovers: [],
        approvalStageTimeOutInDays: 2,
        isApproverJustificationRequired: true,
        isEscalationEnabled: false,
        escalationTimeInMinutes: 0,
      },
      {
        approvers: [{ type: 'user', id: olivia.id }],
        escalationApprovers: [],
        approvalStageTimeOutInDays: 1 / 24,
        isApproverJustificationRequired: true,
        isEscalationEnabled: false,
        escalationTimeInMinutes: 0,
      },
    ]);
    // Back to Table-1's Member row: one stage, no approval.
    await mustPatch(app, memberPolicy, 'Approval_EndUser_Assignment', {
      '@odata.type': T.approval,
      setting: {
        isApprovalRequired: false,
        isApprovalRequiredForExtension: false,
        approvalMode: 'SingleStage',
        approvalStages: [
          {
            approvalStageTimeOutInDays: 1,
            isApproverJustificationRequired: true,
            isEscalationEnabled: false,
            escalationTimeInMinutes: 0,
            primaryApprovers: [],
            escalationApprovers: [],
          },
        ],
      },
    });
    expect((await roleSettings(app, G, 'member')).activation).toMatchObject({
      requireApproval: false,
      approvalMode: 'SingleStage',
    });
  });
});

describe('validation', () => {
  const cases: [string, 'owner' | 'member', string, unknown, RegExp][] = [
    [
      'activation under 30 minutes',
      'member',
      'Expiration_EndUser_Assignment',
      { '@odata.type': T.expiration, maximumDuration: 'PT20M' },
      /30 minutes/,
    ],
    [
      'activation over 24 hours',
      'member',
      'Expiration_EndUser_Assignment',
      { '@odata.type': T.expiration, maximumDuration: 'PT25H' },
      /24 hours/,
    ],
    [
      'a malformed duration',
      'member',
      'Expiration_EndUser_Assignment',
      { '@odata.type': T.expiration, maximumDuration: '4 hours' },
      /ISO 8601/,
    ],
    [
      'activations that never expire',
      'member',
      'Expiration_EndUser_Assignment',
      { '@odata.type': T.expiration, isExpirationRequired: false },
      /always expire/,
    ],
    [
      'a wrong type for a field',
      'member',
      'Expiration_EndUser_Assignment',
      { '@odata.type': T.expiration, maximumDuration: 4 },
      /maximumDuration/,
    ],
    [
      'approval without approvers',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: { isApprovalRequired: true, approvalStages: [{ primaryApprovers: [] }] },
      },
      /at least one approver/,
    ],
    [
      'approval with no stage',
      'member',
      'Approval_EndUser_Assignment',
      { '@odata.type': T.approval, setting: { isApprovalRequired: true, approvalStages: [] } },
      /at least one approver/,
    ],
    [
      'an approver who does not exist',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            {
              primaryApprovers: [
                {
                  '@odata.type': '#microsoft.graph.singleUser',
                  userId: '0badf00d-0000-4000-8000-000000000001',
                },
              ],
            },
          ],
        },
      },
      /No user/,
    ],
    [
      'an approver group that does not exist',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            {
              primaryApprovers: [
                {
                  '@odata.type': '#microsoft.graph.groupMembers',
                  groupId: '0badf00d-0000-4000-8000-000000000002',
                },
              ],
            },
          ],
        },
      },
      /No group/,
    ],
    [
      'an unknown approver type',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            { primaryApprovers: [{ '@odata.type': '#microsoft.graph.requestorManager', managerLevel: 1 }] },
          ],
        },
      },
      /singleUser/,
    ],
    [
      'owners of another group',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            {
              primaryApprovers: [
                {
                  '@odata.type': '#microsoft.graph.groupOwners',
                  groupId: '5954f79c-0342-4f18-a20d-d040bab5dd82',
                },
              ],
            },
          ],
        },
      },
      /own group/,
    ],
    [
      'Parallel approval',
      'member',
      'Approval_EndUser_Assignment',
      { '@odata.type': T.approval, setting: { approvalMode: 'Parallel' } },
      /Parallel approval is not supported/,
    ],
    [
      'two stages in SingleStage mode',
      'member',
      'Approval_EndUser_Assignment',
      { '@odata.type': T.approval, setting: { approvalMode: 'SingleStage', approvalStages: [{}, {}] } },
      /one stage/,
    ],
    [
      'more than 3 serial stages',
      'member',
      'Approval_EndUser_Assignment',
      { '@odata.type': T.approval, setting: { approvalMode: 'Serial', approvalStages: [{}, {}, {}, {}] } },
      /at most 3 stages/,
    ],
    [
      'a later serial stage without approvers',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          isApprovalRequired: true,
          approvalMode: 'Serial',
          approvalStages: [
            { primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId: G }] },
            { primaryApprovers: [] },
          ],
        },
      },
      /at least one approver in stage 2/,
    ],
    [
      'escalation without escalation approvers',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          approvalStages: [
            { isEscalationEnabled: true, escalationTimeInMinutes: 60, escalationApprovers: [] },
          ],
        },
      },
      /at least one escalation approver/,
    ],
    [
      'escalation after the stage ends',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          approvalStages: [
            {
              approvalStageTimeOutInDays: 0.25,
              isEscalationEnabled: true,
              escalationTimeInMinutes: 360,
              escalationApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId: G }],
            },
          ],
        },
      },
      /escalationTimeInMinutes must be at least 15 and less than the stage's time \(360 minutes\)/,
    ],
    [
      'an escalation approver who does not exist',
      'member',
      'Approval_EndUser_Assignment',
      {
        '@odata.type': T.approval,
        setting: {
          approvalStages: [
            {
              isEscalationEnabled: true,
              escalationTimeInMinutes: 60,
              escalationApprovers: [
                {
                  '@odata.type': '#microsoft.graph.singleUser',
                  userId: '0badf00d-0000-4000-8000-000000000003',
                },
              ],
            },
          ],
        },
      },
      /No user/,
    ],
    [
      'an approval timeout under an hour',
      'member',
      'Approval_EndUser_Assignment',
      { '@odata.type': T.approval, setting: { approvalStages: [{ approvalStageTimeOutInDays: 0.02 }] } },
      /from 1 hour/,
    ],
    [
      'a 30-day approval timeout',
      'member',
      'Approval_EndUser_Assignment',
      { '@odata.type': T.approval, setting: { approvalStages: [{ approvalStageTimeOutInDays: 30 }] } },
      /approvalStageTimeOutInDays/,
    ],
    [
      'an unknown rule id',
      'member',
      'Expiration_EndUser_Activation',
      { '@odata.type': T.expiration, maximumDuration: 'PT1H' },
      /not a rule/,
    ],
    [
      "a body whose type isn't the rule's",
      'member',
      'Enablement_EndUser_Assignment',
      { '@odata.type': T.expiration, maximumDuration: 'PT1H' },
      /is a #microsoft\.graph\.unifiedRoleManagementPolicyEnablementRule/,
    ],
    [
      'a body without @odata.type',
      'member',
      'Enablement_EndUser_Assignment',
      { enabledRules: [] },
      /@odata\.type/,
    ],
    [
      'an unknown field',
      'member',
      'Enablement_EndUser_Assignment',
      { '@odata.type': T.enablement, enabledRules: [], isEnabled: true },
      /isEnabled|Unrecognized/,
    ],
    [
      'an unknown enabled rule',
      'member',
      'Enablement_EndUser_Assignment',
      { '@odata.type': T.enablement, enabledRules: ['Fingerprint'] },
      /enabledRules/,
    ],
    [
      'ticketing on active assignments',
      'member',
      'Enablement_Admin_Assignment',
      { '@odata.type': T.enablement, enabledRules: ['Ticketing'] },
      /allows Justification, MultiFactorAuthentication/,
    ],
    [
      'a rule listed twice',
      'member',
      'Enablement_EndUser_Assignment',
      { '@odata.type': T.enablement, enabledRules: ['Justification', 'Justification'] },
      /twice/,
    ],
    [
      'a bad authentication context',
      'member',
      'AuthenticationContext_EndUser_Assignment',
      { '@odata.type': T.authContext, isEnabled: true, claimValue: 'mfa' },
      /c1 to c99/,
    ],
    [
      "an id that is not the URL's",
      'member',
      'Expiration_EndUser_Assignment',
      { '@odata.type': T.expiration, id: 'Expiration_Admin_Assignment', maximumDuration: 'PT1H' },
      /from the URL/,
    ],
    [
      'a changed target',
      'member',
      'Expiration_EndUser_Assignment',
      {
        '@odata.type': T.expiration,
        maximumDuration: 'PT1H',
        target: { caller: 'Admin', operations: ['All'], level: 'Assignment' },
      },
      /target/,
    ],
    [
      'a bad notification recipient',
      'member',
      'Notification_Admin_Admin_Assignment',
      { '@odata.type': T.notification, notificationRecipients: ['not an address'] },
      /notificationRecipients/,
    ],
    [
      'a changed recipient type',
      'member',
      'Notification_Admin_Admin_Assignment',
      { '@odata.type': T.notification, recipientType: 'Requestor' },
      /recipientType/,
    ],
    [
      'an assignment maximum of 10 minutes',
      'owner',
      'Expiration_Admin_Assignment',
      { '@odata.type': T.expiration, isExpirationRequired: true, maximumDuration: 'PT10M' },
      /1 day/,
    ],
    ['a JSON array', 'owner', 'Expiration_Admin_Assignment', [1, 2], /JSON object/],
  ];

  it.each(cases)('refuses %s with 400 and changes nothing', async (_name, role, ruleId, body, detail) => {
    const policyId = role === 'owner' ? ownerPolicy : memberPolicy;
    const before = await rules(app, policyId);
    await expectProblem(await patch(app, policyId, ruleId, body), 400, detail);
    expect(await rules(app, policyId)).toEqual(before);
  });

  it('refuses a body that is not JSON (400) or not sent as JSON (415)', async () => {
    const before = await rules(app, memberPolicy);
    const url = `policies/roleManagementPolicies/${memberPolicy}/rules/Expiration_EndUser_Assignment`;
    await expectProblem(
      await app.api(url, { ...ADMIN, method: 'PATCH', body: '{"maximumDuration": ' }),
      400,
      /JSON/,
    );
    await expectProblem(
      await app.api(url, { ...ADMIN, method: 'PATCH', body: 'x', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    await expectProblem(await app.api(url, { ...ADMIN, method: 'PATCH' }), 400);
    expect(await rules(app, memberPolicy)).toEqual(before);
  });

  it('answers 404 for a policy that does not exist', async () => {
    await expectProblem(
      await patch(app, `Group_${G}_00000000-0000-4000-8000-000000000000`, 'Expiration_EndUser_Assignment', {
        '@odata.type': T.expiration,
        maximumDuration: 'PT1H',
      }),
      404,
    );
  });
});

describe('concurrency and audit', () => {
  it('applies concurrent PATCHes of different rules without losing any', async () => {
    const changes: [string, unknown][] = [
      ['Expiration_EndUser_Assignment', { '@odata.type': T.expiration, maximumDuration: 'PT3H' }],
      [
        'Enablement_EndUser_Assignment',
        { '@odata.type': T.enablement, enabledRules: ['Justification', 'Ticketing'] },
      ],
      [
        'AuthenticationContext_EndUser_Assignment',
        { '@odata.type': T.authContext, isEnabled: true, claimValue: 'c2' },
      ],
      ['Expiration_Admin_Assignment', { '@odata.type': T.expiration, maximumDuration: 'P30D' }],
      [
        'Notification_Requestor_EndUser_Assignment',
        { '@odata.type': T.notification, notificationLevel: 'None' },
      ],
      [
        'Notification_Approver_Admin_Eligibility',
        { '@odata.type': T.notification, isDefaultRecipientsEnabled: false },
      ],
      [
        'Approval_EndUser_Assignment',
        { '@odata.type': T.approval, setting: { isRequestorJustificationRequired: false } },
      ],
      [
        'Enablement_Admin_Assignment',
        { '@odata.type': T.enablement, enabledRules: ['MultiFactorAuthentication'] },
      ],
    ];
    const results = await Promise.all(changes.map(([id, body]) => patch(app, memberPolicy, id, body)));
    for (const res of results) expect(res.status, await res.text()).toBe(204);
    const after = new Map((await rules(app, memberPolicy)).map((r) => [r.id, r]));
    expect(after.get('Expiration_EndUser_Assignment')?.maximumDuration).toBe('PT3H');
    expect(after.get('Enablement_EndUser_Assignment')?.enabledRules).toEqual(['Justification', 'Ticketing']);
    expect(after.get('AuthenticationContext_EndUser_Assignment')?.claimValue).toBe('c2');
    expect(after.get('Expiration_Admin_Assignment')?.maximumDuration).toBe('P30D');
    expect(after.get('Notification_Requestor_EndUser_Assignment')?.notificationLevel).toBe('None');
    expect(after.get('Notification_Approver_Admin_Eligibility')?.isDefaultRecipientsEnabled).toBe(false);
    expect(after.get('Approval_EndUser_Assignment')?.setting).toMatchObject({
      isRequestorJustificationRequired: false,
    });
    expect(after.get('Enablement_Admin_Assignment')?.enabledRules).toEqual(['MultiFactorAuthentication']);
    const s = await roleSettings(app, G, 'member');
    expect(s.activation).toMatchObject({
      maximumDuration: 'PT3H',
      requireTicket: true,
      authenticationContext: 'c2',
    });
  });

  it('audits every change with who, which rule, and old → new values; a no-op PATCH records nothing', async () => {
    type Row = {
      id: string;
      category: string;
      activityDisplayName: string;
      initiatedBy: { user: { id: string } | null };
      targetResources: { id: string; type: string }[];
      additionalDetails: { key: string; value: string }[];
    };
    const read = async () => {
      const rows: Row[] = [];
      let url: string | undefined =
        `auditLogs/directoryAudits?$filter=${encodeURIComponent("category eq 'RoleSettings'")}&groupId=${G}&$top=999`;
      while (url) {
        const page: { value: Row[]; '@odata.nextLink'?: string } = await app.json(url, ADMIN);
        rows.push(...page.value);
        url = page['@odata.nextLink']?.replace(/^.*\/api\//, '');
      }
      return rows;
    };
    const rowsBefore = await read();
    // Table-1: 2 roles × 4 changed rules (Justification was already the default) + the owner approval; then
    // approvers, notification, approval off; Serial approval and back; then the 8 concurrent changes.
    expect(rowsBefore).toHaveLength(2 * 4 + 1 + 3 + 2 + 8);
    const expiry = rowsBefore.find(
      (r) =>
        r.targetResources[0]?.id === ownerPolicy &&
        r.additionalDetails.some((d) => d.key === 'ruleId' && d.value === 'Expiration_EndUser_Assignment'),
    );
    expect(expiry).toBeDefined();
    expect(expiry?.initiatedBy.user?.id).toBe(DEMO.admin);
    expect(expiry?.activityDisplayName).toBe('Update role setting in PIM');
    const details = Object.fromEntries(expiry?.additionalDetails.map((d) => [d.key, d.value]) ?? []);
    expect(details.maximumDuration).toBe('"PT8H" → "PT2H"');
    expect(details.roleDefinitionId).toBe('owner');
    expect(JSON.parse(details.oldValue as string)).toMatchObject({ maximumDuration: 'PT8H' });
    expect(JSON.parse(details.newValue as string)).toMatchObject({ maximumDuration: 'PT2H' });

    // Sending back what is stored changes nothing and records nothing.
    const current = await rule(app, ownerPolicy, 'Expiration_EndUser_Assignment');
    await mustPatch(app, ownerPolicy, 'Expiration_EndUser_Assignment', current);
    expect(await read()).toHaveLength(rowsBefore.length);
  });
});
