/**
 * Reading a request body with a limit, before any parsing: a `Content-Length` above the limit is refused without
 * reading, and a body sent without one (chunked) is read only until it passes the limit. Plain app code on the
 * `HttpRequest` stream, so it works the same under the Functions host (which buffers up to its own 100 MB limit)
 * and the local runtime.
 */
import type { HttpRequest } from '@azure/functions';

/** The most any API body may be: 1 MiB. Pages and operations with smaller needs pass a smaller limit. */
export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyRead = { ok: true; text: string } | { ok: false; reason: 'tooLarge'; limit: number };

export async function readBodyText(request: HttpRequest, limit = MAX_BODY_BYTES): Promise<BodyRead> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > limit) {
    return { ok: false, reason: 'tooLarge', limit };
  }
  const stream = request.body;
  if (!stream) return { ok: true, text: '' };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done) break;
    if (!value) continue;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, reason: 'tooLarge', limit };
    }
    chunks.push(value);
  }
  return { ok: true, text: Buffer.concat(chunks).toString('utf8') };
}

/** "1 MiB", "16 KiB": the limit as people read it. */
export function describeBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
