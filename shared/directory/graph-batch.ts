/**
 * Runs many Graph requests through `$batch`, 20 per batch (Graph's limit). Graph answers a batch 200 even when
 * some sub-requests failed or were throttled, so each sub-response is judged on its own: throttled ones (and
 * 404s where replication delay is possible) are sent again in a later batch after their Retry-After, and the
 * rest come back as they are, in the order the steps were given.
 */
import { fromSubResponse, type GraphError } from './graph-error';
import { RetryBudget, type RetryOptions } from './retry-policy';

export const MAX_BATCH_SIZE = 20;

export interface BatchStep {
  method: 'GET' | 'POST' | 'DELETE';
  /** Relative to the version root, e.g. `/groups/{id}/members/$ref`. */
  url: string;
  body?: unknown;
  /** Retry a 404 as possible replication delay (reference writes naming a just-created object). */
  retryNotFound?: boolean;
}

export type BatchOutcome = { ok: true; status: number; body: unknown } | { ok: false; error: GraphError };

interface SubResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Sends one `$batch` payload (with the caller's own retries for the batch as a whole). */
export type BatchPoster = (payload: { requests: unknown[] }) => Promise<{ responses?: SubResponse[] }>;

export async function runBatch(
  post: BatchPoster,
  steps: readonly BatchStep[],
  retry: RetryOptions,
): Promise<BatchOutcome[]> {
  const outcomes = new Array<BatchOutcome | undefined>(steps.length);
  const budgets = steps.map((s) => new RetryBudget(retry, s.retryNotFound ?? false));
  let pending = steps.map((_, i) => i);
  while (pending.length > 0) {
    const again: number[] = [];
    let wait = 0;
    for (let start = 0; start < pending.length; start += MAX_BATCH_SIZE) {
      const chunk = pending.slice(start, start + MAX_BATCH_SIZE);
      const answer = await post({
        requests: chunk.map((i) => toSubRequest(String(i), steps[i] as BatchStep)),
      });
      const byId = new Map((answer.responses ?? []).map((r) => [r.id, r]));
      for (const i of chunk) {
        const outcome = toOutcome(byId.get(String(i)));
        const delay = outcome.ok ? undefined : budgets[i]?.delayAfter(outcome.error);
        if (delay === undefined) {
          outcomes[i] = outcome;
        } else {
          again.push(i);
          wait = Math.max(wait, delay);
        }
      }
    }
    if (again.length > 0) await retry.sleep(wait);
    pending = again;
  }
  return outcomes as BatchOutcome[];
}

function toSubRequest(id: string, step: BatchStep): Record<string, unknown> {
  const request: Record<string, unknown> = { id, method: step.method, url: step.url };
  if (step.body !== undefined) {
    request.body = step.body;
    request.headers = { 'Content-Type': 'application/json' };
  }
  return request;
}

function toOutcome(response: SubResponse | undefined): BatchOutcome {
  if (!response) {
    const error = fromSubResponse(
      500,
      {},
      {
        error: { code: 'MissingBatchResponse', message: 'Graph returned no response for this request.' },
      },
    );
    return { ok: false, error };
  }
  if (response.status < 400) return { ok: true, status: response.status, body: response.body };
  return { ok: false, error: fromSubResponse(response.status, response.headers ?? {}, response.body) };
}
