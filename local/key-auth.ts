/**
 * Who may call what, decided as the Functions host does (AuthenticationLevelHandler, AuthUtility): the key comes
 * from the `x-functions-key` header, else from the `code` query parameter (a header, even a wrong one, wins);
 * the master key opens everything; otherwise the key must be of the required level exactly, and for a system
 * endpoint the named system key. So a system key does not open `function` triggers, nor a function key the
 * Durable API. Refusals are 401 with an empty body, as the host answers.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyMatch } from './keys';

export type AuthLevel = 'anonymous' | 'function' | 'system' | 'admin';

const LEVELS: readonly AuthLevel[] = ['anonymous', 'function', 'system', 'admin'];

export function presentedKey(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers['x-functions-key'];
  if (header !== undefined) return (Array.isArray(header) ? header[0] : header) || undefined;
  return query.get('code') || undefined;
}

/**
 * The key in `Authorization: Basic` (its password). Only for the RPC form of the Durable API: the SDK calls it at
 * `rpcBaseUrl` + path, which keeps a URL's user info but not its query, so that is how the key travels there.
 */
export function basicAuthKey(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1) || undefined;
}

export function allows(match: KeyMatch | undefined, required: AuthLevel, keyName?: string): boolean {
  if (required === 'anonymous') return true;
  if (!match) return false;
  if (match.level === 'admin') return true;
  return (
    match.level === required && (keyName === undefined || match.name.toLowerCase() === keyName.toLowerCase())
  );
}

/** An HTTP trigger's `authLevel` binding property; without one the host's default, `function`, applies. */
export function authLevelOf(value: unknown, functionName: string): AuthLevel {
  if (value === undefined || value === null || value === '') return 'function';
  const level = LEVELS.find((l) => l === String(value).toLowerCase());
  if (!level) throw new Error(`Function "${functionName}" has an unknown authLevel "${String(value)}".`);
  return level;
}
