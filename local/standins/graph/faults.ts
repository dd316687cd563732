/**
 * Faults the Graph stand-in can inject, to exercise a client's throttling and outage handling: a share of
 * requests answered 429 or 503 (each with Retry-After), added latency, and a replication delay for new objects.
 * Applied to every request and, for `$batch`, to each sub-request on its own (the batch itself answers 200, as
 * Graph's does when it holds throttled sub-requests).
 */
import { z } from 'zod';
import { GraphHttpError } from './graph-errors';

const rate = z.number().min(0).max(1);

export const graphFaultsSchema = z
  .object({
    /** Share of requests (0..1) answered 429 Too Many Requests. */
    throttleRate: rate.optional(),
    /** Share of requests (0..1) answered 503 Service Unavailable. */
    unavailableRate: rate.optional(),
    /** Retry-After sent with 429 and 503, in seconds (default 1). */
    retryAfterSeconds: z.number().int().min(0).optional(),
    /** Only writes (POST, PATCH, PUT, DELETE) fail: Graph often throttles writes while reads pass. */
    writesOnly: z.boolean().optional(),
    /** Added to every HTTP request before it is answered. */
    delayMs: z.number().int().min(0).optional(),
    /** Objects younger than this are answered 404 when referenced in a `$ref` write, as Graph may. */
    replicationDelayMs: z.number().int().min(0).optional(),
  })
  .strict();

export type GraphFaults = z.infer<typeof graphFaultsSchema>;

/** The fault to answer with instead of running the request, if the dice say so. */
export function injectedFault(
  faults: GraphFaults,
  method: string,
  random: () => number,
): GraphHttpError | undefined {
  if (faults.writesOnly && method === 'GET') return undefined;
  const retryAfter = String(faults.retryAfterSeconds ?? 1);
  if (faults.throttleRate && random() < faults.throttleRate) {
    return new GraphHttpError(
      429,
      'TooManyRequests',
      'Too many requests: retry after the time in Retry-After.',
      {
        'Retry-After': retryAfter,
      },
    );
  }
  if (faults.unavailableRate && random() < faults.unavailableRate) {
    return new GraphHttpError(
      503,
      'serviceNotAvailable',
      'The service is temporarily unavailable. Retry the request after the time in Retry-After.',
      { 'Retry-After': retryAfter },
    );
  }
  return undefined;
}
