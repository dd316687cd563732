/**
 * One paged-list handler for every collection the API serves: parse `$filter` (`field eq 'value'` on the fields
 * given), `$top` and `$skiptoken` (400 with the reason when they are wrong), load one page, answer the OData
 * collection with a sealed `@odata.nextLink`. A continuation the storage refuses (a sealed token from before a
 * storage change) is a 400 too, never a 500.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { Page } from '../storage/stored';
import { collection, nextLink } from './odata';
import { parseListRequest, type ListQuery } from './odata-query';
import { problem } from './problem';
import { SKIP_TOKEN_REFUSED } from './skip-token';

export interface PagedListOptions<T> {
  /** `@odata.context` after the service root, e.g. `$metadata#managedGroups`. */
  context: string;
  /** Fields `$filter` may name (none: `$filter` is refused). */
  filterFields?: readonly string[];
  /** Checks the query and the caller once the query parsed, before loading: a response refuses the list. */
  check?(query: ListQuery): Promise<HttpResponseInit | undefined> | HttpResponseInit | undefined;
  load(query: ListQuery): Promise<Page<T>>;
  view(item: T): unknown;
}

export async function pagedList<T>(
  request: HttpRequest,
  options: PagedListOptions<T>,
): Promise<HttpResponseInit> {
  const parsed = parseListRequest(request, options.filterFields ?? []);
  if (!parsed.ok) return parsed.response;
  const refused = await options.check?.(parsed.query);
  if (refused) return refused;
  let page: Page<T>;
  try {
    page = await options.load(parsed.query);
  } catch (err) {
    if (parsed.query.skipToken !== undefined && isStorageBadRequest(err))
      return problem(400, SKIP_TOKEN_REFUSED);
    throw err;
  }
  return {
    jsonBody: collection(
      options.context,
      page.items.map(options.view),
      nextLink(request, page.continuationToken),
    ),
  };
}

function isStorageBadRequest(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 400 || code === '400';
}
