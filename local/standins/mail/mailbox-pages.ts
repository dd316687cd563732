/**
 * The mailbox's HTML pages. A message's HTML never becomes part of the page: it is escaped into the `srcdoc` of a
 * sandboxed iframe (no scripts, opaque origin), and the page's CSP allows no script at all, which the frame
 * inherits. Links in a message open in a new tab, outside the sandbox, as in a mail client.
 */
import type { StoredMessage } from './message-store';

/** Sent with every page. Inline styles stay allowed: mail HTML is styled inline. */
export const MAILBOX_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data:',
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const MAILBOX_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': MAILBOX_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

const SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

export function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function mailboxListPage(messages: StoredMessage[], filter: string | undefined): string {
  const rows = messages
    .map(
      (m) => `<tr>
        <td class="when">${escape(m.receivedDateTime)}</td>
        <td>${escape(m.from)}</td>
        <td>${escape([...m.to, ...m.cc].join(', '))}</td>
        <td><a href="/mailbox/${encodeURIComponent(m.id)}">${escape(m.subject)}</a></td>
      </tr>`,
    )
    .join('\n');
  const title = filter ? `Mail to ${filter}` : 'Mailbox';
  return page(
    title,
    `<h1>${escape(title)}</h1>
    <form method="get" action="/mailbox">
      <label>Recipient <input type="email" name="to" value="${escape(filter ?? '')}" /></label>
      <button type="submit">Filter</button>
      ${filter ? '<a href="/mailbox">All messages</a>' : ''}
    </form>
    <p class="count">${messages.length} message${messages.length === 1 ? '' : 's'}, newest first</p>
    <table>
      <thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead>
      <tbody>${rows}</tbody>
    </table>`,
  );
}

export function mailboxMessagePage(m: StoredMessage): string {
  const header = (label: string, values: string[]) =>
    values.length ? `<dt>${label}</dt><dd>${escape(values.join(', '))}</dd>` : '';
  return page(
    m.subject,
    `<p><a href="/mailbox">&larr; Mailbox</a></p>
    <h1>${escape(m.subject)}</h1>
    <dl>
      ${header('From', [m.from])}
      ${header('To', m.to)}
      ${header('Cc', m.cc)}
      ${header('Bcc', m.bcc)}
      ${header('Reply-To', m.replyTo)}
      ${header('Received', [m.receivedDateTime])}
      ${header('Id', [m.id])}
    </dl>
    ${
      m.html
        ? `<h2>HTML</h2>
    <iframe title="Message HTML" sandbox="${SANDBOX}" referrerpolicy="no-referrer" srcdoc="${escape(framed(m.html))}"></iframe>`
        : ''
    }
    ${m.text ? `<h2>Plain text</h2><pre>${escape(m.text)}</pre>` : ''}
    <p><a href="/mailbox/messages/${encodeURIComponent(m.id)}">JSON</a></p>`,
  );
}

export function notFoundPage(): string {
  return page('Not found', '<h1>No such message</h1><p><a href="/mailbox">Mailbox</a></p>');
}

/** Links in the frame open a new tab: inside the sandbox, a page's scripts and forms would not work. */
function framed(messageHtml: string): string {
  const base = '<base target="_blank">';
  const head = /<head(\s[^>]*)?>/i.exec(messageHtml);
  if (!head) return base + messageHtml;
  const at = head.index + head[0].length;
  return messageHtml.slice(0, at) + base + messageHtml.slice(at);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · pimflow mailbox</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 24px; color: #242424; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e0e0e0; vertical-align: top; }
  td.when { white-space: nowrap; color: #616161; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
  dt { color: #616161; }
  dd { margin: 0; }
  iframe { width: 100%; height: 70vh; border: 1px solid #e0e0e0; resize: vertical; }
  pre { white-space: pre-wrap; background: #f5f5f5; padding: 12px; }
  form { margin: 12px 0; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
