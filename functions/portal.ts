/**
 * The portal (docs/portal.md): `GET /api/portal/` and its files, built into dist/portal by `npm run build`, and
 * `GET /api/portal/config.json`, what it needs to sign people in (from the app settings). Anonymous: the pages hold
 * no data; everything they show comes from the API with the signed-in user's token.
 */
import path from 'node:path';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { loadSettings } from '../shared/config';
import { problem } from '../shared/http/problem';
import { portalConfig } from '../shared/portal/portal-config';
import { portalFile, portalSecurityHeaders } from '../shared/portal/http/portal-files';

/** dist/functions/../portal: where `vite build` puts the portal. */
const PORTAL_ROOT = path.join(__dirname, '..', 'portal');

let config: ReturnType<typeof portalConfig> | undefined;
function currentConfig(): ReturnType<typeof portalConfig> {
  config ??= portalConfig(loadSettings());
  return config;
}

export async function portalConfigJson(): Promise<HttpResponseInit> {
  const outcome = currentConfig();
  if (!outcome.ok) return problem(503, outcome.reason);
  return { status: 200, headers: { 'cache-control': 'no-cache' }, jsonBody: outcome.config };
}

export async function portalFiles(request: HttpRequest): Promise<HttpResponseInit> {
  const outcome = currentConfig();
  const authorityOrigin = outcome.ok ? new URL(outcome.config.authority).origin : undefined;
  const file = await portalFile(
    PORTAL_ROOT,
    request.params.path ?? '',
    request.headers.get('accept-encoding') ?? '',
    portalSecurityHeaders(authorityOrigin),
  );
  return file ?? problem(404, `The portal has no file ${request.params.path ?? ''}`);
}

app.http('portalConfig', {
  route: 'portal/config.json',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: portalConfigJson,
});

app.http('portalFiles', {
  route: 'portal/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: portalFiles,
});
