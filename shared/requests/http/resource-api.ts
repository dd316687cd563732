/**
 * What distinguishes one Graph-shaped request API from another (PIM for Groups under
 * identityGovernance/privilegedAccess/group, PIM for Microsoft Entra roles under roleManagement/directory): its
 * routes, how its body maps onto the core's RequestBody, its `$filter` fields, its views and who may list. The
 * handlers (functions/schedule-requests.ts, functions/schedules.ts) are the same for every resource API.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import type { ResourceType } from '../../access/resource';
import type { CallerPrincipal } from '../../auth/principal';
import { EXPIRED_LISTED_MS, type Schedule } from '../../lifecycle/domain/schedule';
import { requestBodySchema, type RequestBody, type RequestKind } from '../domain/request-body';
import type { ScheduleRequest } from '../domain/schedule-request';
import { mayList } from './list-access';
import {
  INSTANCE_PROPERTIES,
  instanceView,
  REQUEST_PROPERTIES,
  requestView,
  SCHEDULE_PROPERTIES,
  scheduleView,
} from './request-view';

/** A stored request's or schedule's fields the lists filter on. */
export type StoredFilterField = 'groupId' | 'principalId' | 'accessId';
export type StoredFilters = Partial<Record<StoredFilterField, string>>;

export type CollectionKind = 'ScheduleRequests' | 'Schedules' | 'ScheduleInstances';

export interface ResourceApi {
  resourceType: ResourceType;
  /** The routes' base below /api. */
  base: string;
  /** A collection's route segment (and its functions' name prefix), e.g. `assignmentScheduleRequests`. */
  collection(kind: RequestKind, what: CollectionKind): string;
  /** A collection's entity set after `$metadata#` (its absolute `@odata.context` is built from it). */
  context(kind: RequestKind, what: CollectionKind): string;
  /** The POST body, validated and mapped onto the core's request. */
  bodySchema: z.ZodType<RequestBody>;
  /** `$filter` fields as the API names them → the stored field. */
  filterFields: Readonly<Record<string, StoredFilterField>>;
  requestView(r: ScheduleRequest): Record<string, unknown>;
  scheduleView(s: Schedule): Record<string, unknown>;
  instanceView(s: Schedule): Record<string, unknown>;
  /** What `$select` may name on each view. */
  properties: Readonly<Record<CollectionKind, readonly string[]>>;
  /** The `$expand` naming the resource a request or schedule is on: the group, or the role definition. */
  resourceExpansion: 'group' | 'roleDefinition';
  /** Undefined when the caller may list with these (stored) filters; else the 403 to answer. */
  mayList(
    canManageGroup: (caller: CallerPrincipal, groupId: string) => Promise<boolean>,
    caller: CallerPrincipal,
    filters: StoredFilters,
  ): Promise<HttpResponseInit | undefined>;
}

/** A list query's filters (API names) as stored fields. */
export function storedFilters(api: ResourceApi, filters: Record<string, string>): StoredFilters {
  const stored: StoredFilters = {};
  for (const [field, value] of Object.entries(filters)) {
    const target = api.filterFields[field];
    if (target) stored[target] = value;
  }
  return stored;
}

/**
 * Whether a schedule is one its collection lists now: an instance while in force; a schedule while scheduled or
 * provisioned, and for 30 days after it expired (as PimStore.listSchedules selects them).
 */
export function scheduleListed(s: Schedule, instances: boolean, now: Date): boolean {
  const at = now.getTime();
  if (instances)
    return (
      s.status === 'Provisioned' &&
      Date.parse(s.startDateTime) <= at &&
      (s.endDateTime === null || Date.parse(s.endDateTime) > at)
    );
  if (s.status === 'Scheduled' || s.status === 'Provisioned') return true;
  return (
    s.status === 'Expired' && s.endDateTime !== null && Date.parse(s.endDateTime) >= at - EXPIRED_LISTED_MS
  );
}

/** PIM for Groups, as it has always answered. */
export const GROUP_API: ResourceApi = {
  resourceType: 'group',
  base: 'identityGovernance/privilegedAccess/group',
  collection: (kind, what) => `${kind}${what}`,
  context: (kind, what) => `identityGovernance/privilegedAccess/group/${kind}${what}`,
  bodySchema: requestBodySchema,
  filterFields: { groupId: 'groupId', principalId: 'principalId', accessId: 'accessId' },
  requestView,
  scheduleView,
  instanceView,
  properties: {
    ScheduleRequests: REQUEST_PROPERTIES,
    Schedules: SCHEDULE_PROPERTIES,
    ScheduleInstances: INSTANCE_PROPERTIES,
  },
  resourceExpansion: 'group',
  mayList,
};
