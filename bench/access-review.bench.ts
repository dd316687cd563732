/**
 * Access review benchmark (issue 6): one review instance of 10,000 principals, each with an active membership of one
 * group, 2,000 of them denied; then the decisions are applied (POST applyDecisions) with the Graph stand-in answering
 * 5% of requests (each `$batch` sub-request on its own) with 429 and Retry-After: 1. Reports the Graph requests per
 * removal (the floor is 1/20: one `$batch` of 20), the apply's wall time, and missed or extra removals, counted in
 * the Graph stand-in's state against the decisions.
 *
 * Seeding, stated in the table: the users and memberships go straight into the Graph stand-in, and the 10,000
 * schedules straight into Cosmos (through the app's PimStore), without request orchestrations — creating them with
 * adminAssign would confirm each grant by listing the 10,000-member group, which measures nothing here. Their
 * schedules' orchestrations are therefore gone, and the apply ends them in Cosmos (the path for a schedule whose
 * orchestration is gone); an end through a live orchestration costs one more durable event each, no Graph request.
 * The time to create an instance with recommendations is measured through the API (POST definitions, the series
 * and instance orchestrations snapshotting the 10,000 assignments); that review is then deleted, and the instance the
 * apply works on is written through the app's ReviewStore as the instance orchestration leaves it at completion, with
 * 2,000 denials (deciding 10,000 items through the API would measure the decision endpoint, not the apply).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAzurite } from '../local/azurite';
import { startDevEnvironment, type DevEnvironment } from '../local/dev-environment';
import { startRuntime, type LocalRuntime } from '../local/runtime';
import type { TlsMaterial } from '../local/standins/tls';
import type { Schedule } from '../shared/lifecycle/domain/schedule';
import type { ReviewDecision } from '../shared/reviews/domain/review-decision';
import { instanceOrchestrationId, seriesInstanceId } from '../shared/reviews/contract';
import { reviewDecisionId, reviewInstanceId } from '../shared/reviews/domain/review-ids';
import { getAppServices, type AppServices } from '../shared/composition-root';
import { printTable, type BenchRow } from './table';

const ROOT = path.resolve(__dirname, '..', '..');
const PRINCIPALS = Number(process.env.BENCH_REVIEW_PRINCIPALS ?? 10_000);
const DENIED = Number(process.env.BENCH_REVIEW_DENIED ?? Math.round(PRINCIPALS / 5));
const THROTTLE_RATE = 0.05;
const ADMIN_UPN = 'admin@pimflow.example';
const DAY_MS = 86_400_000;

export async function runAccessReviewBench(tls: TlsMaterial): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-review-bench-'));
  const azurite = await ensureAzurite({
    location: path.join(dir, 'azurite'),
    blobPort: 21130,
    queuePort: 21131,
    tablePort: 21132,
  });
  const dev = await startDevEnvironment({
    dir: path.join(dir, 'standins'),
    tls,
    ports: { cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 },
    mailRetryAfterSeconds: 0,
  });
  const hub = `ReviewBench${Date.now()}`;
  let rt: LocalRuntime | undefined;
  try {
    const { users, groupId, adminId } = await seedGraph(dev);
    rt = await startRuntime({
      appDir: ROOT,
      port: 0,
      hubName: hub,
      storageConnectionString: azurite.connectionString,
      settings: { PIMFLOW_TASK_HUB: hub },
      settingsFor: (origin) => ({
        ...dev.settingsFor(origin),
        ADMIN_NOTIFICATION_RECIPIENTS: '',
        DRIFT_CHECK_SCHEDULE: '0 0 0 1 1 *',
        RECONCILE_SCHEDULE: '0 0 3 * * *',
      }),
      log: () => undefined,
    });
    const api = await client(rt, dev);
    await api('managedGroups', 'POST', { groupId }, 201);
    const services = await getAppServices();

    const seedStart = performance.now();
    const schedules = await seedSchedules(services, groupId, users);
    const seedMs = performance.now() - seedStart;

    // A review created through the API, as an admin would: the series starts it at once, and its instance
    // snapshots the 10,000 assignments with recommendations from sign-in activity. Then it is deleted again.
    const apiCreate = await createThroughApi(api, services, groupId, adminId);

    // 2,000 denied, spread over the list; the rest approved.
    const denied = new Set(
      users.filter((_, i) => i % Math.round(PRINCIPALS / DENIED) === 0).slice(0, DENIED),
    );
    const createStart = performance.now();
    const review = await seedReview(services, groupId, adminId, users, schedules, denied);
    const createMs = performance.now() - createStart;

    await rt.waitForIdle();
    dev.graph.setFaults({ throttleRate: THROTTLE_RATE, retryAfterSeconds: 1 });
    const before = dev.graph.requestCounts();
    const applyStart = performance.now();
    await api(
      `identityGovernance/accessReviews/definitions/${review.definitionId}/instances/${review.instanceId}/applyDecisions`,
      'POST',
      undefined,
      204,
    );
    for (;;) {
      const instance = await services.reviews.instances.get(review.instanceId, review.definitionId);
      if (instance.status === 'Applied') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const applyMs = performance.now() - applyStart;
    const after = dev.graph.requestCounts();
    dev.graph.setFaults({});
    await rt.waitForIdle();

    const members = new Set(dev.graph.state.group(groupId)?.members ?? []);
    const missed = [...denied].filter((id) => members.has(id)).length;
    const extra = users.filter((id) => !denied.has(id) && !members.has(id)).length;
    const decisions = await allDecisions(services, review.instanceId);
    const results = countBy(decisions, (d) => d.applyResult);
    const revoked = await countRevoked(services, groupId);
    const requests = after.requests - before.requests;
    const posts = (after.byMethod.POST ?? 0) - (before.byMethod.POST ?? 0);
    const sub = after.batchSubRequests - before.batchSubRequests;
    const perRemoval = posts / DENIED;

    const rows: BenchRow[] = [
      {
        metric: `seed ${users.length} active schedules into Cosmos (s; Graph memberships seeded directly)`,
        value: seedMs / 1000,
      },
      {
        metric: `write the completed instance and ${users.length} decision items (s; through ReviewStore)`,
        value: createMs / 1000,
      },
      {
        metric: `create a review through the API: instance InProgress with ${apiCreate.items} items and recommendations (s)`,
        value: apiCreate.ms / 1000,
      },
      {
        metric: 'recommendations: Approve / Deny / NoInfoAvailable',
        value: `${apiCreate.recommendations.Approve ?? 0} / ${apiCreate.recommendations.Deny ?? 0} / ${apiCreate.recommendations.NoInfoAvailable ?? 0}`,
      },
      {
        metric: `apply ${DENIED} denials, 5% of Graph requests throttled (s)`,
        value: applyMs / 1000,
        target: '≤ 60',
        ok: applyMs <= 60_000,
      },
      {
        metric: 'Graph requests during the apply: $batch POSTs / all / $batch sub-requests',
        value: `${posts} / ${requests} / ${sub}`,
      },
      {
        metric: 'Graph requests per removal ($batch POSTs / denials; floor 0.05)',
        value: perRemoval.toFixed(3),
        target: '≤ 0.06',
        ok: perRemoval <= 0.06,
      },
      {
        metric: 'sub-requests resent after a 429 (sub-requests − denials)',
        value: sub - DENIED,
      },
      { metric: 'missed removals (denied, still a member)', value: missed, target: '0', ok: missed === 0 },
      {
        metric: 'extra removals (not denied, no longer a member)',
        value: extra,
        target: '0',
        ok: extra === 0,
      },
      {
        metric: 'applyResult: AppliedSuccessfully / other applied / New (not denied)',
        value: `${results.AppliedSuccessfully ?? 0} / ${decisions.length - (results.AppliedSuccessfully ?? 0) - (results.New ?? 0)} / ${results.New ?? 0}`,
        target: `${DENIED} / 0 / ${users.length - DENIED}`,
        ok: results.AppliedSuccessfully === DENIED && results.New === users.length - DENIED,
      },
      { metric: 'schedules Revoked', value: revoked, target: String(DENIED), ok: revoked === DENIED },
    ];
    printTable(
      `Access review apply: ${users.length} principals, ${DENIED} denied, ${THROTTLE_RATE * 100}% of Graph requests answered 429 (local runtime + stand-ins, ${os.cpus().length} cores)`,
      rows,
    );
  } finally {
    await rt?.stop();
    await dev.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** POST definitions (one-time, starting now, recommendations on) and wait until its instance is InProgress. */
async function createThroughApi(
  api: Api,
  services: AppServices,
  groupId: string,
  adminId: string,
): Promise<{ ms: number; items: number; recommendations: Record<string, number> }> {
  const start = performance.now();
  const definition = (await api(
    'identityGovernance/accessReviews/definitions',
    'POST',
    {
      displayName: 'Bench: review of the big group',
      scope: {
        roles: [{ groupId, accessId: 'member' }],
        assignmentTypes: 'active',
        principalTypes: ['user'],
      },
      reviewers: [{ query: `/users/${adminId}`, queryType: 'MicrosoftGraph' }],
      settings: { instanceDurationInDays: 7, recommendationsEnabled: true },
    },
    201,
  )) as { id: string };
  let instanceId: string | undefined;
  for (;;) {
    const page = await services.reviews.listInstances(definition.id, 10);
    const instance = page.items[0];
    if (instance?.status === 'InProgress') {
      instanceId = instance.id;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ms = performance.now() - start;
  const decisions = await allDecisions(services, instanceId);
  await api(`identityGovernance/accessReviews/definitions/${definition.id}`, 'DELETE', undefined, 204);
  return {
    ms,
    items: decisions.length,
    recommendations: countBy(decisions, (d) => d.recommendation),
  };
}

/** PRINCIPALS users, all members of one group owned by the admin, straight into the Graph stand-in. */
async function seedGraph(
  dev: DevEnvironment,
): Promise<{ users: string[]; groupId: string; adminId: string }> {
  const now = new Date();
  const admin = dev.graph.state.users().find((u) => u.userPrincipalName === ADMIN_UPN);
  if (!admin) throw new Error('No demo admin');
  const users = Array.from({ length: PRINCIPALS }, (_, i) => ({
    id: randomUUID(),
    userPrincipalName: `review.user${i}@pimflow.example`,
    displayName: `Review User ${String(i).padStart(5, '0')}`,
    givenName: null,
    surname: null,
    mail: `review.user${i}@pimflow.example`,
    jobTitle: null,
    department: null,
    officeLocation: null,
    accountEnabled: true,
    managerId: admin.id,
    createdDateTime: now.toISOString(),
    signInActivity: {
      // One in five hasn't signed in for 60 days: the recommendations deny them.
      lastSignInDateTime: new Date(now.getTime() - (i % 5 === 0 ? 60 : 2) * DAY_MS).toISOString(),
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null,
    },
  }));
  const groupId = randomUUID();
  await dev.graph.state.change((data) => {
    data.users.push(...users);
    data.groups.push({
      id: groupId,
      displayName: 'Review Bench Group',
      description: null,
      mailNickname: 'review-bench-group',
      mail: null,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      isAssignableToRole: false,
      visibility: null,
      members: users.map((u) => u.id),
      owners: [admin.id],
      createdDateTime: now.toISOString(),
    });
  });
  return { users: users.map((u) => u.id), groupId, adminId: admin.id };
}

/** One active (assigned, permanent) member schedule per user; schedule id by principal. */
async function seedSchedules(
  services: AppServices,
  groupId: string,
  users: string[],
): Promise<Map<string, string>> {
  const now = services.clock.now().toISOString();
  const byPrincipal = new Map<string, string>();
  await inParallel(users, 50, async (principalId) => {
    const id = randomUUID();
    byPrincipal.set(principalId, id);
    const schedule: Schedule = {
      id,
      groupId,
      kind: 'assignment',
      principalId,
      accessId: 'member',
      memberType: 'direct',
      assignmentType: 'assigned',
      status: 'Provisioned',
      scheduleInfo: { startDateTime: now, expiration: { type: 'noExpiration' } },
      startDateTime: now,
      endDateTime: null,
      createdUsing: id,
      activatedUsing: null,
      createdDateTime: now,
      modifiedDateTime: now,
    };
    await services.store.schedules.create(schedule);
  });
  return byPrincipal;
}

async function seedReview(
  services: AppServices,
  groupId: string,
  adminId: string,
  users: string[],
  schedules: Map<string, string>,
  denied: Set<string>,
): Promise<{ definitionId: string; instanceId: string }> {
  const now = services.clock.now().toISOString();
  const definitionId = randomUUID();
  const instanceId = reviewInstanceId(definitionId, 0, groupId, 'member');
  const reviewers = [{ query: `/users/${adminId}`, queryType: 'MicrosoftGraph' as const }];
  await services.reviews.definitions.create({
    id: definitionId,
    displayName: 'Bench review',
    descriptionForAdmins: null,
    descriptionForReviewers: null,
    scope: {
      roles: [{ groupId, accessId: 'member' }],
      assignmentTypes: 'active',
      principalTypes: ['user'],
      inactiveDurationInDays: null,
    },
    reviewers,
    fallbackReviewers: [],
    additionalNotificationRecipients: [],
    settings: {
      instanceDurationInDays: 7,
      recurrence: null,
      autoApplyDecisionsEnabled: false,
      defaultDecisionEnabled: false,
      defaultDecision: 'Recommendation',
      recommendationsEnabled: true,
      recommendationLookBackDuration: 'P30D',
      justificationRequiredOnApproval: false,
      mailNotificationsEnabled: false,
      reminderNotificationsEnabled: false,
    },
    status: 'Completed',
    createdBy: { id: adminId, displayName: 'PIM Admin', userPrincipalName: ADMIN_UPN },
    createdDateTime: now,
    lastModifiedDateTime: now,
    orchestrationInstanceId: seriesInstanceId(definitionId),
  });
  await services.reviews.instances.create({
    id: instanceId,
    definitionId,
    occurrence: 0,
    groupId,
    accessId: 'member',
    groupDisplayName: 'Review Bench Group',
    startDateTime: now,
    endDateTime: now,
    status: 'Completed',
    reviewers,
    fallbackReviewers: [],
    contactedReviewerIds: [adminId],
    stoppedBy: null,
    completedDateTime: now,
    appliedDateTime: null,
    orchestrationInstanceId: instanceOrchestrationId(instanceId),
  });
  await inParallel(users, 50, async (principalId, i) => {
    const scheduleId = schedules.get(principalId) as string;
    const deny = denied.has(principalId);
    const item: ReviewDecision = {
      id: reviewDecisionId(instanceId, scheduleId),
      instanceId,
      definitionId,
      accessReviewId: definitionId,
      principal: {
        id: principalId,
        displayName: `Review User ${String(i).padStart(5, '0')}`,
        userPrincipalName: `review.user${i}@pimflow.example`,
        type: 'user',
      },
      resource: { groupId, accessId: 'member', displayName: 'Review Bench Group' },
      scheduleId,
      assignmentType: 'active',
      lastSignInDateTime: null,
      recommendation: deny ? 'Deny' : 'Approve',
      decision: deny ? 'Deny' : 'Approve',
      justification: null,
      reviewedBy: { id: adminId, displayName: 'PIM Admin' },
      reviewedDateTime: now,
      reviewerIds: [adminId],
      applyResult: 'New',
      appliedBy: null,
      appliedDateTime: null,
    };
    await services.reviews.decisions.create(item);
  });
  return { definitionId, instanceId };
}

async function allDecisions(services: AppServices, instanceId: string): Promise<ReviewDecision[]> {
  const out: ReviewDecision[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await services.reviews.decisions.queryPage(
      'SELECT * FROM c WHERE c.instanceId = @i',
      { '@i': instanceId },
      { partitionKey: instanceId, pageSize: 1000, continuationToken },
    );
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

async function countRevoked(services: AppServices, groupId: string): Promise<number> {
  let count = 0;
  let continuationToken: string | undefined;
  do {
    const page = await services.store.schedules.queryPage(
      "SELECT * FROM c WHERE c.groupId = @g AND c.status = 'Revoked'",
      { '@g': groupId },
      { partitionKey: groupId, pageSize: 1000, continuationToken },
    );
    count += page.items.length;
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return count;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

type Api = (route: string, method: string, body: unknown, expectStatus: number) => Promise<unknown>;

async function client(rt: LocalRuntime, dev: DevEnvironment): Promise<Api> {
  const token = await dev.identity.issueUserToken({
    user: ADMIN_UPN,
    roles: ['PimFlow.Admin'],
    amr: ['pwd', 'mfa'],
  });
  return async (route, method, body, expectStatus) => {
    const res = await fetch(`${rt.urls.api}/${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== expectStatus) throw new Error(`${method} ${route} → ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
}

async function inParallel<T>(
  items: T[],
  width: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}
