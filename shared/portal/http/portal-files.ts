/**
 * Serves the built portal (`dist/portal`, made by `vite build`) from the function app: the same origin as the API, so
 * no CORS and one deployment (docs/portal.md says why not Static Web Apps). Vite names assets by content hash, so they
 * are cached for a year; the HTML pages and config.json are revalidated on every load. Each file is answered in the
 * best encoding the browser accepts that the build precompressed (`.br`, `.gz`).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { HttpResponseInit } from '@azure/functions';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** A file of the portal, or null when there is none (the caller answers 404). */
export async function portalFile(
  root: string,
  requestPath: string,
  acceptEncoding: string,
  securityHeaders: Record<string, string>,
): Promise<HttpResponseInit | null> {
  const relative = requestPath === '' || requestPath.endsWith('/') ? `${requestPath}index.html` : requestPath;
  // Only plain names below the root: no `..`, no hidden files, no precompressed twins asked for by name.
  if (!/^(?:[\w-]+\/)*[\w.-]+$/.test(relative) || relative.split('/').some((p) => p.startsWith('.'))) {
    return null;
  }
  if (/\.(?:br|gz)$/.test(relative)) return null;
  const file = path.join(root, relative);
  const type = TYPES[path.extname(file)];
  if (!type || !(await isFile(file))) return null;

  const immutable = relative.startsWith('assets/');
  const headers: Record<string, string> = {
    'content-type': type,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
    ...(type.startsWith('text/html') ? securityHeaders : {}),
  };
  const accepted = acceptEncoding.toLowerCase();
  for (const encoding of ENCODINGS) {
    if (!new RegExp(`(?:^|[,\\s])${encoding.name}(?!;q=0(?:\\.0*)?(?:[,\\s]|$))`).test(accepted)) continue;
    const compressed = `${file}${encoding.suffix}`;
    if (await isFile(compressed)) {
      return {
        status: 200,
        headers: { ...headers, 'content-encoding': encoding.name },
        body: await readFile(compressed),
      };
    }
  }
  return { status: 200, headers, body: await readFile(file) };
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The pages' Content-Security-Policy: scripts only from the portal itself; calls to the API (same origin) and to the
 * sign-in authority (MSAL's discovery and token requests); Fluent UI writes its styles at run time, hence inline
 * styles.
 */
export function portalSecurityHeaders(authorityOrigin: string | undefined): Record<string, string> {
  const signIn = authorityOrigin ? ` ${authorityOrigin}` : '';
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self'${signIn}`,
      `frame-src 'self'${signIn}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}
