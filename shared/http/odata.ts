/**
 * The part of OData our list endpoints accept, as Graph writes it: `$filter` clauses `field op value` joined by
 * `and` (values quoted `'...'` with `''` for a quote, or bare for dates and numbers), `$top`, `$skiptoken` (from
 * `@odata.nextLink`); `$orderby` and `$count` are odata-query.ts's, `$select` and `$expand` odata-shape.ts's.
 * Anything else is an ODataError, which the functions turn into a 400 naming it.
 */
import type { HttpRequest } from '@azure/functions';
import { openSkipToken, sealSkipToken, SKIP_TOKEN_REFUSED } from './skip-token';

export class ODataError extends Error {
  override name = 'ODataError';
}

export type FilterOperator = 'eq' | 'ne' | 'ge' | 'gt' | 'le' | 'lt';

export interface FilterClause {
  field: string;
  op: FilterOperator;
  value: string;
  /** Whether the value was a quoted string literal. */
  quoted: boolean;
}

/** As MAX_ID_LENGTH (edge.ts): every id and value a list filters on is shorter. */
const MAX_FILTER_VALUE_LENGTH = 256;

const CLAUSE = /^\s*([A-Za-z][A-Za-z0-9/]*)\s+(eq|ne|ge|gt|le|lt)\s+(?:'((?:[^']|'')*)'|([^\s'()]+))\s*$/i;

/** `a eq 'x' and b ge 2026-01-01T00:00:00Z` → clauses; `and` inside quotes is left alone. */
export function parseFilter(text: string | null): FilterClause[] {
  if (text === null || text.trim() === '') return [];
  const clauses: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "'") quoted = !quoted; // '' inside a literal toggles twice: still inside
    if (!quoted) {
      const m = /^\s+and\s+/i.exec(text.slice(i));
      if (m) {
        clauses.push(current);
        current = '';
        i += m[0].length - 1;
        continue;
      }
    }
    current += ch;
  }
  clauses.push(current);
  return clauses.map((clause) => {
    const m = CLAUSE.exec(clause);
    if (!m) {
      throw new ODataError(
        `$filter clause "${clause.trim()}" is not supported: use clauses like field eq 'value', joined by and`,
      );
    }
    const [, field, op, quotedValue, bare] = m;
    const value = quotedValue ?? bare ?? '';
    if (value.length > MAX_FILTER_VALUE_LENGTH) {
      throw new ODataError(
        `$filter value for ${field} is ${value.length} characters long; no id or value pimflow filters on is longer than ${MAX_FILTER_VALUE_LENGTH}`,
      );
    }
    return {
      field: field as string,
      op: (op as string).toLowerCase() as FilterOperator,
      value: quotedValue !== undefined ? quotedValue.replace(/''/g, "'") : (bare as string),
      quoted: quotedValue !== undefined,
    };
  });
}

/** Checks the query string holds only the `$` options given (and plain parameters only from `params`). */
export function checkQueryOptions(
  request: HttpRequest,
  options: readonly string[],
  params: readonly string[] = [],
): void {
  for (const key of new Set(request.query.keys())) {
    if (key.startsWith('$') ? !options.includes(key) : !params.includes(key)) {
      const allowed = [...options, ...params];
      throw new ODataError(
        `Query parameter ${key} is not supported here${allowed.length ? `; use ${allowed.join(', ')}` : ''}`,
      );
    }
  }
}

export function parseTop(request: HttpRequest, defaultTop: number, maxTop: number): number {
  const text = request.query.get('$top');
  if (text === null) return defaultTop;
  const top = Number(text);
  if (!/^\d+$/.test(text) || top < 1 || top > maxTop) {
    throw new ODataError(`$top must be an integer from 1 to ${maxTop}`);
  }
  return top;
}

/**
 * The storage continuation in `$skiptoken`, or undefined when there is none. Every paged list reads it here: a
 * token this API did not issue for this list is an ODataError (400) before the storage sees it (skip-token.ts).
 */
export function parseSkipToken(request: HttpRequest): string | undefined {
  const token = request.query.get('$skiptoken');
  if (token === null) return undefined;
  const continuation = openSkipToken(request.url, token);
  if (continuation === undefined) throw new ODataError(SKIP_TOKEN_REFUSED);
  return continuation;
}

/** The next page's URL: the same request with a sealed `$skiptoken` for `continuation`. */
export function nextLink(request: HttpRequest, continuation: string | undefined): string | undefined {
  if (!continuation) return undefined;
  return sealSkipToken(new URL(request.url), continuation).toString();
}

/** An OData collection answer; `context` is the absolute `@odata.context` (odata-shape.ts collectionContext). */
export function collection(context: string, value: unknown[], next?: string): Record<string, unknown> {
  return { '@odata.context': context, value, ...(next ? { '@odata.nextLink': next } : {}) };
}
