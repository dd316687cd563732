/**
 * One paged-list handler for every collection the API serves: parse the query (odata-query.ts: `$filter`, `$top`,
 * `$skiptoken`, and where the list offers them `$orderby`, `$count`, `$select`, `$expand`; 400 with the reason
 * when they are wrong), load one page, answer the OData collection with an absolute `@odata.context`, a sealed
 * `@odata.nextLink` and, for `$count=true`, `@odata.count`. A continuation the storage refuses (a sealed token from
 * before a storage change) is a 400 too, never a 500.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Page } from '../storage/stored';
import { nextLink } from './odata';
import { parseListRequest, type ListQuery } from './odata-query';
import { collectionContext, shapeAll, type ODataResource } from './odata-shape';
import { problem } from './problem';
import { SKIP_TOKEN_REFUSED } from './skip-token';

export interface PagedListOptions<T> {
  /**
   * The collection's entity set, e.g. `managedGroups` or `roleManagement/directory/roleDefinitions` (a leading
   * `$metadata#` is taken too); the answer's `@odata.context` is the absolute URL built from it.
   */
  context: string;
  /** Fields `$filter` may name (none: `$filter` is refused). */
  filterFields?: readonly string[];
  /** Fields `$filter` may also compare with `ne` (load reads `query.excluded`). */
  notEqualFields?: readonly string[];
  /** Fields `$orderby` may name (load reads `query.orderBy`); none: `$orderby` is refused. */
  orderFields?: readonly string[];
  /** Checks the query and the caller once the query parsed, before loading: a response refuses the list. */
  check?(query: ListQuery): Promise<HttpResponseInit | undefined> | HttpResponseInit | undefined;
  load(query: ListQuery): Promise<Page<T>>;
  /** How many items match the query's filter, for `$count=true` (absent: `$count` is refused). */
  count?(query: ListQuery): Promise<number>;
  /** Each item's answer when no `resource` is given. */
  view?(item: T): unknown;
  /** The items as an OData resource: `$select` and `$expand` on its properties and expansions. */
  resource?: ODataResource<T>;
}

export async function pagedList<T>(
  request: HttpRequest,
  options: PagedListOptions<T>,
): Promise<HttpResponseInit> {
  const resource: ODataResource<T> = options.resource ?? {
    view: (item) => (options.view ? options.view(item) : item) as Record<string, unknown>,
    properties: [],
  };
  const parsed = parseListRequest(request, {
    filterFields: options.filterFields ?? [],
    notEqualFields: options.notEqualFields,
    orderFields: options.orderFields,
    countable: options.count !== undefined,
    resource,
  });
  if (!parsed.ok) return parsed.response;
  const query = parsed.query;
  const refused = await options.check?.(query);
  if (refused) return refused;
  let page: Page<T>;
  let count: number | undefined;
  try {
    [page, count] = await Promise.all([
      options.load(query),
      query.count && options.count ? options.count(query) : undefined,
    ]);
  } catch (err) {
    if (query.skipToken !== undefined && isStorageBadRequest(err)) return problem(400, SKIP_TOKEN_REFUSED);
    throw err;
  }
  const next = nextLink(request, page.continuationToken);
  return {
    jsonBody: {
      '@odata.context': collectionContext(
        request,
        options.context.replace(/^\$metadata#/, ''),
        query.shaping,
      ),
      ...(count !== undefined ? { '@odata.count': count } : {}),
      value: await shapeAll(page.items, resource, query.shaping),
      ...(next ? { '@odata.nextLink': next } : {}),
    },
  };
}

function isStorageBadRequest(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 400 || code === '400';
}
