/** The mail templating helpers: escaping, links, and one definition giving both bodies, checked in the mailbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcsMailer } from '../../shared/mail/acs-mailer';
import { MailTemplateError } from '../../shared/mail/errors';
import { escapeHtml, html, trusted } from '../../shared/mail/html';
import { defineTemplate } from '../../shared/mail/layout';
import { button, facts, heading, link, paragraph, quote, strong } from '../../shared/mail/parts';
import { testMessage } from '../../shared/mail/templates/test-message';
import { messagesTo, startTestMailStandIn, uniqueAddress, type TestMailStandIn } from './mail-test-helpers';

const HOSTILE = '<img src=x onerror=alert(1)>';
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

describe('html tag', () => {
  it('escapes interpolations, renders arrays, keeps trusted markup, omits null/undefined/false', () => {
    const items = ['a&b', '"q"'];
    const out = html`<ul>
      ${items.map((i) => html`<li title="${i}">${i}</li>`)}${null}${undefined}${false}${trusted('<hr>')}${42}
    </ul>`;
    expect(out.value).toBe(`<ul>
      <li title="a&amp;b">a&amp;b</li><li title="&quot;q&quot;">&quot;q&quot;</li><hr>42
    </ul>`);
    expect(html`${HOSTILE}`.value).toBe(ESCAPED);
    expect(escapeHtml(`'\`<>&"`)).toBe('&#39;&#96;&lt;&gt;&amp;&quot;');
  });

  it('refuses links that are not http(s)', () => {
    expect(() => link('x', 'javascript:alert(1)')).toThrow(MailTemplateError);
    expect(() => button('x', 'data:text/html,hi')).toThrow(MailTemplateError);
    expect(() => button('x', '/relative')).toThrow(MailTemplateError);
  });
});

describe('templates', () => {
  it('render the same content to HTML (escaped) and text (as typed) inside the common layout', () => {
    const approval = defineTemplate(
      (p: { requester: string; group: string; justification: string; url: string }) => ({
        subject: `Approve ${p.requester}\nfor ${p.group}`,
        body: [
          heading('Approval needed'),
          paragraph(strong(p.requester), ' asks for ', p.group, '. ', link('Details', p.url)),
          quote(p.justification),
          facts([
            ['Group', p.group],
            ['Ticket', undefined],
          ]),
          button('Approve', `${p.url}?decision=approve`),
        ],
        footerNote: 'You are an approver.',
      }),
    );
    const mail = approval({
      requester: HOSTILE,
      group: 'Finance & Ops',
      justification: 'line 1\n<b>line 2</b>',
      url: 'https://pimflow.example.com/requests/1',
    });
    expect(mail.subject).toBe(`Approve ${HOSTILE} for Finance & Ops`);
    expect(mail.html).toContain(`<strong>${ESCAPED}</strong>`);
    expect(mail.html).not.toContain(HOSTILE);
    expect(mail.html).toContain('Finance &amp; Ops');
    expect(mail.html).toContain('line 1<br />&lt;b&gt;line 2&lt;/b&gt;');
    expect(mail.html).toContain('href="https://pimflow.example.com/requests/1?decision=approve"');
    expect(mail.html).not.toContain('Ticket');
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.text).toContain(
      `${HOSTILE} asks for Finance & Ops. Details (https://pimflow.example.com/requests/1)`,
    );
    expect(mail.text).toContain('> line 1\n> <b>line 2</b>');
    expect(mail.text).toContain('Group: Finance & Ops');
    expect(mail.text).toContain('Approve: https://pimflow.example.com/requests/1?decision=approve');
    expect(mail.text).toMatch(/^pimflow\n/);
    expect(mail.text).toContain('\n-- \nYou are an approver.\nSent by pimflow');
  });
});

describe('testMessage through ACS', () => {
  let mail: TestMailStandIn;
  beforeAll(async () => {
    mail = await startTestMailStandIn();
  });
  afterAll(async () => {
    await mail.standIn.close();
  });

  it('arrives with a hostile display name escaped in the HTML and intact in the text', async () => {
    const to = uniqueAddress('admin');
    const rendered = testMessage({
      apiUrl: 'http://localhost:7071/api',
      version: '0.1.0',
      startedAt: new Date('2030-01-02T03:04:05Z'),
      recipientName: HOSTILE,
    });
    await createAcsMailer({
      connectionString: mail.standIn.connectionString,
      senderAddress: 'DoNotReply@pimflow.example.com',
    }).send({ to: [to], ...rendered });

    const [received] = await messagesTo(mail.standIn, to);
    expect(received?.subject).toBe('pimflow is running');
    expect(received?.html).toContain(`Hello ${ESCAPED},`);
    expect(received?.html).not.toContain(HOSTILE);
    expect(received?.html).toContain('href="http://localhost:7071/api/health"');
    expect(received?.text).toContain(`Hello ${HOSTILE},`);
    expect(received?.text).toContain('Version: 0.1.0');
    expect(received?.text).toContain('Started: 2030-01-02T03:04:05.000Z');
    expect(received?.text).toContain('Check health: http://localhost:7071/api/health');
  });
});
