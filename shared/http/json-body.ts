/**
 * Reads a JSON request body (at most MAX_BODY_BYTES, else 413 before any parsing) and validates it with zod; bad
 * input becomes a 400/415 problem naming what is wrong.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { describeBytes, MAX_BODY_BYTES, readBodyText } from './body';
import { MAX_ID_LENGTH, overlongIdIn } from './edge';
import { problem } from './problem';

export type Parsed<T> = { ok: true; value: T } | { ok: false; response: HttpResponseInit };

/** The body as text, or the 413 problem when it is larger than `limit`. */
export async function readLimitedBody(request: HttpRequest, limit = MAX_BODY_BYTES): Promise<Parsed<string>> {
  const read = await readBodyText(request, limit);
  if (read.ok) return { ok: true, value: read.text };
  return {
    ok: false,
    response: problem(
      413,
      `The body is larger than ${describeBytes(read.limit)}, the most this API accepts.`,
      {
        limitBytes: read.limit,
      },
    ),
  };
}

export async function parseJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
): Promise<Parsed<z.infer<S>>> {
  const body = await readLimitedBody(request);
  if (!body.ok) return body;
  const text = body.value;
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
  const overlong = overlongIdIn(value);
  if (overlong) {
    const detail = `Invalid body: ${overlong.field} is ${overlong.length} characters long; no id is longer than ${MAX_ID_LENGTH}`;
    return {
      ok: false,
      response: problem(400, detail, {
        errors: [{ field: overlong.field, message: `at most ${MAX_ID_LENGTH} characters` }],
      }),
    };
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
