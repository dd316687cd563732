/**
 * Drift detection (see docs/api/drift.md):
 * - timer `driftCheckTimer` on `%DRIFT_CHECK_SCHEDULE%` (NCRONTAB; daily at 02:00 UTC locally) starts one check,
 *   its instance id from the occurrence, so a timer that fires twice for one occurrence starts one check;
 * - `POST driftChecks` (admins): starts a check now → 202 { id, createdDateTime };
 * - `GET driftChecks/{id}` (admins, auditors): where a check stands, with its totals;
 * - the check's activities (orchestrations/drift-check.ts).
 */
import {
  app,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
  type Timer,
} from '@azure/functions';
import * as df from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { problem } from '../shared/http/problem';
import { registerActivity } from './register-activity';
import { ENDED_STATUSES, instanceStatus } from '../shared/durable/instance-status';
import {
  DriftActivity,
  DRIFT_ORCHESTRATOR,
  driftRunInstanceId,
  EMPTY_TOTALS,
  type DriftRunInput,
} from '../shared/drift/contract';
import { getAppServices } from '../shared/composition-root';

const idSchema = z.string().regex(/^drift-[A-Za-z0-9-]{1,80}$/, 'must be a drift check id (drift-...)');

/** Starts the run unless an instance with that id exists already (running or finished). */
async function startRun(client: df.DurableClient, instanceId: string, started: Date): Promise<boolean> {
  if (await instanceStatus(client, instanceId)) return false;
  const input: DriftRunInput = {
    runId: instanceId,
    startedDateTime: started.toISOString(),
    continuationToken: null,
    totals: { ...EMPTY_TOTALS },
  };
  await client.startNew(DRIFT_ORCHESTRATOR, { instanceId, input });
  return true;
}

export async function driftCheckTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const { clock } = await getAppServices();
  const next = (timer.scheduleStatus as Timer['scheduleStatus'] | null | undefined)?.next;
  // The occurrence this run is for: the host's "next" while it runs; the clock when there is no status.
  const occurrence = next ? new Date(next) : clock.now();
  const instanceId = driftRunInstanceId(Number.isNaN(occurrence.getTime()) ? clock.now() : occurrence);
  const started = await startRun(df.getClient(context), instanceId, clock.now());
  context.log(started ? `Drift check ${instanceId} started` : `Drift check ${instanceId} already exists`);
}

export async function startDriftCheck(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, z.strictObject({}).optional());
  if (!body.ok) return body.response;
  const now = services.clock.now();
  const instanceId = `drift-${randomUUID()}`;
  await startRun(df.getClient(context), instanceId, now);
  return {
    status: 202,
    headers: { location: `${request.url.replace(/\/$/, '')}/${instanceId}` },
    jsonBody: { id: instanceId, status: 'running', createdDateTime: now.toISOString() },
  };
}

export async function getDriftCheck(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin, APP_ROLES.auditor]);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const status = await instanceStatus(df.getClient(context), id.value);
  if (!status) return problem(404, `No drift check ${id.value}`);
  const running = !ENDED_STATUSES.has(status.runtimeStatus);
  return {
    jsonBody: {
      id: id.value,
      status: running ? 'running' : status.runtimeStatus === 'Completed' ? 'completed' : 'failed',
      createdDateTime: toIso(status.createdTime),
      lastUpdatedDateTime: toIso(status.lastUpdatedTime),
      totals: (running ? status.customStatus : status.output) ?? null,
    },
  };
}

function toIso(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

registerActivity(DriftActivity.listGroups, async (input) =>
  (await getAppServices()).driftActivities.listGroups(input),
);
registerActivity(DriftActivity.checkGroup, async (input) =>
  (await getAppServices()).driftActivities.checkGroup(input),
);

const durableClient = [df.input.durableClient()];
app.timer('driftCheckTimer', {
  schedule: '%DRIFT_CHECK_SCHEDULE%',
  extraInputs: durableClient,
  handler: driftCheckTimer,
});
app.http('driftChecksStart', {
  authLevel: 'anonymous',
  route: 'driftChecks',
  methods: ['POST'],
  extraInputs: durableClient,
  handler: startDriftCheck,
});
app.http('driftChecksGet', {
  authLevel: 'anonymous',
  route: 'driftChecks/{id}',
  methods: ['GET'],
  extraInputs: durableClient,
  handler: getDriftCheck,
});
