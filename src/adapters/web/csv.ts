/**
 * CSV for the dashboard's downloads: RFC 4180 (comma separated, CRLF line ends, a field quoted when it
 * holds a comma, a quote, CR or LF, quotes doubled), with spreadsheet formula injection neutralised.
 *
 * Team names, aspect names and prompts come from people and survey files. A spreadsheet treats a cell that
 * starts with `=`, `+`, `-` or `@` (and, in some, a tab or carriage return before one) as a formula, so a
 * team called `=HYPERLINK(…)` would run when a PM opens the file. Such a text cell gets a leading
 * apostrophe, which spreadsheets show as text and do not display. Numbers are written as numbers: a
 * negative change is a value, not a formula, and cannot carry one.
 */
export type CsvValue = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: empty for null, a number as written by JavaScript, a text neutralised and quoted as needed. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('a CSV number must be finite');
    return String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole file: a header line and one line per row, each line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
