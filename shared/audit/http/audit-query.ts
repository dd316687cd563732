/**
 * `GET /api/auditLogs/directoryAudits` (and `/api/auditLogs`): the query it takes and the CSV it exports.
 * `$filter` clauses joined by `and`: `activityDateTime ge|gt|le|lt <ISO time>`, `category eq '...'`,
 * `correlationId eq '...'`, `result eq '...'`, `initiatedBy/user/id eq '...'`, `groupId eq '...'`,
 * `principalId eq '...'`; pimflow query parameters `groupId`, `principalId`, `initiatedBy`; `$top`, `$skiptoken`;
 * `$format=csv` (or `Accept: text/csv`). The time range defaults to the 30 days up to now.
 */
import type { HttpRequest } from '@azure/functions';
import type { AuditQuery } from '../domain/audit-search';
import { auditCategorySchema, type AuditEntry } from '../domain/audit-entry';
import { wantsCsv } from '../../http/csv';
import { checkQueryOptions, ODataError, parseFilter, parseSkipToken, parseTop } from '../../http/odata';
import { sealSkipToken } from '../../http/skip-token';

export interface AuditListRequest {
  query: Omit<AuditQuery, 'pageSize' | 'skipToken'>;
  top: number;
  skipToken?: string;
  csv: boolean;
}

const DAY = 24 * 3600_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const RESULTS = ['success', 'failure', 'timeout'] as const;

const EQ_FIELDS: Record<string, keyof AuditQuery> = {
  category: 'category',
  correlationId: 'correlationId',
  result: 'result',
  'initiatedBy/user/id': 'initiatedById',
  groupId: 'groupId',
  principalId: 'principalId',
};

export function parseAuditListRequest(request: HttpRequest, now: Date): AuditListRequest {
  checkQueryOptions(
    request,
    ['$filter', '$top', '$skiptoken', '$format'],
    ['groupId', 'principalId', 'initiatedBy'],
  );
  const eq: Partial<Record<keyof AuditQuery, string>> = {};
  let from: Date | undefined;
  let to: Date | undefined;
  const set = (key: keyof AuditQuery, value: string, name: string) => {
    if (eq[key] !== undefined && eq[key] !== value)
      throw new ODataError(`${name} is given twice, differently`);
    eq[key] = value;
  };
  for (const c of parseFilter(request.query.get('$filter'))) {
    if (c.field === 'activityDateTime') {
      const at = ISO_TIME.test(c.value) ? new Date(c.value) : undefined;
      if (!at || Number.isNaN(at.getTime())) {
        throw new ODataError(
          `activityDateTime needs an ISO 8601 time (2026-03-01T00:00:00Z); got ${c.value}`,
        );
      }
      if (c.op === 'ge' || c.op === 'gt') {
        if (from) throw new ODataError('Give one lower bound on activityDateTime');
        from = c.op === 'gt' ? new Date(at.getTime() + 1) : at;
      } else if (c.op === 'le' || c.op === 'lt') {
        if (to) throw new ODataError('Give one upper bound on activityDateTime');
        to = c.op === 'lt' ? new Date(at.getTime() - 1) : at;
      } else {
        throw new ODataError('activityDateTime takes ge, gt, le or lt');
      }
      continue;
    }
    const key = EQ_FIELDS[c.field];
    if (!key) {
      throw new ODataError(
        `$filter on ${c.field} is not supported; use activityDateTime, ${Object.keys(EQ_FIELDS).join(', ')}`,
      );
    }
    if (c.op !== 'eq' || !c.quoted) throw new ODataError(`$filter on ${c.field} takes eq '...'`);
    set(key, c.value, c.field);
  }
  for (const [param, key] of [
    ['groupId', 'groupId'],
    ['principalId', 'principalId'],
    ['initiatedBy', 'initiatedById'],
  ] as const) {
    const value = request.query.get(param);
    if (value === null) continue;
    if (!GUID.test(value)) throw new ODataError(`${param} must be an object id (a GUID)`);
    set(key, value.toLowerCase(), param);
  }
  if (eq.category !== undefined && !auditCategorySchema.safeParse(eq.category).success) {
    throw new ODataError(`category must be one of ${auditCategorySchema.options.join(', ')}`);
  }
  if (eq.result !== undefined && !(RESULTS as readonly string[]).includes(eq.result)) {
    throw new ODataError(`result must be one of ${RESULTS.join(', ')}`);
  }
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - 30 * DAY);
  if (start > end) throw new ODataError('The activityDateTime range is empty (its start is after its end)');
  if (end.getTime() - start.getTime() > 10 * 366 * DAY) {
    throw new ODataError('The activityDateTime range may span at most 10 years');
  }

  const csv = wantsCsv(request.query.get('$format'), request.headers.get('accept'));
  if (csv === undefined) throw new ODataError('$format must be csv or json');

  const skipToken = parseSkipToken(request);
  return {
    query: {
      from: start,
      to: end,
      ...(eq.category !== undefined && { category: eq.category as AuditEntry['category'] }),
      ...(eq.result !== undefined && { result: eq.result as AuditEntry['result'] }),
      ...(eq.correlationId !== undefined && { correlationId: eq.correlationId }),
      ...(eq.groupId !== undefined && { groupId: eq.groupId }),
      ...(eq.principalId !== undefined && { principalId: eq.principalId }),
      ...(eq.initiatedById !== undefined && { initiatedById: eq.initiatedById }),
    },
    top: parseTop(request, 100, 999),
    ...(skipToken !== undefined && { skipToken }),
    csv,
  };
}

/**
 * The next page's URL. The time range is written out in `$filter`, so the pages of one listing stay on the range
 * the first page resolved (its default "last 30 days" doesn't slide while someone pages).
 */
export function auditNextLink(request: HttpRequest, q: AuditListRequest, skipToken: string | undefined) {
  if (!skipToken) return undefined;
  const url = new URL(request.url);
  const kept = parseFilter(url.searchParams.get('$filter')).filter((c) => c.field !== 'activityDateTime');
  const clauses = [
    `activityDateTime ge ${q.query.from.toISOString()}`,
    `activityDateTime le ${q.query.to.toISOString()}`,
    ...kept.map((c) => `${c.field} ${c.op} ${c.quoted ? `'${c.value.replace(/'/g, "''")}'` : c.value}`),
  ];
  url.searchParams.set('$filter', clauses.join(' and '));
  return sealSkipToken(url, skipToken).toString();
}
