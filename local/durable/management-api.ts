/**
 * The Durable Functions HTTP management API, in both forms the extension serves: the public webhook
 * (`/runtime/webhooks/durabletask/...`) and the local RPC form that `DurableClient` calls when the binding carries
 * an `rpcBaseUrl` (`/durabletask/...`). Shapes follow the extension's HttpApiHandler; see
 * ../shared/reference/durable-protocol.md §6.
 */
import { DURABLE_SYSTEM_KEY } from '../keys';
import { EVENT_TYPE_NAMES, EventType, type HistoryEvent } from './history';
import {
  InstanceExistsError,
  OrchestratorNotFoundError,
  type OrchestrationEngine,
} from './orchestration-engine';
import { isTerminal, type InstanceState, type RuntimeStatus, type TaskHubStore } from './task-hub-store';

export interface ManagementRequest {
  method: string;
  /** Path below the API root, e.g. `instances/abc/raiseEvent/Approval`, already split from the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string;
  /** Origin the caller used, for the URLs in responses. */
  origin: string;
}

export interface ManagementResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
export const RPC_PATH = '/durabletask';

const ALL_STATUSES: RuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'ContinuedAsNew',
  'Failed',
  'Terminated',
  'Suspended',
  'Canceled',
];
const RUNNING_LIKE: RuntimeStatus[] = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];

export class ManagementApi {
  constructor(
    private readonly engine: OrchestrationEngine,
    private readonly store: TaskHubStore,
    private readonly hubName: string,
    /** The `durabletask_extension` system key: the URLs this API hands out carry it, as the extension's do. */
    private readonly systemKey: string,
    private readonly connectionName = 'Storage',
  ) {}

  /**
   * The binding data a `durableClient` input receives, as the extension builds it: the webhook URLs carry
   * `code=<system key>` (`requiredQueryStringParameters` is that query). The SDK calls `rpcBaseUrl` + a relative
   * path, which keeps no query; the key rides in the URL's user info instead, which the SDK's HTTP client (axios)
   * sends as `Authorization: Basic`. The extension's RPC listener needs no key because only the worker can reach
   * it; ours shares the public port, so it asks for the key like the rest of the API.
   */
  clientBindingData(apiOrigin: string, rpcOrigin: string): Record<string, unknown> {
    const base = `${apiOrigin}${WEBHOOK_PATH}`;
    const code = `code=${encodeURIComponent(this.systemKey)}`;
    const instance = `${base}/instances/INSTANCEID`;
    const rpc = new URL(`${rpcOrigin}${RPC_PATH}/`);
    rpc.username = DURABLE_SYSTEM_KEY;
    rpc.password = this.systemKey;
    return {
      taskHubName: this.hubName,
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${code}`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${code}`,
      },
      managementUrls: this.managementUrls('INSTANCEID', this.instanceQuery(), instance),
      baseUrl: base,
      requiredQueryStringParameters: code,
      rpcBaseUrl: rpc.href,
      httpBaseUrl: '',
      connectionName: this.connectionName,
    };
  }

  /** The query the management URLs end with: task hub, connection and the system key. */
  private instanceQuery(): string {
    return (
      `taskHub=${encodeURIComponent(this.hubName)}&connection=${this.connectionName}` +
      `&code=${encodeURIComponent(this.systemKey)}`
    );
  }

  async handle(req: ManagementRequest, form: 'webhook' | 'rpc'): Promise<ManagementResponse> {
    const segments = req.path
      .split('/')
      .filter((s) => s.length > 0)
      .map(decodeURIComponent);
    const [root, ...rest] = segments;
    try {
      if (root === 'orchestrators' && req.method === 'POST' && rest.length >= 1 && rest.length <= 2) {
        return await this.startNew(req, rest[0] as string, rest[1]);
      }
      if (root === 'instances') {
        if (rest.length === 0) {
          if (req.method === 'GET') return await this.list(req);
          if (req.method === 'DELETE') return await this.purgeMany(req);
          return methodNotAllowed();
        }
        const id = rest[0] as string;
        const invalid = instanceIdProblem(id);
        if (invalid) return badRequest(invalid);
        if (rest.length === 1) {
          if (req.method === 'GET') return await this.getStatus(req, id, form);
          if (req.method === 'DELETE') return await this.purgeOne(id);
          return methodNotAllowed();
        }
        const op = rest[1] as string;
        if (req.method !== 'POST') return methodNotAllowed();
        if (op === 'raiseEvent' && rest.length === 3)
          return await this.raiseEvent(req, id, rest[2] as string);
        if (rest.length === 2 && (op === 'terminate' || op === 'suspend' || op === 'resume')) {
          const result = await this.engine[op](id, req.query.get('reason'));
          return controlResponse(result, id);
        }
        if (rest.length === 2 && op === 'rewind') {
          return { status: 501, body: { message: 'Rewind is not supported by the local runtime.' } };
        }
        if (rest.length === 2 && op === 'restart') return await this.restart(req, id);
      }
      if (root === 'entities')
        return { status: 501, body: { message: 'Durable entities are not supported by the local runtime.' } };
      return { status: 404, body: { message: `No Durable Functions API at ${req.method} ${req.path}` } };
    } catch (err) {
      if (err instanceof OrchestratorNotFoundError) return badRequest(err.message);
      if (err instanceof InstanceExistsError) return { status: 409, body: { message: err.message } };
      throw err;
    }
  }

  private async startNew(
    req: ManagementRequest,
    functionName: string,
    instanceId?: string,
  ): Promise<ManagementResponse> {
    const id = instanceId ?? crypto.randomUUID().replace(/-/g, '');
    const invalid = instanceIdProblem(id);
    if (invalid) return badRequest(invalid);
    const input = parseJsonBody(req.body);
    if (!input.ok) return badRequest(`The request body is not valid JSON: ${input.error}`);
    await this.engine.startNew(functionName, id, input.value, req.query.get('version'));
    const payload = this.managementPayload(req.origin, id);
    return {
      status: 202,
      headers: { Location: payload.statusQueryGetUri, 'Retry-After': '10' },
      body: payload,
    };
  }

  private async restart(req: ManagementRequest, id: string): Promise<ManagementResponse> {
    const state = await this.engine.getInstance(id);
    if (!state) return notFound(id);
    const newId =
      req.query.get('restartWithNewInstanceId') === 'false' ? id : crypto.randomUUID().replace(/-/g, '');
    await this.engine.startNew(
      state.name,
      newId,
      state.input === null ? null : JSON.parse(state.input),
      state.version,
    );
    const payload = this.managementPayload(req.origin, newId);
    return { status: 202, headers: { Location: payload.statusQueryGetUri }, body: payload };
  }

  private async raiseEvent(
    req: ManagementRequest,
    id: string,
    eventName: string,
  ): Promise<ManagementResponse> {
    const input = parseJsonBody(req.body);
    if (!input.ok) return badRequest(`The event payload is not valid JSON: ${input.error}`);
    return controlResponse(await this.engine.raiseEvent(id, eventName, input.value), id);
  }

  private async getStatus(
    req: ManagementRequest,
    id: string,
    form: 'webhook' | 'rpc',
  ): Promise<ManagementResponse> {
    const state = await this.engine.getInstance(id);
    if (!state) return notFound(id);
    const options = {
      showInput: flag(req.query.get('showInput'), true),
      showHistory: flag(req.query.get('showHistory'), false),
      showHistoryOutput: flag(req.query.get('showHistoryOutput'), false),
    };
    const body: Record<string, unknown> = statusPayload(state, options.showInput);
    if (options.showHistory) {
      body.historyEvents = historyPayload(await this.engine.getHistory(id), options.showHistoryOutput);
    }
    const running = RUNNING_LIKE.includes(state.runtimeStatus);
    const headers: Record<string, string> = {};
    if (running && form === 'webhook') {
      // The URL the caller used, with its query (and so its key), as the extension echoes the request's URI.
      const query = req.query.toString();
      headers.Location = `${req.origin}${WEBHOOK_PATH}/instances/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
      headers['Retry-After'] = '5';
    }
    const failedIs500 =
      state.runtimeStatus === 'Failed' && flag(req.query.get('returnInternalServerErrorOnFailure'), false);
    return { status: failedIs500 ? 500 : running ? 202 : 200, headers, body };
  }

  private async list(req: ManagementRequest): Promise<ManagementResponse> {
    const filters = parseListFilters(req.query);
    if (typeof filters === 'string') return badRequest(filters);
    const top = req.query.get('top');
    const pageSize = top === null ? 100 : Number(top);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
      return badRequest('top must be an integer from 1 to 1000');
    const page = await this.store.queryInstances({
      ...filters,
      pageSize,
      continuationToken: decodeToken(req.headers['x-ms-continuation-token']),
    });
    const showInput = flag(req.query.get('showInput'), false);
    const headers: Record<string, string> = {};
    if (page.continuationToken) headers['x-ms-continuation-token'] = encodeToken(page.continuationToken);
    return { status: 200, headers, body: page.instances.map((s) => statusPayload(s, showInput)) };
  }

  private async purgeOne(id: string): Promise<ManagementResponse> {
    const deleted = await this.engine.purge(id);
    if (deleted === 0) return notFound(id);
    return { status: 200, body: { instancesDeleted: deleted } };
  }

  private async purgeMany(req: ManagementRequest): Promise<ManagementResponse> {
    const filters = parseListFilters(req.query);
    if (typeof filters === 'string') return badRequest(filters);
    if (!filters.createdTimeFrom) return badRequest('createdTimeFrom is required to purge many instances');
    // Only finished instances are purged, whatever statuses were asked for.
    const statuses = (filters.runtimeStatus ?? ALL_STATUSES).filter(isTerminal);
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.store.queryInstances({
        ...filters,
        runtimeStatus: statuses,
        continuationToken: token,
        pageSize: 500,
      });
      for (const state of page.instances) deleted += await this.engine.purge(state.instanceId);
      token = page.continuationToken;
    } while (token);
    if (deleted === 0) return { status: 404, body: { instancesDeleted: 0 } };
    return { status: 200, body: { instancesDeleted: deleted } };
  }

  private managementPayload(origin: string, id: string) {
    const base = `${origin}${WEBHOOK_PATH}`;
    const urls = this.managementUrls(
      encodeURIComponent(id),
      this.instanceQuery(),
      `${base}/instances/${encodeURIComponent(id)}`,
    );
    return { ...urls, id };
  }

  private managementUrls(id: string, qs: string, instance: string) {
    return {
      id,
      statusQueryGetUri: `${instance}?${qs}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${qs}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${qs}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${qs}`,
      purgeHistoryDeleteUri: `${instance}?${qs}`,
      restartPostUri: `${instance}/restart?${qs}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${qs}`,
      resumePostUri: `${instance}/resume?reason={text}&${qs}`,
    };
  }
}

export function statusPayload(state: InstanceState, showInput: boolean): Record<string, unknown> {
  return {
    name: state.name,
    instanceId: state.instanceId,
    runtimeStatus: state.runtimeStatus,
    input: showInput && state.input !== null ? (JSON.parse(state.input) as unknown) : null,
    customStatus: state.customStatus === null ? null : (JSON.parse(state.customStatus) as unknown),
    output: state.output === null ? null : (JSON.parse(state.output) as unknown),
    createdTime: formatTime(state.createdTime),
    lastUpdatedTime: formatTime(state.lastUpdatedTime),
  };
}

/** A readable history, in the spirit of the extension's `showHistory` output. */
function historyPayload(history: HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  const names = new Map<number, string>();
  for (const e of history) if (typeof e.Name === 'string' && e.EventId >= 0) names.set(e.EventId, e.Name);
  return history
    .filter(
      (e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted,
    )
    .map((e) => {
      const out: Record<string, unknown> = {
        EventType: EVENT_TYPE_NAMES[e.EventType],
        Timestamp: e.Timestamp,
      };
      if (e.EventId >= 0) out.EventId = e.EventId;
      if (typeof e.Name === 'string') out.Name = e.Name;
      if (typeof e.TaskScheduledId === 'number') {
        out.ScheduledId = e.TaskScheduledId;
        out.FunctionName = names.get(e.TaskScheduledId);
      }
      if (typeof e.FireAt === 'string') out.FireAt = e.FireAt;
      if (typeof e.Reason === 'string') out.Reason = e.Reason;
      if (showOutput && typeof e.Result === 'string') out.Result = safeParse(e.Result);
      if (showOutput && typeof e.Input === 'string') out.Input = safeParse(e.Input);
      if (e.EventType === EventType.ExecutionCompleted) out.OrchestrationStatus = e.OrchestrationStatus;
      return out;
    });
}

function parseListFilters(query: URLSearchParams):
  | {
      instanceIdPrefix?: string;
      createdTimeFrom?: Date;
      createdTimeTo?: Date;
      runtimeStatus?: RuntimeStatus[];
    }
  | string {
  const out: {
    instanceIdPrefix?: string;
    createdTimeFrom?: Date;
    createdTimeTo?: Date;
    runtimeStatus?: RuntimeStatus[];
  } = {};
  for (const key of ['createdTimeFrom', 'createdTimeTo'] as const) {
    const value = query.get(key);
    if (value === null || value === '') continue;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) return `${key} is not a valid date-time: ${value}`;
    out[key] = date;
  }
  const statuses = query.get('runtimeStatus');
  if (statuses) {
    const list = statuses
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = list.find((s) => !ALL_STATUSES.some((known) => known.toLowerCase() === s.toLowerCase()));
    if (unknown) return `runtimeStatus "${unknown}" is not one of ${ALL_STATUSES.join(', ')}`;
    out.runtimeStatus = list.map(
      (s) => ALL_STATUSES.find((known) => known.toLowerCase() === s.toLowerCase()) as RuntimeStatus,
    );
  }
  const prefix = query.get('instanceIdPrefix');
  if (prefix) out.instanceIdPrefix = prefix;
  return out;
}

/** Instance ids become table keys: Azure Storage forbids these characters in them. */
export function instanceIdProblem(id: string): string | undefined {
  if (id.length === 0 || id.length > 256) return 'An instance id must have 1 to 256 characters.';
  // eslint-disable-next-line no-control-regex
  if (/[/\\#?\u0000-\u001f\u007f-\u009f]/.test(id))
    return `The instance id "${id}" contains a character that is not allowed (/ \\ # ? or a control character).`;
  return undefined;
}

function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (body.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

function controlResponse(result: 'accepted' | 'notFound' | 'gone', id: string): ManagementResponse {
  if (result === 'notFound') return notFound(id);
  if (result === 'gone')
    return { status: 410, body: { message: `The instance ${id} has already finished.` } };
  return { status: 202 };
}

function notFound(id: string): ManagementResponse {
  return { status: 404, body: { message: `No instance with id "${id}" was found.` } };
}

function badRequest(message: string): ManagementResponse {
  return { status: 400, body: { message } };
}

function methodNotAllowed(): ManagementResponse {
  return { status: 405, body: { message: 'Method not allowed' } };
}

function flag(value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  return value.toLowerCase() === 'true';
}

/** The extension's status times: seconds precision, `Z`. */
function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function encodeToken(token: string): string {
  return Buffer.from(token, 'utf8').toString('base64url');
}

function decodeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  return Buffer.from(token, 'base64url').toString('utf8');
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
