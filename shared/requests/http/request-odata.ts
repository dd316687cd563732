/**
 * The OData of the request, schedule and instance collections of each resource API: which fields `$filter`
 * (`eq`, and `ne` on the enum fields) and `$orderby` take, what `$select` and `$expand` shape, and the query mapped
 * onto the store's list filter. Shared by the handlers (functions/schedule-requests.ts, functions/schedules.ts).
 */
import type { ListQuery } from '../../http/odata-query';
import type { Expansion, ODataResource } from '../../http/odata-shape';
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { ConditionField, FieldConditions, ListFilter, OrderField } from '../adapters/pim-store';
import type { RequestKind } from '../domain/request-body';
import type { ScheduleRequest } from '../domain/schedule-request';
import {
  groupExpansion,
  principalExpansion,
  roleDefinitionExpansion,
  scheduleExpansion,
  type ExpansionDeps,
} from './expansions';
import { storedFilters, type CollectionKind, type ResourceApi, type StoredFilters } from './resource-api';

/** `$filter` fields beyond the API's ids (API name = stored name), each taking `eq` and `ne`. */
function conditionFields(kind: RequestKind, what: CollectionKind): ConditionField[] {
  const assignment: ConditionField[] = kind === 'assignment' ? ['assignmentType'] : [];
  switch (what) {
    case 'ScheduleRequests':
      return ['status'];
    case 'Schedules':
      return ['status', 'memberType', ...assignment];
    case 'ScheduleInstances':
      return ['memberType', ...assignment];
  }
}

/** `$orderby` fields → the stored field. */
const ORDER_BY: Record<CollectionKind, Readonly<Record<string, OrderField>>> = {
  ScheduleRequests: { createdDateTime: 'createdDateTime' },
  Schedules: { createdDateTime: 'createdDateTime', 'scheduleInfo/startDateTime': 'startDateTime' },
  ScheduleInstances: { startDateTime: 'startDateTime', endDateTime: 'endDateTime' },
};

/** What pagedList offers on a collection. */
export function listOptions(api: ResourceApi, kind: RequestKind, what: CollectionKind) {
  const conditions = conditionFields(kind, what);
  return {
    filterFields: [...Object.keys(api.filterFields), ...conditions],
    notEqualFields: conditions,
    orderFields: Object.keys(ORDER_BY[what]),
  };
}

/** The store's filter for a list query: the ids (as stored), the enum conditions and the order. */
export function storeFilter(
  api: ResourceApi,
  kind: RequestKind,
  what: CollectionKind,
  query: ListQuery,
): StoredFilters & Pick<ListFilter, 'where' | 'orderBy'> {
  const where: FieldConditions = {};
  for (const field of conditionFields(kind, what)) {
    const eq = query.filters[field];
    const ne = query.excluded[field];
    if (eq !== undefined || ne) where[field] = { ...(eq !== undefined && { eq }), ...(ne && { ne }) };
  }
  const order = query.orderBy && ORDER_BY[what][query.orderBy.field];
  return {
    ...storedFilters(api, query.filters),
    where,
    ...(order && query.orderBy ? { orderBy: { field: order, direction: query.orderBy.direction } } : {}),
  };
}

function resourceExpansion<T extends { groupId: string; accessId: string }>(
  api: ResourceApi,
  deps: ExpansionDeps,
): Record<string, Expansion<T>> {
  return api.resourceExpansion === 'group'
    ? { group: groupExpansion<T>(deps) }
    : { roleDefinition: roleDefinitionExpansion<T>(deps) };
}

/** Requests: `principal`, `targetSchedule`, and `group` or `roleDefinition`. */
export function requestResource(api: ResourceApi, deps: ExpansionDeps): ODataResource<ScheduleRequest> {
  return {
    view: api.requestView,
    properties: api.properties.ScheduleRequests,
    expand: {
      principal: principalExpansion(deps),
      // The schedule an end, extend or renew targets; for any other request the one it made (same id).
      targetSchedule: scheduleExpansion<ScheduleRequest>(
        deps,
        (r) => r.targetScheduleId ?? r.id,
        api.scheduleView,
        api.properties.Schedules,
      ),
      ...resourceExpansion<ScheduleRequest>(api, deps),
    },
  };
}

/** Schedules or instances: `principal`, `group` or `roleDefinition`, and for assignments `activatedUsing`. */
export function scheduleResource(
  api: ResourceApi,
  kind: RequestKind,
  instances: boolean,
  deps: ExpansionDeps,
): ODataResource<Schedule> {
  const view = instances ? api.instanceView : api.scheduleView;
  const properties = instances ? api.properties.ScheduleInstances : api.properties.Schedules;
  return {
    view,
    properties,
    expand: {
      principal: principalExpansion(deps),
      ...resourceExpansion<Schedule>(api, deps),
      ...(kind === 'assignment'
        ? { activatedUsing: scheduleExpansion<Schedule>(deps, (s) => s.activatedUsing, view, properties) }
        : {}),
    },
  };
}
