/**
 * ACS's access-key (HMAC-SHA256) request signature, checked as the service checks it: the body's SHA-256 must
 * match `x-ms-content-sha256`, and the signature must be the HMAC, under the base64-decoded access key, of
 * `VERB\nPathAndQuery\n<values of the signed headers, joined by ;>`.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const AUTHORIZATION = /^HMAC-SHA256 SignedHeaders=([^&]+)&Signature=(\S+)$/;
const REQUIRED_SIGNED = ['x-ms-date', 'host', 'x-ms-content-sha256'];

export interface HmacCheckOptions {
  /**
   * Reject an `x-ms-date` further than this from our clock. Off by default: under the virtual test clock the
   * app signs with virtual time while a stand-in in another process reads real time.
   */
  maxClockSkewMs?: number;
}

/** Why a request's signature is not accepted, or undefined when it is. */
export function checkHmacSignature(
  req: IncomingMessage,
  body: Buffer,
  key: Buffer,
  options: HmacCheckOptions = {},
): string | undefined {
  const match = AUTHORIZATION.exec(req.headers.authorization ?? '');
  if (!match?.[1] || !match[2]) return 'missing or malformed HMAC-SHA256 Authorization header';
  const signedHeaders = match[1].toLowerCase().split(';');
  if (!REQUIRED_SIGNED.every((h) => signedHeaders.includes(h)))
    return `SignedHeaders must include ${REQUIRED_SIGNED.join(';')}`;
  const values: string[] = [];
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (typeof value !== 'string') return `signed header '${name}' is missing`;
    values.push(value);
  }
  const contentHash = createHash('sha256').update(body).digest('base64');
  if (req.headers['x-ms-content-sha256'] !== contentHash)
    return 'x-ms-content-sha256 does not match the body';
  const date = Date.parse(req.headers['x-ms-date'] as string);
  if (Number.isNaN(date)) return 'x-ms-date is not a date';
  if (options.maxClockSkewMs !== undefined && Math.abs(Date.now() - date) > options.maxClockSkewMs)
    return 'x-ms-date is too far from the current time';
  const stringToSign = `${req.method ?? ''}\n${req.url ?? ''}\n${values.join(';')}`;
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(match[2], 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return 'signature does not match';
  return undefined;
}
