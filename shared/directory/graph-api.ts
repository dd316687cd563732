/** The few Graph calls the directory makes, each under the retry policy: get, post, delete, all pages, $batch. */
import type { Client } from '@microsoft/microsoft-graph-client';
import { runBatch, type BatchOutcome, type BatchPoster, type BatchStep } from './graph-batch';
import { GraphError } from './graph-error';
import { withRetries, type RetryOptions } from './retry-policy';

interface Page<T> {
  value: T[];
  '@odata.nextLink'?: string;
}

export class GraphApi {
  constructor(
    private readonly client: Client,
    private readonly retry: RetryOptions,
  ) {}

  async get<T>(path: string): Promise<T> {
    return (await withRetries(this.retry, () => this.client.api(path).get())) as T;
  }

  /** The object, or null when Graph answers 404. */
  async find<T>(path: string): Promise<T | null> {
    try {
      return await this.get<T>(path);
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) return null;
      throw err;
    }
  }

  async post(path: string, body: unknown, options: { retryNotFound?: boolean } = {}): Promise<void> {
    await withRetries(this.retry, () => this.client.api(path).post(body), options.retryNotFound);
  }

  async delete(path: string): Promise<void> {
    await withRetries(this.retry, () => this.client.api(path).delete());
  }

  /** Every item of a collection, following `@odata.nextLink` to the last page. */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let next: string | undefined = path; next !== undefined;) {
      const page: Page<T> = await this.get<Page<T>>(next);
      items.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return items;
  }

  batch(steps: readonly BatchStep[]): Promise<BatchOutcome[]> {
    const post: BatchPoster = (payload) =>
      withRetries(this.retry, () => this.client.api('/$batch').post(payload));
    return runBatch(post, steps, this.retry);
  }
}
