/**
 * Graph's enum values are case-insensitive on input — its own examples send `"AdminAssign"` and `"AfterDateTime"` —
 * and are answered in Graph's casing. A zod enum that takes any casing and gives back the canonical value, so
 * what is stored and shown is always Graph's spelling.
 */
import { z } from 'zod';

export function graphEnum<const T extends readonly [string, ...string[]]>(
  values: T,
  params?: { message?: string },
) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? (values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? v) : v),
    z.enum(values, params),
  );
}
