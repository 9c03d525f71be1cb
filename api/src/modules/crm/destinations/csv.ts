import { createHash } from 'node:crypto';

/**
 * The hashed-CSV file (issue 16 §7, docs/crm.md "Destinations"): identifiers leave only as SHA-256 hex of their
 * normalised form, the way ad platforms match audiences (e-mail trimmed and lower-cased; phone as E.164 digits).
 */

export const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

export function normaliseEmail(raw: string): string | null {
  const e = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+$/.test(e) ? e : null;
}

/** E.164 (ITU-T E.164 §6): a country code and number, at most 15 digits; only already-international numbers. */
export function normalisePhone(raw: string): string | null {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('+') && !trimmed.startsWith('00')) return null;
  const digits = trimmed.replace(/^00/, '').replace(/[^\d]/g, '');
  return digits.length >= 8 && digits.length <= 15 && digits[0] !== '0' ? digits : null;
}

/**
 * One CSV field (RFC 4180 §2): quoted when it holds a quote, comma, CR or LF, quotes doubled. A cell that a
 * spreadsheet would run as a formula (starting = + - @, or a tab/CR, OWASP "CSV Injection") is prefixed with
 * a single quote first.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  // Numbers and dates we wrote ourselves are data (a negative number is not a formula); text is guarded.
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A whole file: the header row, then one row per record; CRLF line breaks as RFC 4180 §2 rule 1 says. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
