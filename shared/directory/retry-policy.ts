/**
 * When to try a Graph request again. Throttling (429) and unavailability (503, 504) are retried after
 * Retry-After, or with exponential backoff when Graph sends none. A 404 is retried only where the caller says it
 * may be replication delay (an object created moments ago, referenced in a write), a few times with short
 * waits. Everything else is final.
 *
 * This is ours rather than the Graph client's RetryHandler because `$batch` answers 200 with throttled
 * sub-responses inside, which the RetryHandler never sees; one policy for both paths, with an injectable sleep.
 */
import { fromClientError, type GraphError } from './graph-error';

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  /** Retries after 429/503/504 per request (default 8). */
  maxRetries: number;
  /** Retries after a 404 that may be replication delay (default 4: waits of 0.5, 1, 2 and 4 s). */
  replicationRetries: number;
}

export const DEFAULT_MAX_RETRIES = 8;
export const DEFAULT_REPLICATION_RETRIES = 4;
const TRANSIENT = new Set([429, 503, 504]);
const MAX_WAIT_MS = 5 * 60_000;
const REPLICATION_WAIT_MS = 500;

/** One request's retries so far; says how long to wait before the next try, or undefined to give up. */
export class RetryBudget {
  private transient = 0;
  private notFound = 0;

  constructor(
    private readonly options: RetryOptions,
    private readonly retryNotFound: boolean,
  ) {}

  delayAfter(error: GraphError): number | undefined {
    if (TRANSIENT.has(error.status)) {
      if (this.transient >= this.options.maxRetries) return undefined;
      this.transient++;
      return Math.min(error.retryAfterMs ?? Math.min(1000 * 2 ** (this.transient - 1), 32_000), MAX_WAIT_MS);
    }
    if (error.status === 404 && this.retryNotFound) {
      if (this.notFound >= this.options.replicationRetries) return undefined;
      this.notFound++;
      return REPLICATION_WAIT_MS * 2 ** (this.notFound - 1);
    }
    return undefined;
  }
}

/** Runs a Graph client call under the policy; what finally fails is thrown as our GraphError. */
export async function withRetries<T>(
  options: RetryOptions,
  op: () => Promise<T>,
  retryNotFound = false,
): Promise<T> {
  const budget = new RetryBudget(options, retryNotFound);
  for (;;) {
    try {
      return await op();
    } catch (err) {
      const error = fromClientError(err);
      const delay = budget.delayAfter(error);
      if (delay === undefined) throw error;
      await options.sleep(delay);
    }
  }
}
