/**
 * Cosmos repositories for requests and schedules, with the open-request locks (request-locks.ts). Hot paths (a
 * request, an activity) read within the group's partition; lists by principal and lookups by id alone are
 * cross-partition, for the API.
 */
import type { Container, Database } from '@azure/cosmos';
import { z } from 'zod';
import { CosmosRepository, type Page, type Stored } from '../../storage/cosmos-repository';
import { AlreadyExistsError } from '../../storage/errors';
import {
  scheduleSchema,
  scheduleStatusSchema,
  type Schedule,
  type ScheduleStatus,
} from '../../lifecycle/domain/schedule';
import {
  OPEN_STATUSES,
  requestStatusSchema,
  scheduleRequestSchema,
  type ScheduleRequest,
} from '../domain/schedule-request';
import { lockSchema, RequestLocks } from './request-locks';
import type { RequestKind } from '../domain/request-body';
import type { ResourceType } from '../../access/resource';

export interface ListFilter {
  groupId?: string;
  principalId?: string;
  accessId?: string;
  kind: RequestKind;
  /**
   * Only documents of this resource type (the API's lists: a group route never shows a directory role's
   * documents, nor the other way round). Absent: any (callers that name the resource by groupId).
   */
  resourceType?: ResourceType;
  /** `eq` and `ne` conditions on the enum fields the API filters on (values in any casing). */
  where?: FieldConditions;
  /** The order of the list (default: newest first). */
  orderBy?: { field: OrderField; direction: 'asc' | 'desc' };
  pageSize: number;
  continuationToken?: string;
}

/** Enum fields the lists compare case-insensitively (Graph's enums take any casing). */
export const CONDITION_FIELDS = ['status', 'memberType', 'assignmentType'] as const;
/** Each enum field's stored values: a filter value in any casing is compared as stored, so the index serves it. */
const STORED_VALUES: Record<(typeof CONDITION_FIELDS)[number], readonly string[]> = {
  status: [...new Set([...requestStatusSchema.options, ...scheduleStatusSchema.options])],
  memberType: scheduleSchema.shape.memberType.options,
  assignmentType: scheduleSchema.shape.assignmentType.unwrap().options,
};
export type ConditionField = (typeof CONDITION_FIELDS)[number];
export type FieldConditions = Partial<Record<ConditionField, { eq?: string; ne?: string[] }>>;
/** Fields a list can be ordered by (single-field ORDER BY: no composite index needed). */
export const ORDER_FIELDS = ['createdDateTime', 'startDateTime', 'endDateTime'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

export class PimStore {
  readonly requests: CosmosRepository<ScheduleRequest>;
  readonly schedules: CosmosRepository<Schedule>;
  /** The open-request slots (one per principal and group role). */
  readonly locks: RequestLocks;

  constructor(database: Database) {
    this.requests = repo(database.container('scheduleRequests'), scheduleRequestSchema);
    this.schedules = repo(database.container('schedules'), scheduleSchema);
    this.locks = new RequestLocks(repo(database.container('requestLocks'), lockSchema), this.requests);
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
   * The principal's latest request of a kind for a group role, if made in the last `withinMs` with this
   * fingerprint: a POST retried after its answer was lost gets it back instead of a second request (or a 409).
   * Only the latest counts: after a deactivation, the same activation asked again is a new request.
   */
  async latestSameRequest(
    f: { groupId: string; principalId: string; accessId: string; kind: RequestKind },
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

  listRequests(f: ListFilter & { createdBy?: string }): Promise<Page<Stored<ScheduleRequest>>> {
    const [where, params] = filterClause(f, { createdBy: 'c.createdBy.user.id' });
    return this.requests.queryPage(
      `SELECT * FROM c WHERE ${where} ${orderClause(f, 'createdDateTime')}`,
      params,
      scope(f),
    );
  }

  /** How many requests listRequests would list over all its pages. */
  countRequests(f: Omit<ListFilter & { createdBy?: string }, 'pageSize'>): Promise<number> {
    const [where, params] = filterClause(f, { createdBy: 'c.createdBy.user.id' });
    return this.requests.count(where, params, countScope(f));
  }

  /**
   * Schedules: by default the current and future ones; `inForceAt` only those in force then; `expiredSince` adds
   * the ones that expired since then (the API lists expired schedules for 30 days); `status` only those.
   */
  listSchedules(
    f: ListFilter & { inForceAt?: Date; expiredSince?: Date; status?: ScheduleStatus },
  ): Promise<Page<Stored<Schedule>>> {
    const [clause, params] = scheduleClause(f);
    return this.schedules.queryPage(
      `SELECT * FROM c WHERE ${clause} ${orderClause(f, 'startDateTime')}`,
      params,
      scope(f),
    );
  }

  /** How many schedules listSchedules would list over all its pages. */
  countSchedules(f: Omit<ScheduleListFilter, 'pageSize'>): Promise<number> {
    const [clause, params] = scheduleClause(f);
    return this.schedules.count(clause, params, countScope(f));
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

type ScheduleListFilter = ListFilter & { inForceAt?: Date; expiredSince?: Date; status?: ScheduleStatus };

/** listSchedules' condition: the filter, and which schedules by status and time. */
function scheduleClause(f: Omit<ScheduleListFilter, 'pageSize'>): [string, Record<string, string>] {
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
  return [clause, params];
}

function repo<T extends { id: string; groupId: string }>(
  container: Container,
  schema: z.ZodType<T>,
): CosmosRepository<T> {
  return new CosmosRepository<T>({ container, schema, partitionKeyOf: (d) => d.groupId });
}

function countScope(f: { groupId?: string }) {
  return f.groupId ? { partitionKey: f.groupId } : { crossPartition: true as const };
}

function orderClause(f: Pick<ListFilter, 'orderBy'>, defaultField: OrderField): string {
  const order = f.orderBy ?? { field: defaultField, direction: 'desc' };
  return `ORDER BY c.${order.field} ${order.direction === 'asc' ? 'ASC' : 'DESC'}`;
}

function scope(f: ListFilter) {
  const base = { pageSize: f.pageSize, continuationToken: f.continuationToken };
  return f.groupId ? { ...base, partitionKey: f.groupId } : { ...base, crossPartition: true as const };
}

function filterClause(
  f: Omit<ListFilter, 'pageSize'> & { createdBy?: string },
  fields: { createdBy?: string },
): [string, Record<string, string>] {
  const clauses = ['c.kind = @kind'];
  const params: Record<string, string> = { '@kind': f.kind };
  // Documents written before Entra roles have no resourceType: they are groups.
  if (f.resourceType === 'group')
    clauses.push("(NOT IS_DEFINED(c.resourceType) OR c.resourceType = 'group')");
  if (f.resourceType === 'directoryRole') clauses.push("c.resourceType = 'directoryRole'");
  if (f.resourceType === 'azureRole') clauses.push("c.resourceType = 'azureRole'");
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
  for (const field of CONDITION_FIELDS) {
    const condition = f.where?.[field];
    // A value that is no stored value matches nothing (eq) and excludes nothing (ne), as it is.
    const stored = (value: string) =>
      STORED_VALUES[field].find((v) => v.toLowerCase() === value.toLowerCase()) ?? value;
    if (condition?.eq !== undefined) {
      clauses.push(`c.${field} = @${field}Is`);
      params[`@${field}Is`] = stored(condition.eq);
    }
    condition?.ne?.forEach((value, i) => {
      // A document without the field (an eligibility's assignmentType) is not equal to any value.
      clauses.push(`(NOT IS_DEFINED(c.${field}) OR IS_NULL(c.${field}) OR c.${field} != @${field}Not${i})`);
      params[`@${field}Not${i}`] = stored(value);
    });
  }
  if (f.createdBy && fields.createdBy) {
    clauses.push(`${fields.createdBy} = @createdBy`);
    params['@createdBy'] = f.createdBy;
  }
  return [clauses.join(' AND '), params];
}
