/**
 * The HTML pages behind e-mail links (approval links, review links) share one shell: strict headers (no script, forms
 * post only to ourselves, never cached, never framed, no referrer), one document layout with a banner, one base style
 * each page adds to, and a table of facts. Every value goes through the `html` tag, which escapes it.
 */
import type { HttpResponseInit } from '@azure/functions';
import { html, trusted, type SafeHtml } from '../../mail/html';

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** What every page looks like; a page's own style (its width, its controls) comes after and may override it. */
const BASE_STYLE = `
body{margin:0;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#242424}
main{margin:32px auto;background:#fff;border-radius:6px;padding:24px 28px}
header{font-weight:600;color:#0f6cbd;margin-bottom:12px}
h1{font-size:22px;margin:0 0 16px}
table{border-collapse:collapse}
th{text-align:left;color:#616161;font-weight:normal;padding:3px 16px 3px 0;vertical-align:top}
td{padding:3px 0;white-space:pre-wrap;word-break:break-word}
textarea,input[type=password]{width:100%;box-sizing:border-box;font:inherit}
.note{color:#616161;font-size:14px}
.error{background:#fde7e9;border-left:4px solid #b10e1c;padding:8px 12px}
.ok{background:#dff6dd;border-left:4px solid #107c10;padding:8px 12px;margin:0 0 16px}
`;

/** One kind of page: the banner above every page of it and its style on top of the base. */
export interface PageKind {
  banner: string;
  style: string;
}

/** A complete page as an answer. */
export function htmlPage(
  kind: PageKind,
  status: number,
  title: string,
  body: SafeHtml,
  extraHeaders: Record<string, string> = {},
): HttpResponseInit {
  const document = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${title} – pimflow</title>
        <style>
          ${trusted(BASE_STYLE + kind.style)}
        </style>
      </head>
      <body>
        <main>
          <header>${kind.banner}</header>
          ${body}
        </main>
      </body>
    </html>`;
  return { status, headers: { ...PAGE_HEADERS, ...extraHeaders }, body: document.value };
}

/** Label / value rows as a table; rows without a value are left out. */
export function factsTable(rows: readonly (readonly [string, string | null])[]): SafeHtml {
  return html`<table>
    ${rows
      .filter((row): row is readonly [string, string] => row[1] !== null && row[1] !== '')
      .map(
        ([label, value]) =>
          html`<tr>
            <th scope="row">${label}</th>
            <td>${value}</td>
          </tr>`,
      )}
  </table>`;
}
