/**
 * Faults the ARM stand-in can inject: the Graph stand-in's (a share of requests answered 429 or 503 with
 * Retry-After, writes only, added latency) and `next`: rules that answer the next `count` requests matching a
 * method and path with a given status — a 429 storm, a run of 409s, a 5xx outage — then stop.
 */
import { z } from 'zod';
import { graphFaultsSchema, injectedFault } from '../graph/faults';
import { ArmHttpError } from './arm-errors';

export const armFaultRuleSchema = z
  .object({
    /** GET, PUT, DELETE, ...; any when absent. */
    method: z.string().optional(),
    /** A case-insensitive substring of the request's path, e.g. `/roleAssignments/`; any when absent. */
    path: z.string().optional(),
    status: z.number().int().min(400).max(599),
    /** ARM's error code; by default TooManyRequests (429), Conflict (409), ServiceUnavailable (503), ... */
    code: z.string().optional(),
    message: z.string().optional(),
    /** How many matching requests it answers (default 1). */
    count: z.number().int().min(1).default(1),
    /** Retry-After, in seconds, sent with 429 and 503 (default 1). */
    retryAfterSeconds: z.number().int().min(0).optional(),
  })
  .strict();

export const armFaultsSchema = graphFaultsSchema
  .omit({ replicationDelayMs: true })
  .extend({ next: z.array(armFaultRuleSchema).optional() })
  .strict();

export type ArmFaults = z.input<typeof armFaultsSchema>;
export type ArmFaultRule = z.input<typeof armFaultRuleSchema>;

const DEFAULT_CODES: Record<number, string> = {
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/**
 * The fault to answer with instead of running the request: the first `next` rule that matches (one of its
 * `count` used up), else the rates' dice.
 */
export function armInjectedFault(
  faults: z.infer<typeof armFaultsSchema>,
  method: string,
  path: string,
  random: () => number,
): ArmHttpError | undefined {
  const rules = faults.next ?? [];
  const index = rules.findIndex(
    (r) =>
      (!r.method || r.method.toUpperCase() === method) &&
      (!r.path || path.toLowerCase().includes(r.path.toLowerCase())),
  );
  const rule = rules[index];
  if (rule) {
    if (rule.count <= 1) rules.splice(index, 1);
    else rule.count--;
    const retryAfter: Record<string, string> =
      rule.status === 429 || rule.status === 503
        ? { 'Retry-After': String(rule.retryAfterSeconds ?? 1) }
        : {};
    return new ArmHttpError(
      rule.status,
      rule.code ?? DEFAULT_CODES[rule.status] ?? 'InternalServerError',
      rule.message ?? `Injected fault: ${rule.status}.`,
      retryAfter,
    );
  }
  const graphFault = injectedFault(faults, method, random);
  if (!graphFault) return undefined;
  return graphFault.status === 429
    ? new ArmHttpError(
        429,
        'TooManyRequests',
        'The request is being throttled as the limit has been reached for operation type.',
        graphFault.headers,
      )
    : new ArmHttpError(
        graphFault.status,
        'ServiceUnavailable',
        'The service is temporarily unavailable.',
        graphFault.headers,
      );
}
