/**
 * The building blocks of a mail: each renders to HTML (user strings escaped) and to plain text (user strings as
 * typed) at once, so a template is written once and both bodies always say the same thing.
 */
import { MailTemplateError } from './errors';
import { html, type SafeHtml } from './html';

/** One piece of a mail, inline (`strong`, `link`) or a block (`paragraph`, `button`, ...). */
export interface MailPart {
  readonly html: SafeHtml;
  readonly text: string;
}

/** Inline content: a plain string (escaped in HTML) or an inline part. */
export type Inline = string | MailPart;

const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;';

export function strong(text: string): MailPart {
  return { html: html`<strong>${text}</strong>`, text };
}

export function link(label: string, url: string): MailPart {
  const href = checkedUrl(url);
  return {
    html: html`<a href="${href}" style="color:#0f6cbd">${label}</a>`,
    text: label === href ? href : `${label} (${href})`,
  };
}

export function heading(text: string): MailPart {
  return {
    html: html`<h1 style="${FONT}font-size:20px;font-weight:600;margin:0 0 16px">${text}</h1>`,
    text: `${text}\n${'='.repeat(Math.min(text.length, 70))}`,
  };
}

export function paragraph(...content: Inline[]): MailPart {
  const parts = content.map((c) => (typeof c === 'string' ? { html: html`${c}`, text: c } : c));
  return {
    html: html`<p style="${FONT}font-size:14px;line-height:20px;margin:0 0 16px">
      ${parts.map((p) => p.html)}
    </p>`,
    text: parts.map((p) => p.text).join(''),
  };
}

/** Text a person typed (a justification, a comment), shown as a quote with its line breaks kept. */
export function quote(text: string): MailPart {
  return {
    html: html`<blockquote
      style="${FONT}font-size:14px;line-height:20px;margin:0 0 16px;padding:8px 12px;border-left:3px solid #c8c8c8"
    >
      ${withBreaks(text)}
    </blockquote>`,
    text: text
      .split(/\r?\n/)
      .map((line) => `> ${line}`)
      .join('\n'),
  };
}

/** A call to action (Approve, Deny, Open request): a button in HTML, `label: url` in text. */
export function button(label: string, url: string): MailPart {
  const href = checkedUrl(url);
  return {
    html: html`<table role="presentation" cellpadding="0" cellspacing="0" style="margin:0 0 16px">
      <tr>
        <td style="background:#0f6cbd;border-radius:4px">
          <a
            href="${href}"
            style="${FONT}display:inline-block;padding:10px 20px;font-size:14px;color:#ffffff;text-decoration:none"
            >${label}</a
          >
        </td>
      </tr>
    </table>`,
    text: `${label}: ${href}`,
  };
}

/** Label/value rows (group, role, duration, ...); rows whose value is undefined are left out. */
export function facts(rows: ReadonlyArray<readonly [label: string, value: string | undefined]>): MailPart {
  const present = rows.filter((r): r is readonly [string, string] => r[1] !== undefined);
  return {
    html: html`<table
      role="presentation"
      cellpadding="0"
      cellspacing="0"
      style="${FONT}font-size:14px;margin:0 0 16px"
    >
      ${present.map(
        ([label, value]) =>
          html`<tr>
            <td style="padding:2px 16px 2px 0;color:#616161;vertical-align:top">${label}</td>
            <td style="padding:2px 0">${withBreaks(value)}</td>
          </tr>`,
      )}
    </table>`,
    text: present.map(([label, value]) => `${label}: ${value}`).join('\n'),
  };
}

/** Anything else: give both renderings yourself (build the HTML with the `html` tag). */
export function custom(htmlPart: SafeHtml, text: string): MailPart {
  return { html: htmlPart, text };
}

/** Line breaks kept as <br>, not `white-space:pre-wrap`, which reformatting the markup would disturb. */
function withBreaks(text: string): SafeHtml {
  return html`${text.split(/\r?\n/).map((line, i) => (i === 0 ? html`${line}` : html`<br />${line}`))}`;
}

/** Only web links: a `javascript:` or `data:` URL in a mail is a bug (or an attack), never a feature. */
function checkedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MailTemplateError(`Not an absolute URL: '${url}'`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new MailTemplateError(`Links in mail must be http(s), not '${parsed.protocol}'`);
  return parsed.href;
}
