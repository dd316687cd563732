/** Reading a request's body for a stand-in that, like the service it stands in for, refuses one too large. */
import type { IncomingMessage } from 'node:http';

/** The body, or `undefined` as soon as it exceeds `maxBytes` (the rest is left unread). */
export async function readBodyUpTo(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
