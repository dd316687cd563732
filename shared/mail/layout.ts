/**
 * The common frame of every pimflow mail (product name on top, a footer below) and `defineTemplate`, which turns
 * a template's parts into the subject, HTML and plain-text bodies the Mailer sends.
 */
import { html } from './html';
import type { MailPart } from './parts';

export const PRODUCT_NAME = 'pimflow';
const FOOTER = `Sent by ${PRODUCT_NAME}, just-in-time access to Microsoft Entra ID groups.`;
const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;';

/** What a template builds from its parameters. */
export interface MailContent {
  subject: string;
  /** The summary line mail clients show next to the subject (hidden in the body). */
  preheader?: string;
  body: MailPart[];
  /** Why the recipient gets this mail, e.g. "You are an approver for Finance admins." */
  footerNote?: string;
}

/** Spreads straight into `Mailer.send({ to, ...rendered })`. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export type MailTemplate<P> = (params: P) => RenderedMail;

/** Declares a template: one function from parameters to content, rendered to both bodies. */
export function defineTemplate<P>(build: (params: P) => MailContent): MailTemplate<P> {
  return (params) => renderMail(build(params));
}

export function renderMail(content: MailContent): RenderedMail {
  // A subject is one line: a newline in a user string (a group name) must not reach the header.
  const subject = content.subject.replace(/\s+/g, ' ').trim();
  const footer = content.footerNote ? [content.footerNote, FOOTER] : [FOOTER];
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${subject}</title>
      </head>
      <body style="margin:0;padding:0;background:#f5f5f5">
        ${
          content.preheader
            ? html`<div style="display:none;max-height:0;overflow:hidden">${content.preheader}</div>`
            : null
        }
        <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f5f5f5">
          <tr>
            <td align="center" style="padding:24px 12px">
              <table
                role="presentation"
                width="600"
                cellpadding="0"
                cellspacing="0"
                style="max-width:600px;width:100%;background:#ffffff;border-radius:6px"
              >
                <tr>
                  <td style="${FONT}padding:16px 24px;font-size:16px;font-weight:600;color:#0f6cbd">
                    ${PRODUCT_NAME}
                  </td>
                </tr>
                <tr>
                  <td style="padding:8px 24px 8px">${content.body.map((part) => part.html)}</td>
                </tr>
                <tr>
                  <td style="${FONT}padding:16px 24px;font-size:12px;line-height:16px;color:#616161">
                    ${footer.map((line, i) => (i === 0 ? html`${line}` : html`<br />${line}`))}
                  </td>
                </tr>
              </table>
            </td>
          </tr>
        </table>
      </body>
    </html>`;
  const text = [PRODUCT_NAME, '', ...content.body.map((part) => `${part.text}\n`), '-- ', ...footer].join(
    '\n',
  );
  return { subject, html: page.value, text: `${text}\n` };
}
