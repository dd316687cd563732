/**
 * CSV as RFC 4180 writes it (CRLF line ends, a header row, fields with a comma, quote, CR or LF quoted and quotes
 * doubled), safe to open in a spreadsheet: a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR is prefixed
 * with `'` so it is shown as text, never run as a formula (CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(cells: readonly (string | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | null | undefined)[])[],
): string {
  return [header, ...rows].map(csvRow).join('');
}

/**
 * Whether a list answers as CSV: `$format` (csv or json) decides, else `Accept: text/csv`. Undefined when `$format`
 * is neither (the caller's 400).
 */
export function wantsCsv(format: string | null, accept: string | null): boolean | undefined {
  if (format === null) return /\btext\/csv\b/i.test(accept ?? '');
  const f = format.toLowerCase();
  if (!['csv', 'text/csv', 'json', 'application/json'].includes(f)) return undefined;
  return f.includes('csv');
}

/** A CSV download: 200 with the file name a browser saves it under. */
export function csvFile(
  filename: string,
  body: string,
): { status: 200; headers: Record<string, string>; body: string } {
  return {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${filename}"`,
    },
    body,
  };
}
