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
