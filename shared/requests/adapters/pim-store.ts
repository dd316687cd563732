/**
 * Cosmos repositories for requests, schedules and the open-request locks. Hot paths (a request, an activity)
 * read within the group's partition; lists by principal and lookups by id alone are cross-partition, for the API.
 */
import type { Container, Database } from '@azure/cosmos';
import { z } from 'zod';
import { CosmosRepository, type Page, type Stored } from '../../storage/cosmos-repository';
import { AlreadyExistsError, NotFoundError } from '../../storage/errors';
import { scheduleSchema, type Schedule, type ScheduleStatus } from '../../lifecycle/domain/schedule';
import { OPEN_STATUSES, scheduleRequestSchema, type ScheduleRequest } from '../domain/schedule-request';

const lockSchema = z.object({
  id: z.string(),
  groupId: z.string(),
  requestId: z.string(),
  /** When the slot was taken, and the fingerprint of the POST that took it (absent on locks of older code). */
  createdDateTime: z.iso.datetime().optional(),
  idempotencyKey: z.string().optional(),
});

/**
 * How long a slot whose request is not stored yet is kept for its POST (which starts the orchestration, then stores
 * the request): the request orchestration waits as long for the document before it gives up and frees the slot.
 */
export const UNSTORED_LOCK_GRACE_MS = 2 * 60_000;

/** Taking the open-request slot: taken; held by another open request; or held by this same POST, retried. */
export type LockResult =
  | { outcome: 'taken' }
  | { outcome: 'held'; holderId: string }
  | { outcome: 'sameRequest'; requestId: string };

export interface ListFilter {
  groupId?: string;
  principalId?: string;
  accessId?: string;
  kind: 'assignment' | 'eligibility';
  pageSize: number;
  continuationToken?: string;
}

export class PimStore {
  readonly requests: CosmosRepository<ScheduleRequest>;
  readonly schedules: CosmosRepository<Schedule>;
  private readonly locks: CosmosRepository<z.infer<typeof lockSchema>>;

  constructor(database: Database) {
    this.requests = repo(database.container('scheduleRequests'), scheduleRequestSchema);
    this.schedules = repo(database.container('schedules'), scheduleSchema);
    this.locks = repo(database.container('requestLocks'), lockSchema);
  }

  /** A request by id alone (the API's `/{id}`): a cross-partition point query. */
  async findRequest(id: string): Promise<Stored<ScheduleRequest> | undefined> {
    const page = await this.requests.queryPage(
      'SELECT * FROM c WHERE c.id = @id',
      { '@id': id },
      { crossPartition: true, pageSize: 1 },
    );
    return page.items[0];
  }

  async findSchedule(id: string, groupId?: string): Promise<Stored<Schedule> | undefined> {
    if (groupId) return this.schedules.find(id, groupId);
    const page = await this.schedules.queryPage(
      'SELECT * FROM c WHERE c.id = @id',
      { '@id': id },
      { crossPartition: true, pageSize: 1 },
    );
    return page.items[0];
  }

  /**
   * Takes the one open-request slot of a principal for a group role for `requestId`. A slot held by a finished
   * request, or by a request never stored whose POST is long gone (a crash between taking it and storing the
   * request), is reclaimed. A slot taken by the same POST (same fingerprint: a client retrying after a lost answer)
   * is that POST's: its request id is returned so the retry finishes the same request instead of a second one.
   */
  async lockOpenRequest(
    groupId: string,
    principalId: string,
    accessId: string,
    requestId: string,
    idempotencyKey: string,
    now: Date,
  ): Promise<LockResult> {
    const id = `${principalId}:${accessId}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.locks.create({
          id,
          groupId,
          requestId,
          createdDateTime: now.toISOString(),
          idempotencyKey,
        });
        return { outcome: 'taken' };
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
      const lock = await this.locks.find(id, groupId);
      if (!lock) continue;
      const holder = await this.requests.find(lock.requestId, groupId);
      const same = lock.idempotencyKey !== undefined && lock.idempotencyKey === idempotencyKey;
      if (holder && OPEN_STATUSES.includes(holder.status)) {
        return same
          ? { outcome: 'sameRequest', requestId: holder.id }
          : { outcome: 'held', holderId: holder.id };
      }
      if (!holder) {
        if (same) return { outcome: 'sameRequest', requestId: lock.requestId };
        const age = lock.createdDateTime ? now.getTime() - Date.parse(lock.createdDateTime) : Infinity;
        // Its POST may still be storing it: keep the slot for it until its orchestration would give up.
        if (age < UNSTORED_LOCK_GRACE_MS) return { outcome: 'held', holderId: lock.requestId };
      }
      await this.deleteLock(lock);
    }
    throw new Error('Could not take the open-request slot: it keeps changing');
  }

  /**
   * The principal's latest request of a kind for a group role, if made in the last `withinMs` with this
   * fingerprint: a POST retried after its answer was lost gets it back instead of a second request (or a 409).
   * Only the latest counts: after a deactivation, the same activation asked again is a new request.
   */
  async latestSameRequest(
    f: { groupId: string; principalId: string; accessId: string; kind: 'assignment' | 'eligibility' },
    idempotencyKey: string,
    since: Date,
  ): Promise<Stored<ScheduleRequest> | undefined> {
    const page = await this.requests.queryPage(
      'SELECT * FROM c WHERE c.kind = @kind AND c.principalId = @principalId AND c.accessId = @accessId AND c.createdDateTime >= @since ORDER BY c.createdDateTime DESC',
      {
        '@kind': f.kind,
        '@principalId': f.principalId,
        '@accessId': f.accessId,
        '@since': since.toISOString(),
      },
      { partitionKey: f.groupId, pageSize: 1 },
    );
    const latest = page.items[0];
    return latest?.idempotencyKey === idempotencyKey ? latest : undefined;
  }

  /** Frees the slot held by a request, whoever it belongs to (the request may never have been stored). */
  async releaseSlotOf(groupId: string, requestId: string): Promise<void> {
    const page = await this.locks.queryPage(
      'SELECT * FROM c WHERE c.requestId = @requestId',
      { '@requestId': requestId },
      { partitionKey: groupId, pageSize: 10 },
    );
    for (const lock of page.items) await this.deleteLock(lock);
  }

  /** Stores a new request; a retried POST finding it already stored leaves it as it is. */
  async createRequestIfAbsent(request: ScheduleRequest): Promise<void> {
    try {
      await this.requests.create(request);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }

  /** Records who canceled an open request (the first cancel stands); false when the request is no longer open. */
  async markCancelRequested(
    requestId: string,
    groupId: string,
    by: { id: string; displayName: string | null },
    now: Date,
  ): Promise<boolean> {
    const { document } = await this.requests.update(requestId, groupId, (r) =>
      OPEN_STATUSES.includes(r.status) && !r.cancelRequested
        ? { ...r, cancelRequested: { by, dateTime: now.toISOString() } }
        : undefined,
    );
    return OPEN_STATUSES.includes(document.status);
  }

  /** An end request's end reached its target (or there was nothing left to end): the reconciler stops re-sending. */
  async markEndDelivered(requestId: string, groupId: string, now: Date): Promise<void> {
    await this.requests.update(requestId, groupId, (r) =>
      r.deliveredDateTime ? undefined : { ...r, deliveredDateTime: now.toISOString() },
    );
  }

  /** Open requests made before `before`, across groups, a page at a time (the reconciler's work list). */
  openRequestsBefore(before: Date, pageSize: number, continuationToken?: string) {
    return this.requests.queryPage(
      `SELECT * FROM c WHERE c.status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')}) AND c.createdDateTime < @before`,
      { '@before': before.toISOString() },
      { crossPartition: true, pageSize, continuationToken },
    );
  }

  /** End requests (selfDeactivate, adminRemove) whose end the target's orchestration hasn't confirmed yet. */
  undeliveredEndsBefore(before: Date, pageSize: number, continuationToken?: string) {
    return this.requests.queryPage(
      "SELECT * FROM c WHERE c.action IN ('selfDeactivate', 'adminRemove') AND IS_NULL(c.deliveredDateTime) AND c.createdDateTime < @before",
      { '@before': before.toISOString() },
      { crossPartition: true, pageSize, continuationToken },
    );
  }

  async releaseOpenRequest(
    groupId: string,
    principalId: string,
    accessId: string,
    requestId: string,
  ): Promise<void> {
    const lock = await this.locks.find(`${principalId}:${accessId}`, groupId);
    if (!lock || lock.requestId !== requestId) return;
    await this.deleteLock(lock);
  }

  /** Deletes a slot at the ETag it was read with; one already gone is fine. */
  private async deleteLock(lock: Stored<z.infer<typeof lockSchema>>): Promise<void> {
    await this.locks.delete(lock.id, lock.groupId, lock._etag).catch((err: unknown) => {
      if (!(err instanceof NotFoundError)) throw err;
    });
  }

  listRequests(f: ListFilter & { createdBy?: string }): Promise<Page<Stored<ScheduleRequest>>> {
    const [where, params] = filterClause(f, { createdBy: 'c.createdBy.user.id' });
    return this.requests.queryPage(
      `SELECT * FROM c WHERE ${where} ORDER BY c.createdDateTime DESC`,
      params,
      scope(f),
    );
  }

  /**
   * Schedules: by default the current and future ones; `inForceAt` only those in force then; `expiredSince` adds
   * the ones that expired since then (the API lists expired schedules for 30 days); `status` only those.
   */
  listSchedules(
    f: ListFilter & { inForceAt?: Date; expiredSince?: Date; status?: ScheduleStatus },
  ): Promise<Page<Stored<Schedule>>> {
    const [where, params] = filterClause(f, {});
    let clause = where;
    if (f.inForceAt) {
      const at = f.inForceAt.toISOString();
      clause +=
        " AND c.status = 'Provisioned' AND c.startDateTime <= @at AND (IS_NULL(c.endDateTime) OR c.endDateTime > @at)";
      params['@at'] = at;
    } else if (f.status) {
      clause += ' AND c.status = @status';
      params['@status'] = f.status;
    } else if (f.expiredSince) {
      clause +=
        " AND (c.status IN ('Scheduled', 'Provisioned') OR (c.status = 'Expired' AND c.endDateTime >= @since))";
      params['@since'] = f.expiredSince.toISOString();
    } else {
      clause += " AND c.status IN ('Scheduled', 'Provisioned')";
    }
    return this.schedules.queryPage(
      `SELECT * FROM c WHERE ${clause} ORDER BY c.startDateTime DESC`,
      params,
      scope(f),
    );
  }

  /** The principal's eligibility for a group role in force at `at`, if any (single partition). */
  async eligibilityInForce(
    groupId: string,
    principalId: string,
    accessId: string,
    at: Date,
  ): Promise<Stored<Schedule> | undefined> {
    const page = await this.listSchedules({
      groupId,
      principalId,
      accessId,
      kind: 'eligibility',
      inForceAt: at,
      pageSize: 1,
    });
    return page.items[0];
  }
}

function repo<T extends { id: string; groupId: string }>(
  container: Container,
  schema: z.ZodType<T>,
): CosmosRepository<T> {
  return new CosmosRepository<T>({ container, schema, partitionKeyOf: (d) => d.groupId });
}

function scope(f: ListFilter) {
  const base = { pageSize: f.pageSize, continuationToken: f.continuationToken };
  return f.groupId ? { ...base, partitionKey: f.groupId } : { ...base, crossPartition: true as const };
}

function filterClause(
  f: ListFilter & { createdBy?: string },
  fields: { createdBy?: string },
): [string, Record<string, string>] {
  const clauses = ['c.kind = @kind'];
  const params: Record<string, string> = { '@kind': f.kind };
  if (f.groupId) {
    clauses.push('c.groupId = @groupId');
    params['@groupId'] = f.groupId;
  }
  if (f.principalId) {
    clauses.push('c.principalId = @principalId');
    params['@principalId'] = f.principalId;
  }
  if (f.accessId) {
    clauses.push('c.accessId = @accessId');
    params['@accessId'] = f.accessId;
  }
  if (f.createdBy && fields.createdBy) {
    clauses.push(`${fields.createdBy} = @createdBy`);
    params['@createdBy'] = f.createdBy;
  }
  return [clauses.join(' AND '), params];
}
