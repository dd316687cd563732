/**
 * The audit log in Cosmos DB (container `auditLogs`, partitioned by month). Writing is idempotent by id: a retried
 * activity can record the same event twice and only one record stays.
 */
import type { Container } from '@azure/cosmos';
import { CosmosRepository, type Page } from '../../storage/cosmos-repository';
import type { ContainerSpec } from '../../storage/ensure-database';
import { AlreadyExistsError } from '../../storage/errors';
import { auditEntrySchema, type AuditEntry, type AuditRecord } from '../domain/audit-entry';

export type { AuditRecord } from '../domain/audit-entry';

export const auditLogsContainer: ContainerSpec = { id: 'auditLogs', partitionKeyPath: '/month' };

export interface AuditQuery {
  from: Date;
  to: Date;
  category?: AuditEntry['category'];
  groupId?: string;
  principalId?: string;
  initiatedById?: string;
  correlationId?: string;
  result?: AuditEntry['result'];
  pageSize?: number;
  /** Opaque: which month to continue in, and Cosmos's token within it. */
  skipToken?: string;
}

export interface AuditWriter {
  record(entry: AuditRecord): Promise<void>;
}

export class AuditLog implements AuditWriter {
  private readonly documents: CosmosRepository<AuditEntry>;

  constructor(container: Container) {
    this.documents = new CosmosRepository({
      container,
      schema: auditEntrySchema,
      partitionKeyOf: (e) => e.month,
    });
  }

  async record(entry: AuditRecord): Promise<void> {
    const at = entry.activityDateTime.toISOString();
    const document: AuditEntry = {
      id: entry.id,
      month: at.slice(0, 7),
      activityDateTime: at,
      activityDisplayName: entry.activityDisplayName,
      category: entry.category,
      operationType: entry.operationType,
      result: entry.result,
      resultReason: entry.resultReason ?? '',
      initiatedBy: entry.initiatedBy,
      targetResources: entry.targetResources,
      groupId: entry.groupId ?? null,
      principalId: entry.principalId ?? null,
      correlationId: entry.correlationId ?? null,
      additionalDetails: Object.entries(entry.details ?? {})
        .filter((kv): kv is [string, string] => typeof kv[1] === 'string' && kv[1] !== '')
        .map(([key, value]) => ({ key, value })),
    };
    try {
      await this.documents.create(document);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }

  /** Newest first, month by month from `to` back to `from`: each page reads one partition. */
  async query(q: AuditQuery): Promise<{ items: AuditEntry[]; skipToken?: string }> {
    const months = monthsBetween(q.from, q.to);
    let [monthIndex, token] = decodeSkipToken(q.skipToken);
    const filters = ['c.activityDateTime >= @from', 'c.activityDateTime <= @to'];
    const params: Record<string, string> = { '@from': q.from.toISOString(), '@to': q.to.toISOString() };
    const add = (field: string, value: string | undefined, name: string) => {
      if (value === undefined) return;
      filters.push(`${field} = @${name}`);
      params[`@${name}`] = value;
    };
    add('c.category', q.category, 'category');
    add('c.groupId', q.groupId, 'groupId');
    add('c.principalId', q.principalId, 'principalId');
    add('c.initiatedBy.user.id', q.initiatedById, 'initiatedById');
    add('c.correlationId', q.correlationId, 'correlationId');
    add('c.result', q.result, 'result');
    const sql = `SELECT * FROM c WHERE ${filters.join(' AND ')} ORDER BY c.activityDateTime DESC`;
    while (monthIndex < months.length) {
      const page: Page<AuditEntry> = await this.documents.queryPage(sql, params, {
        partitionKey: months[monthIndex] as string,
        pageSize: q.pageSize ?? 100,
        continuationToken: token,
      });
      if (page.continuationToken) {
        return { items: page.items, skipToken: encodeSkipToken(monthIndex, page.continuationToken) };
      }
      monthIndex++;
      token = undefined;
      if (page.items.length > 0) {
        return monthIndex < months.length
          ? { items: page.items, skipToken: encodeSkipToken(monthIndex, undefined) }
          : { items: page.items };
      }
    }
    return { items: [] };
  }
}

/** Months from `to` back to `from`, newest first, as `yyyy-MM`. */
function monthsBetween(from: Date, to: Date): string[] {
  const months: string[] = [];
  const cursor = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 1));
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), 1);
  while (cursor.getTime() >= first && months.length < 240) {
    months.push(cursor.toISOString().slice(0, 7));
    cursor.setUTCMonth(cursor.getUTCMonth() - 1);
  }
  return months;
}

function encodeSkipToken(monthIndex: number, token: string | undefined): string {
  return Buffer.from(JSON.stringify([monthIndex, token ?? null])).toString('base64url');
}

function decodeSkipToken(skipToken: string | undefined): [number, string | undefined] {
  if (!skipToken) return [0, undefined];
  try {
    const [index, token] = JSON.parse(Buffer.from(skipToken, 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0)
      return [index, typeof token === 'string' ? token : undefined];
  } catch {
    // fall through
  }
  throw new InvalidSkipTokenError('The $skiptoken is not one this API issued');
}

export class InvalidSkipTokenError extends Error {}
