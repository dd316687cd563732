/**
 * OData query options as Graph's directory endpoints apply them: `$select`, `$filter`, `$top`, `$expand=manager`
 * and server-driven paging through `@odata.nextLink` with an opaque `$skiptoken` (default page 100, at most 999).
 * Options the stand-in doesn't implement are refused rather than ignored, so nothing passes here by accident.
 */
import { badRequest, GraphHttpError, unsupportedQuery } from './graph-errors';
import { parseFilter, type Predicate } from './odata-filter';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

export interface QuerySpec {
  /** e.g. `microsoft.graph.user`, for error messages. */
  type: string;
  selectable: ReadonlySet<string>;
  /** Properties `$filter` may use; absent: the endpoint refuses `$filter`. */
  filterable?: { resource: string; properties: ReadonlySet<string> };
  /** Whether `$expand=manager` is allowed (users). */
  expandManager?: boolean;
}

export interface QueryOptions {
  select?: string[];
  filter?: Predicate;
  top: number;
  offset: number;
  /** `$expand=manager`, with the manager's own `$select` if given. */
  expandManager?: { select?: string[] };
}

const HANDLED = new Set(['$select', '$filter', '$top', '$skiptoken', '$expand']);

/** Reads the query options of a single-object GET (only `$select` and `$expand` apply). */
export function parseObjectQuery(query: URLSearchParams, spec: QuerySpec): QueryOptions {
  const options = parseQuery(query, spec);
  if (query.has('$filter') || query.has('$top') || query.has('$skiptoken')) {
    throw unsupportedQuery('Query options $filter, $top and $skiptoken apply to collections only.');
  }
  return options;
}

export function parseQuery(query: URLSearchParams, spec: QuerySpec): QueryOptions {
  for (const key of query.keys()) {
    if (key.startsWith('$') && !HANDLED.has(key)) {
      throw unsupportedQuery(`The Graph stand-in does not support the query option '${key}'.`);
    }
  }
  const options: QueryOptions = {
    top: parseTop(query.get('$top')),
    offset: parseSkipToken(query.get('$skiptoken')),
  };
  const select = query.get('$select');
  if (select !== null) options.select = parseSelect(select, spec);
  const filter = query.get('$filter');
  if (filter !== null) {
    if (!spec.filterable) {
      throw unsupportedQuery(
        'The Graph stand-in supports $filter on /users and /groups only; on relationships Graph needs an advanced query (ConsistencyLevel: eventual).',
      );
    }
    options.filter = parseFilter(filter, spec.filterable.properties, spec.filterable.resource);
  }
  const expand = query.get('$expand');
  if (expand !== null) options.expandManager = parseExpand(expand, spec);
  return options;
}

/** Only the selected properties (or the endpoint's defaults), in the order given. */
export function project(
  view: Record<string, unknown>,
  select: readonly string[] | undefined,
  defaults: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of select ?? defaults) if (key in view) out[key] = view[key];
  return out;
}

/** One page of `items`, and the link to the next when there is one. */
export function page<T>(
  items: readonly T[],
  options: QueryOptions,
  linkTo: (offset: number) => string,
): { value: T[]; nextLink?: string } {
  const end = options.offset + options.top;
  const value = items.slice(options.offset, end);
  return end < items.length ? { value, nextLink: linkTo(end) } : { value };
}

/** The request's URL with `$skiptoken` pointing at `offset`; other options kept as they were. */
export function nextLink(baseUrl: string, path: string, query: URLSearchParams, offset: number): string {
  const parts: string[] = [];
  for (const [key, value] of query) {
    if (key !== '$skiptoken') parts.push(`${key}=${encodeURIComponent(value).replace(/%2C/g, ',')}`);
  }
  parts.push(`$skiptoken=${Buffer.from(`offset:${offset}`).toString('base64url')}`);
  return `${baseUrl}/${path}?${parts.join('&')}`;
}

function parseTop(value: string | null): number {
  if (value === null) return DEFAULT_PAGE_SIZE;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_PAGE_SIZE)) {
    throw unsupportedQuery(`Invalid page size specified: '${value}'. Must be between 1 and 999 inclusive.`);
  }
  return n;
}

function parseSkipToken(value: string | null): number {
  if (value === null) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw badRequest(`'$skiptoken' is invalid.`);
  return Number(match[1]);
}

function parseSelect(value: string, spec: QuerySpec): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!spec.selectable.has(name)) throw propertyNotFound(name, spec.type);
  }
  return names;
}

function parseExpand(value: string, spec: QuerySpec): { select?: string[] } {
  const match = /^manager(?:\(\$select=([^)]*)\))?$/.exec(value.trim());
  if (!match || !spec.expandManager) throw propertyNotFound(value.split('(')[0] ?? value, spec.type);
  // The manager is a user too, so the same properties apply.
  return match[1] === undefined ? {} : { select: parseSelect(match[1], spec) };
}

export function propertyNotFound(name: string, type: string): GraphHttpError {
  return new GraphHttpError(
    400,
    'BadRequest',
    `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${type}'.`,
  );
}
