/**
 * The small part of OData our list endpoints accept, as Graph's: `$filter` with `field eq 'value'` clauses joined
 * by `and`, `$top`, and `$skiptoken` for the next page (`@odata.nextLink`). Anything else is a 400 naming it.
 */
import type { HttpRequest } from '@azure/functions';

export interface ListQuery {
  filters: Record<string, string>;
  top: number;
  skipToken?: string;
}

export class ODataQueryError extends Error {}

const CLAUSE = /^\s*([A-Za-z][A-Za-z0-9/]*)\s+eq\s+'((?:[^']|'')*)'\s*$/;

export function parseListQuery(
  request: HttpRequest,
  allowedFields: readonly string[],
  maxTop = 999,
): ListQuery {
  const filters: Record<string, string> = {};
  const filter = request.query.get('$filter');
  if (filter) {
    for (const clause of filter.split(/\s+and\s+/i)) {
      const m = CLAUSE.exec(clause);
      if (!m)
        throw new ODataQueryError(`$filter clause "${clause.trim()}" is not of the form field eq 'value'`);
      const [, field, value] = m as unknown as [string, string, string];
      if (!allowedFields.includes(field)) {
        throw new ODataQueryError(`$filter on "${field}" is not supported; use ${allowedFields.join(', ')}`);
      }
      filters[field] = value.replace(/''/g, "'");
    }
  }
  const topText = request.query.get('$top');
  const top = topText === null ? 100 : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > maxTop)
    throw new ODataQueryError(`$top must be an integer from 1 to ${maxTop}`);
  const known = new Set(['$filter', '$top', '$skiptoken', '$expand', '$select', '$format']);
  for (const key of request.query.keys()) {
    if (key.startsWith('$') && !known.has(key))
      throw new ODataQueryError(`Query option ${key} is not supported`);
  }
  const skipToken = request.query.get('$skiptoken') ?? undefined;
  return { filters, top, skipToken: skipToken ? decodeSkipToken(skipToken) : undefined };
}

/** The URL of the next page: the same request with a `$skiptoken`. */
export function nextLink(request: HttpRequest, continuationToken: string | undefined): string | undefined {
  if (!continuationToken) return undefined;
  const url = new URL(request.url);
  url.searchParams.set('$skiptoken', Buffer.from(continuationToken, 'utf8').toString('base64url'));
  return url.toString();
}

function decodeSkipToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (decoded.length === 0) throw new ODataQueryError('$skiptoken is not one this API issued');
  return decoded;
}

export function collection(context: string, value: unknown[], next?: string): Record<string, unknown> {
  return { '@odata.context': context, value, ...(next ? { '@odata.nextLink': next } : {}) };
}
