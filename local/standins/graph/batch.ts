/**
 * `POST /$batch`: up to 20 sub-requests, each answered on its own (one failing doesn't fail the others);
 * `dependsOn` orders them, and a sub-request whose dependency failed is answered 424 without running. A
 * malformed batch as a whole is 400, as in Graph.
 */
import { errorBody, GraphHttpError } from './graph-errors';
import type { GraphAnswer } from './route-helpers';

export const MAX_BATCH_REQUESTS = 20;
const METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

interface SubRequest {
  id: string;
  method: string;
  url: string;
  body?: unknown;
  dependsOn: string[];
}

export interface SubResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

/** Runs one sub-request: `url` is relative to the version root, e.g. `/groups/{id}/members/$ref`. */
export type SubRequestRunner = (method: string, url: string, body: unknown) => GraphAnswer;

export function runBatch(
  payload: unknown,
  run: SubRequestRunner,
  now: () => Date,
  requestId: string,
): { responses: SubResponse[] } {
  const requests = parseBatch(payload);
  const byId = new Map(requests.map((r) => [r.id, r]));
  const answered = new Map<string, SubResponse>();
  const answer = (r: SubRequest): SubResponse => {
    const done = answered.get(r.id);
    if (done) return done;
    // Dependencies first; parseBatch has ruled out cycles and unknown ids.
    const failed = r.dependsOn.map((d) => answer(byId.get(d) as SubRequest)).some((d) => d.status >= 400);
    const result = failed
      ? failedDependency(r.id, now(), requestId)
      : toSubResponse(r.id, run(r.method, r.url, r.body));
    answered.set(r.id, result);
    return result;
  };
  return { responses: requests.map(answer) };
}

function toSubResponse(id: string, a: GraphAnswer): SubResponse {
  const headers: Record<string, string> = { ...(a.headers ?? {}) };
  if (a.body === undefined) return { id, status: a.status, headers };
  headers['Content-Type'] = 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8';
  return { id, status: a.status, headers, body: a.body };
}

function failedDependency(id: string, now: Date, requestId: string): SubResponse {
  const body = errorBody('FailedDependency', 'A request this request depends on failed.', requestId, now);
  return { id, status: 424, headers: { 'Content-Type': 'application/json' }, body };
}

function parseBatch(payload: unknown): SubRequest[] {
  const list = (payload as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(list) || list.length === 0) throw invalid('the body must be {"requests": [...]}');
  if (list.length > MAX_BATCH_REQUESTS) {
    throw invalid(`a batch can hold at most ${MAX_BATCH_REQUESTS} requests, this one has ${list.length}`);
  }
  const requests = list.map(parseSubRequest);
  const ids = new Set(requests.map((r) => r.id));
  if (ids.size !== requests.length) throw invalid('request ids must be unique');
  for (const r of requests) {
    for (const d of r.dependsOn) if (!ids.has(d)) throw invalid(`request ${r.id} depends on unknown id ${d}`);
  }
  checkNoCycles(requests);
  return requests;
}

function parseSubRequest(raw: unknown): SubRequest {
  const r = (raw ?? {}) as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') throw invalid('every request needs a string id');
  const method = typeof r.method === 'string' ? r.method.toUpperCase() : '';
  if (!METHODS.has(method)) throw invalid(`request ${r.id} has no valid method`);
  if (typeof r.url !== 'string' || /^[a-z]+:\/\//i.test(r.url) || /^\/?\$batch/.test(r.url)) {
    throw invalid(`request ${r.id} needs a relative url, such as "/users/{id}"`);
  }
  const headers = (r.headers ?? {}) as Record<string, unknown>;
  if (r.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    throw invalid(`request ${r.id} has a body but no Content-Type header`);
  }
  const dependsOn = r.dependsOn ?? [];
  if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === 'string')) {
    throw invalid(`request ${r.id} has an invalid dependsOn`);
  }
  return { id: r.id, method, url: r.url, body: r.body, dependsOn };
}

function checkNoCycles(requests: SubRequest[]): void {
  const byId = new Map(requests.map((r) => [r.id, r]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (r: SubRequest): void => {
    if (state.get(r.id) === 'done') return;
    if (state.get(r.id) === 'visiting') throw invalid(`dependsOn forms a cycle through request ${r.id}`);
    state.set(r.id, 'visiting');
    for (const d of r.dependsOn) visit(byId.get(d) as SubRequest);
    state.set(r.id, 'done');
  };
  requests.forEach(visit);
}

function invalid(detail: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Invalid batch payload: ${detail}.`);
}
