/**
 * The ACS stand-in's protocol, spoken by hand over HTTPS (not through the SDK): ACS's HMAC-SHA256 signature
 * scheme, the long-running operation, and ACS's error bodies.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messagesTo, startTestMailStandIn, uniqueAddress, type TestMailStandIn } from './mail-test-helpers';

const API = 'api-version=2025-09-01';

describe('ACS stand-in protocol', () => {
  let mail: TestMailStandIn;
  beforeAll(async () => {
    mail = await startTestMailStandIn();
  });
  afterAll(async () => {
    await mail.standIn.close();
  });

  /** Signs as ACS documents: HMAC-SHA256 over `VERB\nPathAndQuery\nx-ms-date;host;x-ms-content-sha256`. */
  function signed(
    method: string,
    pathAndQuery: string,
    body = '',
    o: { key?: string; signedBody?: string; headers?: Record<string, string> } = {},
  ) {
    const host = new URL(mail.standIn.url).host;
    const date = new Date().toUTCString();
    const hash = createHash('sha256')
      .update(o.signedBody ?? body)
      .digest('base64');
    const signature = createHmac('sha256', Buffer.from(o.key ?? mail.accessKey, 'base64'))
      .update(`${method}\n${pathAndQuery}\n${date};${host};${hash}`)
      .digest('base64');
    return fetch(`${mail.standIn.url}${pathAndQuery}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-ms-date': date,
        'x-ms-content-sha256': hash,
        authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
        ...o.headers,
      },
      ...(method === 'GET' ? {} : { body }),
    });
  }

  const message = (to: string) =>
    JSON.stringify({
      senderAddress: 'DoNotReply@pimflow.example.com',
      recipients: { to: [{ address: to, displayName: 'Someone' }] },
      content: { subject: 'Hand-signed', plainText: 'text only' },
    });

  it('accepts a hand-signed send with 202 and Operation-Location, then reports Running, then Succeeded', async () => {
    const to = uniqueAddress();
    const sent = await signed('POST', `/emails:send?${API}`, message(to));
    expect(sent.status).toBe(202);
    const accepted = (await sent.json()) as { id: string; status: string };
    expect(accepted.status).toBe('Running');
    const location = new URL(sent.headers.get('operation-location') ?? '');
    expect(location.pathname).toBe(`/emails/operations/${accepted.id}`);
    expect(location.searchParams.get('api-version')).toBe('2025-09-01');
    const path = `${location.pathname}${location.search}`;
    const first = await signed('GET', path);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(await first.json()).toEqual({ id: accepted.id, status: 'Running' });
    expect(await (await signed('GET', path)).json()).toEqual({ id: accepted.id, status: 'Succeeded' });
    expect(await messagesTo(mail.standIn, to)).toMatchObject([
      { id: accepted.id, text: 'text only', html: '' },
    ]);
  });

  it('refuses a missing, malformed or wrong signature, and a body that does not match its hash, with 401', async () => {
    const to = uniqueAddress();
    const body = message(to);
    const unsigned = await fetch(`${mail.standIn.url}/emails:send?${API}`, { method: 'POST', body });
    const malformed = await fetch(`${mail.standIn.url}/emails:send?${API}`, {
      method: 'POST',
      body,
      headers: { authorization: 'HMAC-SHA256 Signature=abc' },
    });
    const wrongKey = await signed('POST', `/emails:send?${API}`, body, { key: 'd3Jvbmcta2V5' });
    const tampered = await signed('POST', `/emails:send?${API}`, body, {
      signedBody: message(uniqueAddress()),
    });
    for (const res of [unsigned, malformed, wrongKey, tampered]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: 'Denied', message: 'Denied by the resource provider.' },
      });
    }
    expect(await messagesTo(mail.standIn, to)).toEqual([]);
  });

  it("answers invalid messages with 400 and ACS's error body", async () => {
    const cases: Array<[unknown, string]> = [
      [
        { recipients: { to: [{ address: 'a@b.example' }] }, content: { subject: 's', plainText: 't' } },
        'InvalidEmailAddress',
      ],
      [
        { senderAddress: 'x@y.example', recipients: { to: [] }, content: { subject: 's', plainText: 't' } },
        'BadRequest',
      ],
      [
        {
          senderAddress: 'x@y.example',
          recipients: { to: [{ address: 'a@b.example' }] },
          content: { plainText: 't' },
        },
        'BadRequest',
      ],
      [
        {
          senderAddress: 'x@y.example',
          recipients: { to: [{ address: 'a@b.example' }] },
          content: { subject: 's' },
        },
        'BadRequest',
      ],
      [
        {
          senderAddress: 'x@y.example',
          recipients: { to: [{ address: 'a@b.example' }], cc: [{ address: 'c@' }] },
          content: { subject: 's', html: '<p>' },
        },
        'InvalidEmailAddress',
      ],
    ];
    for (const [body, code] of cases) {
      const res = await signed('POST', `/emails:send?${API}`, JSON.stringify(body));
      expect(res.status).toBe(400);
      const error = ((await res.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe(code);
      expect(error.message).toBeTruthy();
      expect(res.headers.get('x-ms-error-code')).toBe(code);
    }
  });

  it('requires api-version, and answers 404 for an unknown operation', async () => {
    expect((await signed('POST', '/emails:send', message(uniqueAddress()))).status).toBe(400);
    const unknown = await signed('GET', `/emails/operations/${randomUUID()}?${API}`);
    expect(unknown.status).toBe(404);
  });

  it('treats a repeated Operation-Id as one send', async () => {
    const to = uniqueAddress();
    const operationId = randomUUID();
    const send = () =>
      signed('POST', `/emails:send?${API}`, message(to), { headers: { 'operation-id': operationId } });
    for (const res of [await send(), await send()]) {
      expect(res.status).toBe(202);
      expect(((await res.json()) as { id: string }).id).toBe(operationId);
    }
    expect((await messagesTo(mail.standIn, to)).map((m) => m.id)).toEqual([operationId]);
  });
});
