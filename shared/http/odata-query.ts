/**
 * What the paged lists accept: `$filter` with `field eq 'value'` clauses on the given fields (and `ne` where the
 * list says so), joined by `and`; `$top`; `$skiptoken` from `@odata.nextLink`; and, where the list offers them,
 * `$orderby`, `$count`, `$select` and `$expand`. Built on the shared OData parser (odata.ts, odata-shape.ts).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { checkQueryOptions, ODataError, parseFilter, parseSkipToken, parseTop } from './odata';
import { NO_SHAPING, parseShaping, type ODataResource, type Shaping } from './odata-shape';
import { problem } from './problem';

export type SortDirection = 'asc' | 'desc';

export interface ListQuery {
  /** `field eq 'value'` clauses: field → value. */
  filters: Record<string, string>;
  /** `field ne 'value'` clauses: field → the values excluded. */
  excluded: Record<string, string[]>;
  top: number;
  skipToken?: string;
  /** `$orderby`, when given. */
  orderBy?: { field: string; direction: SortDirection };
  /** `$count=true`: answer `@odata.count`. */
  count: boolean;
  /** `$select` and `$expand`. */
  shaping: Shaping;
}

export interface ListQueryOptions<T = unknown> {
  /** Fields `$filter` may name. */
  filterFields: readonly string[];
  /** Fields `$filter` may compare with `ne` as well as `eq`. */
  notEqualFields?: readonly string[];
  /** Fields `$orderby` may name. */
  orderFields?: readonly string[];
  /** Whether `$count` is offered. */
  countable?: boolean;
  /** The resource `$select` and `$expand` shape (none: they are refused). */
  resource?: ODataResource<T>;
  maxTop?: number;
}

export function parseListQuery<T>(
  request: HttpRequest,
  allowed: readonly string[] | ListQueryOptions<T>,
): ListQuery {
  const o: ListQueryOptions<T> = isFieldList(allowed) ? { filterFields: allowed } : allowed;
  const resource = o.resource;
  // A list with no filterable field refuses $filter as an unknown option (no "use <nothing>" message).
  checkQueryOptions(request, [
    ...(o.filterFields.length ? ['$filter'] : []),
    '$top',
    '$skiptoken',
    ...(o.orderFields?.length ? ['$orderby'] : []),
    ...(o.countable ? ['$count'] : []),
    ...(resource && resource.properties.length ? ['$select'] : []),
    ...(resource?.expand && Object.keys(resource.expand).length ? ['$expand'] : []),
  ]);
  const filters: Record<string, string> = {};
  const excluded: Record<string, string[]> = {};
  for (const clause of parseFilter(request.query.get('$filter'))) {
    if (!o.filterFields.includes(clause.field)) {
      throw new ODataError(`$filter on "${clause.field}" is not supported; use ${o.filterFields.join(', ')}`);
    }
    const ne = o.notEqualFields?.includes(clause.field) ?? false;
    if (!clause.quoted || !(clause.op === 'eq' || (ne && clause.op === 'ne'))) {
      throw new ODataError(
        `$filter on "${clause.field}" supports only ${clause.field} eq 'value'${ne ? ` and ${clause.field} ne 'value'` : ''}`,
      );
    }
    if (clause.op === 'eq') filters[clause.field] = clause.value;
    else (excluded[clause.field] ??= []).push(clause.value);
  }
  const orderBy = parseOrderBy(request.query.get('$orderby'), o.orderFields ?? []);
  return {
    filters,
    excluded,
    top: parseTop(request, 100, o.maxTop ?? 999),
    skipToken: parseSkipToken(request),
    ...(orderBy ? { orderBy } : {}),
    count: parseCount(request.query.get('$count')),
    shaping: resource ? parseShaping(request, resource) : NO_SHAPING,
  };
}

function isFieldList<T>(allowed: readonly string[] | ListQueryOptions<T>): allowed is readonly string[] {
  return Array.isArray(allowed);
}

/** `$orderby=field [asc|desc]`, one field (what every PIM list orders by). */
function parseOrderBy(
  text: string | null,
  fields: readonly string[],
): { field: string; direction: SortDirection } | undefined {
  if (text === null) return undefined;
  const m = /^\s*([A-Za-z][A-Za-z0-9/]*)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const field = m?.[1];
  if (!m || !field || !fields.includes(field)) {
    throw new ODataError(
      `$orderby=${text} is not supported; order by one of ${fields.join(', ')}, optionally followed by asc or desc`,
    );
  }
  return { field, direction: (m[2]?.toLowerCase() as SortDirection | undefined) ?? 'asc' };
}

function parseCount(text: string | null): boolean {
  if (text === null) return false;
  if (text === 'true' || text === 'false') return text === 'true';
  throw new ODataError(`$count must be true or false, not "${text}"`);
}

/** parseListQuery for an HTTP function: the query, or the 400 problem that names what is wrong. */
export function parseListRequest<T>(
  request: HttpRequest,
  allowed: readonly string[] | ListQueryOptions<T>,
): { ok: true; query: ListQuery } | { ok: false; response: HttpResponseInit } {
  try {
    return { ok: true, query: parseListQuery(request, allowed) };
  } catch (err) {
    if (err instanceof ODataError) return { ok: false, response: problem(400, err.message) };
    throw err;
  }
}
