/**
 * Dates as HR systems export them in the Netherlands and Belgium: dd-mm-jjjj, d-m-jjjj,
 * dd/mm/jjjj, dd.mm.jjjj, and ISO jjjj-mm-dd. Every result is a real calendar date as
 * YYYY-MM-DD; anything else (31-02-2026, 2026-13-01, a two-digit year) is null, never guessed.
 */
const DUTCH = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** Parses an import date (Dutch or ISO format) to YYYY-MM-DD, or null when it is not a real date. */
export function parseImportDate(text: string): string | null {
  const s = text.trim();
  let year: number, month: number, day: number;
  const dutch = DUTCH.exec(s);
  const iso = ISO.exec(s);
  if (dutch) {
    day = Number(dutch[1]);
    month = Number(dutch[3]);
    year = Number(dutch[4]);
  } else if (iso) {
    year = Number(iso[1]);
    month = Number(iso[2]);
    day = Number(iso[3]);
  } else return null;
  if (!isRealDate(year, month, day)) return null;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** A YYYY-MM-DD date written as dd-mm-jjjj, the way Dutch HR exports show it. */
export function formatDutchDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}-${m}-${y}`;
}

/** The calendar day after a YYYY-MM-DD date. */
export function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The calendar day before a YYYY-MM-DD date. */
export function previousDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}
