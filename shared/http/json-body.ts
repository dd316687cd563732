/** Reads a JSON request body and validates it with zod; bad input becomes a 400/415 problem naming what is wrong. */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { problem } from './problem';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

export async function parseJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
): Promise<Parsed<z.infer<S>>> {
  const text = await request.text();
  let value: unknown = undefined;
  if (text.trim() !== '') {
    const type = request.headers.get('content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      return { ok: false, response: problem(415, 'Send the body as application/json.') };
    }
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { ok: false, response: problem(400, `The body is not valid JSON: ${(err as Error).message}`) };
    }
  }
  return validate(schema, value, 'body');
}

/** Validates any value (query, route parameters, body) and turns zod's issues into one readable detail. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): Parsed<z.infer<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const errors = result.error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return { ok: false, response: problem(400, `Invalid ${where}: ${detail}`, { errors }) };
}
