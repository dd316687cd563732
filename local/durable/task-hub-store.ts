/**
 * The task hub in Azure Table storage (Azurite locally, or a real account). One table per hub; one partition
 * per orchestration instance holding its state row, its history (one row per episode, so each episode commits in
 * a single batch transaction together with the state row and the inbox messages it consumed) and its inbox
 * (durable messages from outside: raised events, terminate, suspend, resume).
 */
import { odata, TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import { PriorityLimiter } from '../semaphore';
import type { HistoryEvent } from './history';

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended' | 'Canceled';

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface InstanceState {
  instanceId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text of the input/output/custom status (null when absent). */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: Date;
  lastUpdatedTime: Date;
  executionId: string;
  /** Episodes committed in the current execution. */
  episode: number;
  version: string | null;
  parentInstanceId: string | null;
  parentExecutionId: string | null;
  parentTaskId: number | null;
}

export interface StoredInstance {
  state: InstanceState;
  etag: string;
}

export type InboxKind = 'event' | 'terminate' | 'suspend' | 'resume';

export interface InboxMessage {
  id: string;
  kind: InboxKind;
  name: string | null;
  /** JSON text (event input) or plain text (reason). */
  data: string | null;
  createdTime: Date;
}

export class ConcurrencyError extends Error {}

const STATE_ROW = 'state';
const HISTORY_PREFIX = 'h|';
const INBOX_PREFIX = 'm|';
/** Table properties hold at most 64 KiB; strings are UTF-16, so 30,000 characters is safely below. */
const CHUNK_CHARS = 30_000;
/** An entity holds at most 1 MiB; keep each history row well under it. */
const MAX_ROW_CHARS = 400_000;
const MAX_BATCH = 100;

export class TaskHubStore {
  private readonly table: TableClient;
  private inboxCounter = 0;
  /** Writes in flight at once; urgent ones (someone awaits the answer) go first. */
  private readonly writes = new PriorityLimiter(Number(process.env.PIMFLOW_STORAGE_CONCURRENCY ?? 10));

  constructor(
    connectionString: string,
    readonly hubName: string,
  ) {
    this.table = TableClient.fromConnectionString(connectionString, `${hubName}Instances`, {
      allowInsecureConnection: true,
    });
  }

  async init(): Promise<void> {
    await this.table.createTable();
  }

  /** Returns the instance, or undefined if it doesn't exist. */
  async getInstance(instanceId: string): Promise<StoredInstance | undefined> {
    try {
      const entity = await this.table.getEntity<TableEntity>(instanceId, STATE_ROW);
      return { state: stateFromEntity(entity), etag: entity.etag };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Creates an instance, or replaces one (with this etag) that reached a terminal state. */
  async createInstance(state: InstanceState, replaceEtag?: string): Promise<string> {
    const entity = stateToEntity(state);
    if (replaceEtag) {
      // A new run under an old id: drop the old run's history and inbox, then write the new state.
      const oldRows = await this.listRowKeys(state.instanceId, (rk) => rk !== STATE_ROW);
      await this.runBatches(
        state.instanceId,
        oldRows.map((rk) => ['delete', { partitionKey: state.instanceId, rowKey: rk }]),
      );
      const res = await this.table
        .updateEntity(entity, 'Replace', { etag: replaceEtag })
        .catch(rethrowConcurrency);
      return res.etag ?? '';
    }
    const res = await this.writes.run(true, () => this.table.createEntity(entity)).catch(rethrowConcurrency);
    return res.etag ?? '';
  }

  /** The committed history of an execution: rows past `episodes` are leftovers of a commit that never finished. */
  async loadHistory(instanceId: string, executionId: string, episodes: number): Promise<HistoryEvent[]> {
    const prefix = `${HISTORY_PREFIX}${executionId}|`;
    const rows: TableEntity[] = [];
    const iter = this.table.listEntities<TableEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${instanceId} and RowKey ge ${prefix} and RowKey lt ${prefix + '~'}`,
      },
    });
    for await (const row of iter) {
      if (Number(row.rowKey.split('|')[2]) <= episodes) rows.push(row);
    }
    rows.sort((a, b) => (a.rowKey < b.rowKey ? -1 : 1));
    const events: HistoryEvent[] = [];
    for (const row of rows) events.push(...(JSON.parse(unpackText(row, 'Events') ?? '[]') as HistoryEvent[]));
    return events;
  }

  async loadInbox(instanceId: string): Promise<InboxMessage[]> {
    const messages: InboxMessage[] = [];
    const iter = this.table.listEntities<TableEntity>({
      queryOptions: {
        filter: odata`PartitionKey eq ${instanceId} and RowKey ge ${INBOX_PREFIX} and RowKey lt ${INBOX_PREFIX + '~'}`,
      },
    });
    for await (const row of iter) {
      messages.push({
        id: row.rowKey,
        kind: row.Kind as InboxKind,
        name: (row.Name as string | undefined) ?? null,
        data: unpackText(row, 'Data'),
        createdTime: new Date(row.CreatedTime as string),
      });
    }
    return messages.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Durably records a message for an instance; the engine consumes it in a later episode. */
  async appendInbox(
    instanceId: string,
    kind: InboxKind,
    name: string | null,
    data: string | null,
    now: Date,
  ): Promise<InboxMessage> {
    const id = `${INBOX_PREFIX}${String(now.getTime()).padStart(15, '0')}-${String(process.pid).padStart(7, '0')}-${String(this.inboxCounter++).padStart(9, '0')}`;
    const entity: TableEntity = {
      partitionKey: instanceId,
      rowKey: id,
      Kind: kind,
      CreatedTime: now.toISOString(),
    };
    if (name !== null) entity.Name = name;
    packText(entity, 'Data', data);
    await this.writes.run(true, () => this.table.createEntity(entity));
    return { id, kind, name, data, createdTime: now };
  }

  /**
   * Commits one or more episodes: their history rows, the new state (guarded by the etag) and the deletion of the
   * inbox messages they consumed. Atomic when it fits one batch. Otherwise history rows go first and leftovers go
   * last, both harmless if a crash interrupts: history is read up to the episode count in the state row, and an
   * old execution's rows (after continueAsNew) are never read again.
   */
  async commit(
    state: InstanceState,
    etag: string,
    historyRows: { episode: number; events: HistoryEvent[] }[],
    consumedInbox: string[],
    dropExecutionId?: string,
    urgent = false,
  ): Promise<string> {
    const pk = state.instanceId;
    const before: TransactionAction[] = [];
    for (const row of historyRows) {
      splitEvents(row.events).forEach((events, part) => {
        const entity: TableEntity = {
          partitionKey: pk,
          rowKey: `${HISTORY_PREFIX}${state.executionId}|${String(row.episode).padStart(8, '0')}|${String(part).padStart(3, '0')}`,
        };
        packText(entity, 'Events', JSON.stringify(events));
        before.push(['upsert', entity, 'Replace']);
      });
    }
    const after: TransactionAction[] = consumedInbox.map((rk) => [
      'delete',
      { partitionKey: pk, rowKey: rk },
    ]);
    if (dropExecutionId) {
      const old = await this.listRowKeys(pk, (rk) => rk.startsWith(`${HISTORY_PREFIX}${dropExecutionId}|`));
      for (const rk of old) after.push(['delete', { partitionKey: pk, rowKey: rk }]);
    }
    // No etag: the instance is new, and creating it fails if the id is taken.
    const stateOp: TransactionAction = etag
      ? ['update', stateToEntity(state), 'Replace', { etag }]
      : ['create', stateToEntity(state)];
    if (before.length + after.length + 1 <= MAX_BATCH)
      return this.submit(pk, [...before, stateOp, ...after], urgent);
    await this.runBatches(pk, before);
    const newEtag = await this.submit(pk, [stateOp, ...after.slice(0, MAX_BATCH - 1)], urgent);
    await this.runBatches(pk, after.slice(MAX_BATCH - 1));
    return newEtag;
  }

  /** Deletes everything of an instance. */
  async purge(instanceId: string): Promise<void> {
    const rows = await this.listRowKeys(instanceId, () => true);
    const ordered = rows.filter((rk) => rk !== STATE_ROW);
    await this.runBatches(
      instanceId,
      ordered.map((rk) => ['delete', { partitionKey: instanceId, rowKey: rk }]),
    );
    if (rows.includes(STATE_ROW)) await this.table.deleteEntity(instanceId, STATE_ROW).catch(ignore404);
  }

  /** Pages through instance states matching a query; the continuation token is opaque to callers. */
  async queryInstances(
    query: InstanceQuery,
  ): Promise<{ instances: InstanceState[]; continuationToken?: string }> {
    const filters = [odata`RowKey eq ${STATE_ROW}`];
    if (query.instanceIdPrefix) {
      filters.push(
        odata`PartitionKey ge ${query.instanceIdPrefix} and PartitionKey lt ${query.instanceIdPrefix + '\uffff'}`,
      );
    }
    if (query.createdTimeFrom) filters.push(odata`CreatedTime ge ${query.createdTimeFrom}`);
    if (query.createdTimeTo) filters.push(odata`CreatedTime le ${query.createdTimeTo}`);
    if (query.runtimeStatus && query.runtimeStatus.length > 0) {
      filters.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    }
    const pages = this.table
      .listEntities<TableEntity>({ queryOptions: { filter: filters.join(' and ') } })
      .byPage({ maxPageSize: query.pageSize ?? 100, continuationToken: query.continuationToken });
    const page = await pages.next();
    if (page.done) return { instances: [] };
    const entities = page.value as TableEntity[] & { continuationToken?: string };
    return { instances: entities.map(stateFromEntity), continuationToken: entities.continuationToken };
  }

  /** Every instance that still has work to do (used at start to recover). */
  async listUnfinished(): Promise<InstanceState[]> {
    const out: InstanceState[] = [];
    let token: string | undefined;
    do {
      const page = await this.queryInstances({
        runtimeStatus: ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'],
        continuationToken: token,
        pageSize: 1000,
      });
      out.push(...page.instances);
      token = page.continuationToken;
    } while (token);
    return out;
  }

  private async listRowKeys(pk: string, keep: (rowKey: string) => boolean): Promise<string[]> {
    const keys: string[] = [];
    const iter = this.table.listEntities<TableEntity>({
      queryOptions: { filter: odata`PartitionKey eq ${pk}`, select: ['RowKey'] },
    });
    for await (const row of iter) if (keep(row.rowKey)) keys.push(row.rowKey);
    return keys;
  }

  private async runBatches(pk: string, ops: TransactionAction[]): Promise<void> {
    for (let i = 0; i < ops.length; i += MAX_BATCH) await this.submit(pk, ops.slice(i, i + MAX_BATCH));
  }

  /** Submits one transaction; returns the etag of the state row when the batch updated it. */
  private async submit(pk: string, ops: TransactionAction[], urgent = false): Promise<string> {
    if (ops.length === 0) return '';
    let res;
    try {
      res = await this.writes.run(urgent, () => this.table.submitTransaction(ops));
    } catch (err) {
      rethrowConcurrency(err);
    }
    if (res.status >= 300) throw new Error(`Task hub batch for ${pk} failed with status ${res.status}`);
    const stateIndex = ops.findIndex((op) => op[1].rowKey === STATE_ROW);
    const sub = stateIndex >= 0 ? res.subResponses[stateIndex] : undefined;
    return sub?.etag ?? '';
  }
}

export interface InstanceQuery {
  instanceIdPrefix?: string;
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  runtimeStatus?: RuntimeStatus[];
  pageSize?: number;
  continuationToken?: string;
}

function splitEvents(events: HistoryEvent[]): HistoryEvent[][] {
  const parts: HistoryEvent[][] = [[]];
  let size = 0;
  for (const event of events) {
    const length = JSON.stringify(event).length;
    if (size + length > MAX_ROW_CHARS && (parts[parts.length - 1] as HistoryEvent[]).length > 0) {
      parts.push([]);
      size = 0;
    }
    (parts[parts.length - 1] as HistoryEvent[]).push(event);
    size += length;
  }
  return parts;
}

/** Stores a long string across numbered properties (`Name_0`, `Name_1`, ...) plus a count (`Name_n`). */
function packText(entity: TableEntity, name: string, text: string | null): void {
  if (text === null) return;
  const count = Math.max(1, Math.ceil(text.length / CHUNK_CHARS));
  for (let i = 0; i < count; i++) entity[`${name}_${i}`] = text.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  entity[`${name}_n`] = count;
}

function unpackText(entity: Record<string, unknown>, name: string): string | null {
  const count = entity[`${name}_n`];
  if (typeof count !== 'number') return null;
  let text = '';
  for (let i = 0; i < count; i++) text += String(entity[`${name}_${i}`] ?? '');
  return text;
}

function stateToEntity(state: InstanceState): TableEntity {
  const entity: TableEntity = {
    partitionKey: state.instanceId,
    rowKey: STATE_ROW,
    Name: state.name,
    RuntimeStatus: state.runtimeStatus,
    CreatedTime: state.createdTime,
    LastUpdatedTime: state.lastUpdatedTime,
    ExecutionId: state.executionId,
    Episode: state.episode,
  };
  if (state.version !== null) entity.Version = state.version;
  if (state.parentInstanceId !== null) entity.ParentInstanceId = state.parentInstanceId;
  if (state.parentExecutionId !== null) entity.ParentExecutionId = state.parentExecutionId;
  if (state.parentTaskId !== null) entity.ParentTaskId = state.parentTaskId;
  packText(entity, 'Input', state.input);
  packText(entity, 'Output', state.output);
  packText(entity, 'CustomStatus', state.customStatus);
  return entity;
}

function stateFromEntity(entity: TableEntity): InstanceState {
  return {
    instanceId: entity.partitionKey,
    name: entity.Name as string,
    runtimeStatus: entity.RuntimeStatus as RuntimeStatus,
    input: unpackText(entity, 'Input'),
    output: unpackText(entity, 'Output'),
    customStatus: unpackText(entity, 'CustomStatus'),
    createdTime: new Date(entity.CreatedTime as string | Date),
    lastUpdatedTime: new Date(entity.LastUpdatedTime as string | Date),
    executionId: entity.ExecutionId as string,
    episode: Number(entity.Episode ?? 0),
    version: (entity.Version as string | undefined) ?? null,
    parentInstanceId: (entity.ParentInstanceId as string | undefined) ?? null,
    parentExecutionId: (entity.ParentExecutionId as string | undefined) ?? null,
    parentTaskId: entity.ParentTaskId === undefined ? null : Number(entity.ParentTaskId),
  };
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number } | undefined)?.statusCode;
}

function rethrowConcurrency(err: unknown): never {
  const status = statusOf(err);
  if (status === 409 || status === 412) throw new ConcurrencyError(`Task hub write conflict (${status})`);
  throw err;
}

function ignore404(err: unknown): void {
  if (statusOf(err) !== 404) throw err;
}
