/** What the stand-in's Graph handlers take and give, for a request on its own or inside `$batch`. */
import { methodNotAllowed, notFound } from './graph-errors';
import { nextLink, page, type QueryOptions } from './odata-query';
import type { TenantStore } from './tenant-store';

export interface GraphContext {
  store: TenantStore;
  now: () => Date;
  /** Objects younger than this are not yet visible to reference writes (Graph's replication delay). */
  replicationDelayMs: () => number;
}

export interface GraphCall {
  method: string;
  /** Decoded path segments after `/v1.0`. */
  segments: string[];
  query: URLSearchParams;
  body: unknown;
  /** `https://host:port/v1.0`, for `@odata.context` and `@odata.nextLink`. */
  baseUrl: string;
}

export interface GraphAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** Runs the handler for the call's method; 405 for a method the target doesn't have. */
export function byMethod(call: GraphCall, handlers: Partial<Record<Method, () => GraphAnswer>>): GraphAnswer {
  const handler = handlers[call.method as Method];
  if (!handler) throw methodNotAllowed();
  return handler();
}

export function ok(body: unknown): GraphAnswer {
  return { status: 200, body };
}

export function noContent(): GraphAnswer {
  return { status: 204 };
}

export function collection(
  call: GraphCall,
  context: string,
  value: unknown[],
  nextLink: string | undefined,
): GraphAnswer {
  return ok({
    '@odata.context': `${call.baseUrl}/$metadata#${context}`,
    ...(nextLink ? { '@odata.nextLink': nextLink } : {}),
    value,
  });
}

/** What a collection GET lists, and how (see `listed`). */
export interface Listing<T> {
  items: readonly T[];
  /** Where the collection is, below the version root, for `@odata.nextLink`, e.g. `groups/{id}/members`. */
  path: string;
  /** The collection's `@odata.context`, e.g. `directoryObjects`; default: `path`. */
  context?: string;
  /** An item as `$filter` sees it. */
  view: (item: T) => Record<string, unknown>;
  /** An item as the answer shows it (projected by `$select`, expanded). */
  present: (item: T) => Record<string, unknown>;
}

/** A collection GET's answer: the items `options` filter in, the page it asks for, each item presented. */
export function listed<T>(call: GraphCall, options: QueryOptions, listing: Listing<T>): GraphAnswer {
  const { filter } = options;
  const items = filter ? listing.items.filter((item) => filter(listing.view(item))) : listing.items;
  const { value, nextLink: link } = page(items, options, (offset) =>
    nextLink(call.baseUrl, listing.path, call.query, offset),
  );
  return collection(
    call,
    listing.context ?? listing.path,
    value.map((item) => listing.present(item)),
    link,
  );
}

export function entity(call: GraphCall, context: string, value: Record<string, unknown>): GraphAnswer {
  return ok({ '@odata.context': `${call.baseUrl}/$metadata#${context}/$entity`, ...value });
}

/** `value`, unless there is none: then Graph's 404 for `key`. */
export function found<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw notFound(key);
  return value;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Whether an object created at `createdDateTime` has replicated yet (see GraphContext.replicationDelayMs). */
export function replicated(ctx: GraphContext, createdDateTime: string): boolean {
  const delay = ctx.replicationDelayMs();
  return delay <= 0 || ctx.now().getTime() - Date.parse(createdDateTime) >= delay;
}
