/**
 * A local Azure Communication Services Email: the REST API `EmailClient.beginSend` speaks (api-version
 * 2025-09-01: `POST /emails:send`, then `GET /emails/operations/{id}`), with ACS's access-key signature check,
 * plus a mailbox to read what was "sent": `GET /mailbox` (pages) and `/mailbox/messages` (JSON, for tests).
 *
 * Sending to addresses at `.invalid` domains (RFC 2606) only makes the operation end `Failed`, as ACS does when
 * every recipient is suppressed, so callers can test that path.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readBodyUpTo } from '../request-body';
import { type BearerTokenCheck, type StandIn, keepIdleConnections } from '../stand-in';
import type { TlsMaterial } from '../tls';
import { checkHmacSignature } from './hmac-auth';
import { mailboxListPage, mailboxMessagePage, MAILBOX_HEADERS, notFoundPage } from './mailbox-pages';
import { MessageStore, type StoredMessage } from './message-store';
import { checkSendRequest } from './send-request';

export interface MailStandInOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  tls: TlsMaterial;
  /** JSON file holding the mailbox; created if missing. */
  dataFile: string;
  /** The resource's access key (base64), as in the connection string. */
  accessKey: string;
  /** Accept Entra ID bearer tokens too (managed identity in Azure); without it only the access key works. */
  checkBearerToken?: BearerTokenCheck;
  /** The Retry-After (seconds) its send and first poll answer with; ACS says 1. Benchmarks set 0. */
  retryAfterSeconds?: number;
  /** Reject signatures whose x-ms-date is further off than this (default: not checked; see hmac-auth.ts). */
  maxClockSkewMs?: number;
}

export interface MailStandIn extends StandIn {
  /** `endpoint=https://127.0.0.1:<port>/;accesskey=<key>`, for `EmailClient`. */
  connectionString: string;
  /** `https://127.0.0.1:<port>/mailbox`, the page listing every message. */
  mailboxUrl: string;
  /** Every message's recipients and subject, in-process (benchmarks count thousands without fetching bodies). */
  summaries(): { to: string[]; subject: string }[];
}

const MAX_BODY_BYTES = 10 * 1024 * 1024; // ACS's limit for a whole request, attachments included
/** The SDK waits this long between polls when told to; it reads whole seconds only (no retry-after-ms). */
const RETRY_AFTER_SECONDS = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startMailStandIn(options: MailStandInOptions): Promise<MailStandIn> {
  const key = Buffer.from(options.accessKey, 'base64');
  if (key.length === 0) throw new Error('Mail stand-in: accessKey must be a non-empty base64 string');
  const store = await MessageStore.open(options.dataFile);
  const retryAfter = String(options.retryAfterSeconds ?? RETRY_AFTER_SECONDS);
  // Operations accepted by this process and not polled yet: their first poll answers Running, as ACS's
  // usually does, so the SDK's poller really polls.
  const unpolled = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://stand-in');
    const body = await readBodyUpTo(req, MAX_BODY_BYTES);
    if (body === undefined)
      return json(res, 413, acsError('RequestEntityTooLarge', 'The request is larger than 10 MB.'));
    const route = url.pathname;

    if (route === '/emails:send' || route.startsWith('/emails/operations/')) {
      if (!url.searchParams.get('api-version'))
        return json(
          res,
          400,
          acsError(
            'MissingApiVersionParameter',
            'The api-version query parameter (?api-version=) is required for all requests.',
          ),
        );
      if (!(await authorized(req, body, key, options)))
        return json(res, 401, acsError('Denied', 'Denied by the resource provider.'));
      if (route === '/emails:send') {
        if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
        return send(req, res, body, url);
      }
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      return poll(res, decodeURIComponent(route.slice('/emails/operations/'.length)));
    }

    if (route === '/mailbox' || route === '/mailbox/') {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const to = url.searchParams.get('to') ?? undefined;
      return html(res, 200, mailboxListPage(store.list(to), to));
    }
    if (route === '/mailbox/messages') {
      if (req.method === 'GET') return json(res, 200, store.list(url.searchParams.get('to') ?? undefined));
      if (req.method === 'DELETE') {
        await store.clear();
        unpolled.clear();
        res.writeHead(204).end();
        return;
      }
      return methodNotAllowed(res, 'GET, DELETE');
    }
    const jsonMessage = /^\/mailbox\/messages\/([^/]+)$/.exec(route);
    if (jsonMessage?.[1]) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const message = store.get(decodeURIComponent(jsonMessage[1]));
      return message ? json(res, 200, message) : json(res, 404, acsError('NotFound', 'No such message.'));
    }
    const pageMessage = /^\/mailbox\/([^/]+)$/.exec(route);
    if (pageMessage?.[1]) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const message = store.get(decodeURIComponent(pageMessage[1]));
      return message ? html(res, 200, mailboxMessagePage(message)) : html(res, 404, notFoundPage());
    }
    return json(res, 404, acsError('NotFound', `No resource at ${route}.`));
  };

  const send = async (req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): Promise<void> => {
    const checked = checkSendRequest(body);
    if (!checked.ok) return json(res, 400, acsError(checked.code, checked.message));
    const operationId = req.headers['operation-id'];
    const id = typeof operationId === 'string' && UUID.test(operationId) ? operationId : randomUUID();
    // A repeated Operation-Id is the same send (a retry): answer for the first one, don't deliver twice.
    if (!store.has(id)) {
      const { message } = checked;
      const recipients = [...message.to, ...message.cc, ...message.bcc];
      if (recipients.every((a) => a.toLowerCase().endsWith('.invalid'))) {
        await store.addFailed({
          id,
          error: {
            code: 'EmailDroppedAllRecipientsSuppressed',
            message: 'Message was dropped because all recipients were suppressed.',
          },
        });
      } else {
        await store.add({ id, ...message, receivedDateTime: new Date().toISOString() });
      }
      unpolled.add(id);
    }
    const apiVersion = url.searchParams.get('api-version') ?? '';
    const location = `https://${req.headers.host}/emails/operations/${encodeURIComponent(id)}?api-version=${encodeURIComponent(apiVersion)}`;
    json(res, 202, { id, status: 'Running' }, { 'Operation-Location': location, 'Retry-After': retryAfter });
  };

  const poll = (res: ServerResponse, id: string): void => {
    if (!store.has(id))
      return json(res, 404, acsError('NotFound', `No email send operation with id '${id}'.`));
    if (unpolled.delete(id)) return json(res, 200, { id, status: 'Running' }, { 'Retry-After': retryAfter });
    const failed = store.getFailed(id);
    json(res, 200, failed ? { id, status: 'Failed', error: failed.error } : { id, status: 'Succeeded' });
  };

  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        json(res, 500, acsError('InternalServerError', err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
  keepIdleConnections(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: base,
    connectionString: `endpoint=${base}/;accesskey=${options.accessKey}`,
    mailboxUrl: `${base}/mailbox`,
    summaries: () => store.list().map((m) => ({ to: m.to, subject: m.subject })),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.flushed();
    },
  };
}

async function authorized(
  req: IncomingMessage,
  body: Buffer,
  key: Buffer,
  options: MailStandInOptions,
): Promise<boolean> {
  const authorization = req.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return (await options.checkBearerToken?.(authorization)) ?? false;
  return checkHmacSignature(req, body, key, { maxClockSkewMs: options.maxClockSkewMs }) === undefined;
}

function acsError(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  const code = (body as { error?: { code?: string } }).error?.code;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'x-ms-request-id': randomUUID(),
    ...(status >= 400 && code ? { 'x-ms-error-code': code } : {}),
    ...headers,
  });
  res.end(payload);
}

function html(res: ServerResponse, status: number, page: string): void {
  res.writeHead(status, MAILBOX_HEADERS);
  res.end(page);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  json(res, 405, acsError('MethodNotAllowed', `Use ${allow}.`), { Allow: allow });
}

export type { StoredMessage };
