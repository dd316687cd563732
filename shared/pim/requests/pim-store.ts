/**
 * Cosmos repositories for requests, schedules and the open-request locks. Hot paths (a request, an activity)
 * read within the group's partition; lists by principal and lookups by id alone are cross-partition, for the API.
 */
import type { Container, Database } from '@azure/cosmos';
import { z } from 'zod';
import { CosmosRepository, type Page, type Stored } from '../../storage/cosmos-repository';
import { AlreadyExistsError, NotFoundError } from '../../storage/errors';
import { scheduleSchema, type Schedule, type ScheduleStatus } from '../schedules/schedule';
import { OPEN_STATUSES, scheduleRequestSchema, type ScheduleRequest } from './schedule-request';

const lockSchema = z.object({ id: z.string(), groupId: z.string(), requestId: z.string() });

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
   * Takes the one open-request slot of a principal for a group role. Returns the holder's request id if taken by a
   * request that is still open; a slot left by a finished request (a crash before it was released) is reclaimed.
   */
  async lockOpenRequest(
    groupId: string,
    principalId: string,
    accessId: string,
    requestId: string,
  ): Promise<string | undefined> {
    const id = `${principalId}:${accessId}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.locks.create({ id, groupId, requestId });
        return undefined;
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
      const lock = await this.locks.find(id, groupId);
      if (!lock) continue;
      const holder = await this.requests.find(lock.requestId, groupId);
      if (holder && OPEN_STATUSES.includes(holder.status)) return holder.id;
      await this.locks.delete(id, groupId, lock._etag).catch((err: unknown) => {
        if (!(err instanceof NotFoundError)) throw err;
      });
    }
    throw new Error('Could not take the open-request slot: it keeps changing');
  }

  async releaseOpenRequest(
    groupId: string,
    principalId: string,
    accessId: string,
    requestId: string,
  ): Promise<void> {
    const lock = await this.locks.find(`${principalId}:${accessId}`, groupId);
    if (!lock || lock.requestId !== requestId) return;
    await this.locks.delete(lock.id, groupId, lock._etag).catch((err: unknown) => {
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
