/**
 * The stand-in's mailbox pages over HTTPS: they list and open messages, and a message's HTML is only ever
 * escaped into a sandboxed iframe's srcdoc, under a CSP that allows no script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcsMailer } from '../../shared/mail/acs-mailer';
import { messagesTo, startTestMailStandIn, uniqueAddress, type TestMailStandIn } from './mail-test-helpers';

const SENDER = 'DoNotReply@pimflow.example.com';
const HOSTILE_HTML =
  '<html><head><title>t</title></head><body><p>Hi</p><script>alert(1)</script>' +
  '<img src=x onerror=alert(2)>"></iframe><script>alert(3)</script></body></html>';

function unescapeAttribute(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('mailbox pages', () => {
  let mail: TestMailStandIn;
  beforeAll(async () => {
    mail = await startTestMailStandIn();
  });
  afterAll(async () => {
    await mail.standIn.close();
  });

  const send = (to: string, subject: string, html: string, text: string) =>
    createAcsMailer({ connectionString: mail.standIn.connectionString, senderAddress: SENDER }).send({
      to: [to],
      subject,
      html,
      text,
    });

  it('lists messages newest first, filtered by recipient, subjects escaped', async () => {
    const to = uniqueAddress('list');
    const older = await send(to, 'Older <b>one</b>', '<p>1</p>', '1');
    const newer = await send(to, 'Newer', '<p>2</p>', '2');
    await send(uniqueAddress('someone-else'), 'Not for the list', '<p>3</p>', '3');

    const res = await fetch(`${mail.standIn.mailboxUrl}?to=${encodeURIComponent(to.toUpperCase())}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    const links = [...page.matchAll(/<a href="\/mailbox\/([^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([
      [newer.id, 'Newer'],
      [older.id, 'Older &lt;b&gt;one&lt;/b&gt;'],
    ]);
    expect(page).not.toContain('Not for the list');
    expect(await (await fetch(mail.standIn.mailboxUrl)).text()).toContain('Not for the list');
  });

  it('opens a message with its HTML only escaped inside a sandboxed srcdoc, under a strict CSP', async () => {
    const to = uniqueAddress('open');
    const { id } = await send(to, 'Hostile', HOSTILE_HTML, 'Plain <text> & "quotes"');
    const res = await fetch(`${mail.standIn.mailboxUrl}/${id}`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await res.text();

    // The page carries no script and no markup from the message; outside srcdoc, nothing of it at all.
    expect(page).not.toMatch(/<script|<img|<\/iframe><script/i);
    expect(page.replace(/srcdoc="[^"]*"/, '')).not.toMatch(/alert|onerror/);
    const frames = [...page.matchAll(/<iframe ([^>]*)><\/iframe>/g)];
    expect(frames).toHaveLength(1);
    const attributes = frames[0]?.[1] ?? '';
    const sandbox = /sandbox="([^"]*)"/.exec(attributes)?.[1];
    expect(sandbox).toBeDefined();
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    const srcdoc = /srcdoc="([^"]*)"/.exec(attributes)?.[1] ?? '';
    expect(unescapeAttribute(srcdoc)).toBe(HOSTILE_HTML.replace('<head>', '<head><base target="_blank">'));
    expect(page).toContain('<pre>Plain &lt;text&gt; &amp; &quot;quotes&quot;</pre>');
    expect(page).toContain(to);
  });

  it('answers 404 for an unknown message', async () => {
    expect((await fetch(`${mail.standIn.mailboxUrl}/no-such-id`)).status).toBe(404);
    expect((await fetch(`${mail.standIn.mailboxUrl}/messages/no-such-id`)).status).toBe(404);
  });

  it('returns one message as JSON', async () => {
    const to = uniqueAddress('json');
    const { id } = await send(to, 'One', '<p>one</p>', 'one');
    const res = await fetch(`${mail.standIn.mailboxUrl}/messages/${id}`);
    expect(await res.json()).toMatchObject({ id, to: [to], subject: 'One', html: '<p>one</p>', text: 'one' });
  });
});

describe('DELETE /mailbox/messages', () => {
  it('clears the mailbox, on disk too', async () => {
    const mail = await startTestMailStandIn();
    const to = uniqueAddress();
    try {
      await createAcsMailer({ connectionString: mail.standIn.connectionString, senderAddress: SENDER }).send({
        to: [to],
        subject: 's',
        html: '<p>h</p>',
        text: 't',
      });
      expect(await messagesTo(mail.standIn, to)).toHaveLength(1);
      const res = await fetch(`${mail.standIn.mailboxUrl}/messages`, { method: 'DELETE' });
      expect(res.status).toBe(204);
      expect(await messagesTo(mail.standIn, to)).toEqual([]);
    } finally {
      await mail.standIn.close();
    }
    const restarted = await startTestMailStandIn({ dataFile: mail.dataFile, accessKey: mail.accessKey });
    try {
      expect(await messagesTo(restarted.standIn, to)).toEqual([]);
    } finally {
      await restarted.standIn.close();
    }
  });
});
