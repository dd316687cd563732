/**
 * Client mistakes never answer 500: durations that overflow, forged `$skiptoken`s on every paged list, ids of
 * 100,000 characters in paths, bodies and queries, bodies over 1 MiB. Each is a 4xx problem with a useful detail,
 * through the HTTP API, and each is checked to have changed nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, makeEligible, manageGroup, policyRules } from '../pim/pim-scenario';

const GROUP = DEMO.helpdeskGroup;
const OTHER_GROUP = 'ebaa089b-edbe-45ee-acf0-778162edf39e'; // Cloud Ops: not under management here
const DEFS = 'identityGovernance/accessReviews/definitions';
const HUGE = 'a'.repeat(100_000);
/** Long enough to be no id of ours, short enough to pass any host's URL limit. */
const LONG = 'a'.repeat(3000);
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

async function storedRequests(): Promise<string[]> {
  const list = async (kind: string) =>
    (await app.json<{ value: { id: string }[] }>(`${BASE}/${kind}ScheduleRequests?$top=999`, ADMIN)).value;
  return [...(await list('eligibility')), ...(await list('assignment'))].map((r) => r.id).sort();
}

async function definitions(): Promise<string[]> {
  return (await app.json<{ value: { id: string }[] }>(`${DEFS}?$top=999`, ADMIN)).value.map((d) => d.id);
}

/** Everything the bad calls could have changed: requests, members, managed groups, role settings, reviews. */
async function snapshot() {
  await app.rt.waitForIdle();
  return {
    requests: await storedRequests(),
    members: app.groupMembers(GROUP).sort(),
    otherManaged: (await app.api(`managedGroups/${OTHER_GROUP}`, ADMIN)).status,
    memberRules: (await policyRules(app, GROUP, 'member')).rules,
    definitions: await definitions(),
  };
}

/** A 4xx in the route's error shape (Graph's or problem+json) with a useful message. */
const expectProblem = (res: Response, status: number, detail: RegExp, what = '') =>
  expectApiError(res, status, detail, what);

const assign = (o: Record<string, unknown> = {}) => ({
  action: 'adminAssign',
  accessId: 'member',
  groupId: GROUP,
  principalId: app.user('liam.obrien').id,
  justification: 'Rota',
  scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
  ...o,
});

describe('durations that overflow', () => {
  it('are a 400 wherever an ISO duration is accepted, and change nothing', async () => {
    const ethan = app.user('ethan.brown');
    await makeEligible(app, GROUP, ethan.id, 'member', 1);
    const before = await snapshot();
    for (const duration of ['P300000000D', 'P99999999999999999999Y', 'PT999999999999999999999H']) {
      await expectProblem(
        await app.api(`${BASE}/eligibilityScheduleRequests`, {
          ...ADMIN,
          body: assign({ scheduleInfo: { expiration: { type: 'afterDuration', duration } } }),
        }),
        400,
        /duration.*at most P36500D/,
        `adminAssign ${duration}`,
      );
      const activation = await app.api(`${BASE}/assignmentScheduleRequests`, {
        as: ethan.userPrincipalName,
        amr: ['pwd', 'mfa'],
        body: {
          action: 'selfActivate',
          accessId: 'member',
          groupId: GROUP,
          principalId: ethan.id,
          justification: 'Ticket queue',
          scheduleInfo: { expiration: { type: 'afterDuration', duration } },
        },
      });
      await expectProblem(activation, 400, /duration.*at most P36500D/, `selfActivate ${duration}`);
      const { policyId, rules } = await policyRules(app, GROUP, 'member');
      const rule = rules.find((r) => r.id === 'Expiration_Admin_Eligibility');
      await expectProblem(
        await app.api(`policies/roleManagementPolicies/${policyId}/rules/Expiration_Admin_Eligibility`, {
          ...ADMIN,
          method: 'PATCH',
          body: { ...rule, maximumDuration: duration },
        }),
        400,
        /maximumDuration/,
        `rule ${duration}`,
      );
      await expectProblem(
        await app.api(DEFS, {
          ...ADMIN,
          body: {
            displayName: 'Overflowing review',
            scope: {
              '@odata.type': '#pimflow.groupRoleReviewScope',
              roles: [{ groupId: GROUP, accessId: 'member' }],
              assignmentTypes: 'both',
            },
            reviewers: [{ query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' }],
            settings: {
              instanceDurationInDays: 14,
              recommendationsEnabled: true,
              recommendationLookBackDuration: duration,
              recurrence: {
                pattern: { type: 'absoluteMonthly', interval: 3 },
                range: { type: 'noEnd', startDate: '2026-03-02' },
              },
            },
          },
        }),
        400,
        /recommendationLookBackDuration/,
        `review ${duration}`,
      );
    }
    expect(await snapshot()).toEqual(before);
    expect(app.groupMembers(GROUP)).not.toContain(ethan.id);
  });
});

describe('forged $skiptokens', () => {
  it('are a 400 on every paged list; a genuine nextLink works, and only for its own list', async () => {
    for (const upn of ['isabella.garcia', 'charlotte.davies', 'harper.singh'])
      await makeEligible(app, GROUP, app.user(upn).id, 'owner', 1);
    const cosmosLike = Buffer.from(
      JSON.stringify([{ token: '-RID:~abc#RT:1#TRC:1#ISV:2', range: { min: '', max: 'FF' } }]),
    ).toString('base64url');
    const forged = [
      'AAAA',
      'eyJ0b2tlbiI6MX0',
      cosmosLike,
      Buffer.from('[3,"x"]').toString('base64url'),
      `${cosmosLike}.${'A'.repeat(22)}`,
      '%25%25%25',
      'x'.repeat(3000),
    ];
    const lists: [string, typeof ADMIN | { as: string }][] = [
      [`${BASE}/eligibilityScheduleRequests`, ADMIN],
      [`${BASE}/assignmentScheduleRequests`, ADMIN],
      [
        `${BASE}/eligibilityScheduleRequests/filterByCurrentUser(on='principal')`,
        { as: 'harper.singh@pimflow.example' },
      ],
      [
        `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')`,
        { as: 'harper.singh@pimflow.example' },
      ],
      [`${BASE}/eligibilitySchedules`, ADMIN],
      [`${BASE}/assignmentSchedules`, ADMIN],
      [`${BASE}/eligibilityScheduleInstances`, ADMIN],
      [`${BASE}/assignmentScheduleInstances`, ADMIN],
      ['managedGroups', ADMIN],
      ['driftReports', ADMIN],
      ['auditLogs/directoryAudits', ADMIN],
      ['auditLogs', ADMIN],
      [DEFS, ADMIN],
    ];
    for (const [path, as] of lists) {
      for (const token of forged) {
        await expectProblem(
          await app.api(`${path}?$skiptoken=${token}`, as),
          400,
          /\$skiptoken is not one this API issued/,
          `${path} ${token.slice(0, 20)}`,
        );
      }
    }
    // A genuine token pages its own list, and only that list (another filter, another list: 400).
    const filter = `$filter=${encodeURIComponent(`groupId eq '${GROUP}' and accessId eq 'owner'`)}`;
    const first = await app.json<{ value: unknown[]; '@odata.nextLink'?: string }>(
      `${BASE}/eligibilityScheduleRequests?${filter}&$top=2`,
      ADMIN,
    );
    const next = first['@odata.nextLink'];
    expect(next).toBeDefined();
    const token = new URL(next as string).searchParams.get('$skiptoken') as string;
    const second = await app.json<{ value: unknown[] }>((next as string).replace(/^.*\/api\//, ''), ADMIN);
    expect(first.value.length + second.value.length).toBe(3);
    const memberFilter = `$filter=${encodeURIComponent(`groupId eq '${GROUP}' and accessId eq 'member'`)}`;
    for (const elsewhere of [
      `${BASE}/eligibilityScheduleRequests?${memberFilter}&$skiptoken=${token}`,
      `${BASE}/assignmentScheduleRequests?${filter}&$skiptoken=${token}`,
      `${BASE}/eligibilitySchedules?${filter}&$skiptoken=${token}`,
      `managedGroups?$skiptoken=${token}`,
      `${BASE}/eligibilityScheduleRequests?${filter}&$skiptoken=${token.slice(0, -2)}`,
    ]) {
      await expectProblem(await app.api(elsewhere, ADMIN), 400, /\$skiptoken/, elsewhere.slice(0, 80));
    }
  });
});

describe('ids of 100,000 characters', () => {
  it('in bodies: 400 naming the field, nothing stored', async () => {
    const before = await snapshot();
    const cases: [string, string, unknown, RegExp][] = [
      [`${BASE}/eligibilityScheduleRequests`, 'POST', assign({ principalId: HUGE }), /body\.principalId/],
      [`${BASE}/eligibilityScheduleRequests`, 'POST', assign({ groupId: HUGE }), /body\.groupId/],
      [
        `${BASE}/assignmentScheduleRequests`,
        'POST',
        assign({ action: 'adminRemove', targetScheduleId: HUGE }),
        /body\.targetScheduleId/,
      ],
      ['managedGroups', 'POST', { groupId: HUGE }, /body\.groupId/],
      [`managedGroups/${GROUP}`, 'PATCH', { id: HUGE }, /body\.id/],
      [
        DEFS,
        'POST',
        {
          displayName: 'x',
          scope: { roles: [{ groupId: HUGE, accessId: 'member' }] },
          reviewers: [],
          settings: {},
        },
        /body\.scope\.roles\.0\.groupId/,
      ],
    ];
    const { policyId } = await policyRules(app, GROUP, 'member');
    cases.push([
      `policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`,
      'PATCH',
      {
        '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
        id: 'Approval_EndUser_Assignment',
        setting: {
          isApprovalRequired: true,
          approvalStages: [
            { primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: HUGE }] },
          ],
        },
      },
      /body\.setting\.approvalStages\.0\.primaryApprovers\.0\.userId/,
    ]);
    for (const [path, method, body, field] of cases) {
      const res = await app.api(path, { ...ADMIN, method, body });
      await expectProblem(res, 400, field, `${method} ${path}`);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('in paths and queries: 400 from the app (the host refuses a 100,000-character URL first)', async () => {
    const before = await snapshot();
    // A 100,000-character URL never reaches the app: the local runtime answers 431 (Node's 16 KB header limit)
    // and the Functions host 414 (4 KB URLs). Either way a 4xx, never a 500.
    for (const path of [`${BASE}/eligibilityScheduleRequests/${HUGE}`, `managedGroups?$filter=${HUGE}`]) {
      const res = await app.api(path, ADMIN);
      expect([414, 431], path.slice(0, 60)).toContain(res.status);
    }
    const approvals = `${BASE}/assignmentApprovals`;
    const paths: [string, string, unknown][] = [
      [`${BASE}/eligibilityScheduleRequests/${LONG}`, 'GET', undefined],
      [`${BASE}/eligibilityScheduleRequests/${LONG}/cancel`, 'POST', undefined],
      [`managedGroups/${LONG}`, 'PATCH', { removeMembersAddedOutsidePim: true }],
      [`managedGroups/${LONG}`, 'DELETE', undefined],
      [`policies/roleManagementPolicies/${LONG}/rules/${LONG}`, 'PATCH', { id: 'x' }],
      [`policies/roleManagementPolicyAssignments/${LONG}`, 'GET', undefined],
      [
        `${approvals}/00000000-0000-4000-8000-000000000001/steps/${LONG}`,
        'PATCH',
        { reviewResult: 'Approve' },
      ],
      [`${DEFS}/${LONG}`, 'DELETE', undefined],
      [`${DEFS}/00000000-0000-4000-8000-000000000001/instances/${LONG}/stop`, 'POST', undefined],
      [`driftChecks/${LONG}`, 'GET', undefined],
    ];
    for (const [path, method, body] of paths) {
      const res = await app.api(path, { ...ADMIN, method, ...(body === undefined ? {} : { body }) });
      await expectProblem(res, 400, /is 3000 characters long/, `${method} ${path.slice(0, 70)}`);
    }
    for (const query of [
      `${BASE}/eligibilityScheduleRequests?$filter=${encodeURIComponent(`principalId eq '${LONG}'`)}`,
      `${BASE}/assignmentScheduleInstances?$filter=${encodeURIComponent(`groupId eq '${LONG}'`)}`,
      `driftReports?$filter=${encodeURIComponent(`groupId eq '${LONG}'`)}`,
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`principalId eq '${LONG}'`)}`,
      `policies/roleManagementPolicies?$filter=${encodeURIComponent(`scopeId eq '${LONG}' and scopeType eq 'Group'`)}`,
      `${BASE}/eligibilityScheduleRequests?$top=${'9'.repeat(9000)}`,
    ]) {
      await expectProblem(await app.api(query, ADMIN), 400, /characters long/, query.slice(0, 70));
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('bodies over 1 MiB', () => {
  it('are a 413 before parsing, with or without Content-Length, and change nothing', async () => {
    const before = await snapshot();
    const big = JSON.stringify(assign({ justification: 'x'.repeat(1024 * 1024) }));
    const { policyId } = await policyRules(app, GROUP, 'member');
    for (const [path, method] of [
      [`${BASE}/eligibilityScheduleRequests`, 'POST'],
      ['managedGroups', 'POST'],
      [`policies/roleManagementPolicies/${policyId}/rules/Expiration_Admin_Eligibility`, 'PATCH'],
      [DEFS, 'POST'],
    ] as const) {
      await expectProblem(
        await app.api(path, { ...ADMIN, method, body: big }),
        413,
        /larger than 1 MiB/,
        `${method} ${path}`,
      );
      // Chunked, no Content-Length: read only until it passes the limit.
      const token = await app.token({ ...ADMIN, as: ADMIN.as });
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 24) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${app.rt.urls.api}/${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      await expectProblem(res, 413, /larger than 1 MiB/, `chunked ${method} ${path}`);
    }
    // Just under the limit is read (and refused for what it says, not its size).
    const under = JSON.stringify(assign({ justification: 'x'.repeat(1000 * 1000) }));
    await expectProblem(
      await app.api(`${BASE}/eligibilityScheduleRequests`, { ...ADMIN, body: under }),
      400,
      /justification/,
    );
    expect(await snapshot()).toEqual(before);
  });
});
