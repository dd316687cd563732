/**
 * What the PIM list endpoints (requests, schedules, instances) accept: `$filter` with `field eq 'value'` clauses on
 * the given fields, joined by `and`; `$top`; `$skiptoken` from `@odata.nextLink`. Built on the shared OData parser.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { checkQueryOptions, ODataError, parseFilter, parseSkipToken, parseTop } from './odata';
import { problem } from './problem';

export interface ListQuery {
  filters: Record<string, string>;
  top: number;
  skipToken?: string;
}

export function parseListQuery(
  request: HttpRequest,
  allowedFields: readonly string[],
  maxTop = 999,
): ListQuery {
  // A list with no filterable field refuses $filter as an unknown option (no "use <nothing>" message).
  checkQueryOptions(
    request,
    allowedFields.length ? ['$filter', '$top', '$skiptoken'] : ['$top', '$skiptoken'],
  );
  const filters: Record<string, string> = {};
  for (const clause of parseFilter(request.query.get('$filter'))) {
    if (!allowedFields.includes(clause.field)) {
      throw new ODataError(`$filter on "${clause.field}" is not supported; use ${allowedFields.join(', ')}`);
    }
    if (clause.op !== 'eq' || !clause.quoted) {
      throw new ODataError(`$filter on "${clause.field}" supports only ${clause.field} eq 'value'`);
    }
    filters[clause.field] = clause.value;
  }
  return { filters, top: parseTop(request, 100, maxTop), skipToken: parseSkipToken(request) };
}

/** parseListQuery for an HTTP function: the query, or the 400 problem that names what is wrong. */
export function parseListRequest(
  request: HttpRequest,
  allowedFields: readonly string[],
): { ok: true; query: ListQuery } | { ok: false; response: HttpResponseInit } {
  try {
    return { ok: true, query: parseListQuery(request, allowedFields) };
  } catch (err) {
    if (err instanceof ODataError) return { ok: false, response: problem(400, err.message) };
    throw err;
  }
}
