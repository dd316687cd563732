/**
 * `$skiptoken`s, the same for every paged list: a skiptoken is the storage's continuation, sealed with an HMAC over
 * the list it belongs to (the path and every query option but `$skiptoken` and `$top`). A token this API did not
 * issue for this very list — forged, edited, truncated, from another list or filter, or signed with a key since
 * rotated — fails the check and is a 400 before the storage ever sees it, so no storage quirk can turn a client's
 * mistake into a 500 or a page of another query.
 *
 * The key is derived (HKDF-SHA256, its own label) from APPROVAL_LINK_SIGNING_KEY, the one secret the app has, so
 * every instance of the app agrees on it; rotating that secret also ends the nextLinks handed out before.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { loadSettings } from '../config';

/** Longer than any continuation we issue (Cosmos DB's are a few hundred bytes); anything longer is refused unread. */
export const MAX_SKIP_TOKEN_LENGTH = 8192;
const MAC_BYTES = 16;

export const SKIP_TOKEN_REFUSED =
  '$skiptoken is not one this API issued for this list: follow @odata.nextLink exactly as given, or start again without $skiptoken';

let derivedKey: Buffer | undefined;

function key(): Buffer {
  derivedKey ??= Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.from(loadSettings().APPROVAL_LINK_SIGNING_KEY, 'base64'),
      Buffer.alloc(0),
      'pimflow $skiptoken v1',
      32,
    ),
  );
  return derivedKey;
}

/** The list a URL names: its path and its query options, minus `$skiptoken` and `$top` (a page may change size). */
function listOf(url: URL): string {
  const options = [...url.searchParams.entries()]
    .filter(([name]) => name !== '$skiptoken' && name !== '$top')
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .sort();
  return `${url.pathname.toLowerCase()}?${options.join('&')}`;
}

function mac(list: string, continuation: string): Buffer {
  return createHmac('sha256', key())
    .update(`${list}\n${continuation}`, 'utf8')
    .digest()
    .subarray(0, MAC_BYTES);
}

/** Sets `$skiptoken` on `url` (the next page's URL, with every other option as it will be sent) for `continuation`. */
export function sealSkipToken(url: URL, continuation: string): URL {
  const payload = Buffer.from(continuation, 'utf8').toString('base64url');
  const tag = mac(listOf(url), continuation).toString('base64url');
  url.searchParams.set('$skiptoken', `${payload}.${tag}`);
  return url;
}

/** The continuation sealed in `token` for the list `requestUrl` names; undefined when the token is not ours. */
export function openSkipToken(requestUrl: string, token: string): string | undefined {
  const m = token.length <= MAX_SKIP_TOKEN_LENGTH ? /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token) : null;
  if (!m) return undefined;
  const continuation = Buffer.from(m[1] as string, 'base64url').toString('utf8');
  const given = Buffer.from(m[2] as string, 'base64url');
  const expected = mac(listOf(new URL(requestUrl)), continuation);
  if (continuation === '' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return undefined;
  }
  return continuation;
}
