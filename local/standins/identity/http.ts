/** HTTP plumbing shared by the identity stand-in's endpoints. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

/**
 * CORS as Entra ID answers it on discovery, keys and token: any origin may read them (a SPA redeems its code
 * from the browser), without credentials. Returns the headers for the response, and answers a preflight itself.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}

export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(204, {
    ...corsHeaders(req),
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    // MSAL sends content-type, client-request-id, x-client-SKU/VER/OS/CPU, telemetry and x-ms-lib-capability.
    'access-control-allow-headers':
      req.headers['access-control-request-headers'] ??
      'content-type, client-request-id, return-client-request-id, x-client-sku, x-client-ver, x-client-os, x-client-cpu, x-client-current-telemetry, x-client-last-telemetry, x-ms-lib-capability, x-anchormailbox',
    'access-control-max-age': '86400',
  });
  res.end();
}

/** An HTML page with a strict CSP: nothing external, only its own style (by nonce) and forms to `formAction`. */
export function sendHtml(
  res: ServerResponse,
  status: number,
  page: (styleNonce: string) => string,
  options: { formAction?: string[]; setCookie?: string; script?: boolean } = {},
): void {
  const nonce = randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    options.script ? `script-src 'nonce-${nonce}'` : '',
    `form-action 'self' ${(options.formAction ?? []).join(' ')}`.trim(),
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].filter(Boolean);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': csp.join('; '),
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    ...(options.setCookie ? { 'set-cookie': options.setCookie } : {}),
  });
  res.end(page(nonce));
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
