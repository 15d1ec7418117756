/**
 * CSV helpers shared by every file the server writes or reads: the results export, the audit
 * export and the HR import's rejected rows.
 */

export type CsvCell = string | number | boolean | null | undefined;

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection"): starting with =, +, -,
 * @, tab or carriage return. Prefixing a single quote makes it plain text.
 */
export function neutralise(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
