import { createHash } from 'node:crypto';
import { METRICS, type MetricField } from '@linkwell/firmware-protocol';
import type { StoredReading } from './pages.js';

/** One value column: a catalog field with its UCUM unit (several metrics share `pulse`, `weight`, `height`). */
export interface Column {
  field: string;
  ucum: string;
}

/** The value columns of these metrics in catalog order, one per field name and unit. */
export function valueColumns(metrics: readonly string[]): Column[] {
  const out: Column[] = [];
  for (const metric of metrics) {
    const fields = (METRICS as Record<string, { fields: Record<string, MetricField> }>)[metric]?.fields ?? {};
    for (const f of Object.values(fields))
      if (!out.some((c) => c.field === f.name && c.ucum === f.ucum))
        out.push({ field: f.name, ucum: f.ucum });
  }
  return out;
}

/** The field's unit in the catalog, or undefined for a field the catalog does not know. */
export function unitOf(metric: string, field: string): string | undefined {
  return (METRICS as Record<string, { fields: Record<string, MetricField> }>)[metric]?.fields[field]?.ucum;
}

/** RFC 4180 §2: a field with a comma, quote or line break is quoted, and quotes inside are doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * How a reading's device is named to the caller. An app gets the per-Patient id that FHIR Device uses
 * (api/src/modules/fhir deviceIdFor: sha256 of the app's subject and the device tag), so two apps cannot join
 * their people through a shared device id, and a CSV and a FHIR export of one app agree.
 */
export type DeviceNamer = (deviceTag: string | null) => string;

export function deviceNamer(appSubject: string | undefined): DeviceNamer {
  return (tag) => {
    if (tag === null || tag === '') return '';
    if (appSubject === undefined) return tag;
    return createHash('sha256').update(`${appSubject}\u0000${tag}`).digest('hex').slice(0, 32);
  };
}

export const CSV_META_COLUMNS = [
  'device_id',
  'attribution_method',
  'attribution_confidence',
  'attribution_rule',
];

/** The header row: `time`, `metric`, each value column as `field [unit]`, then device and attribution. */
export function csvHeader(columns: readonly Column[]): string {
  return `${['time', 'metric', ...columns.map((c) => `${c.field} [${c.ucum}]`), ...CSV_META_COLUMNS].map(csvField).join(',')}\r\n`;
}

/** One CSV row (CRLF-terminated, RFC 4180 §2); a column the reading has no value for is empty. */
export function csvRow(r: StoredReading, columns: readonly Column[], device: DeviceNamer): string {
  const cells = [r.measured_at, r.metric];
  for (const c of columns) {
    const v = r.values[c.field];
    cells.push(v !== undefined && unitOf(r.metric, c.field) === c.ucum ? String(v) : '');
  }
  cells.push(
    device(r.device_id),
    r.attribution?.method ?? '',
    r.attribution?.confidence == null ? '' : String(r.attribution.confidence),
    r.attribution?.rule ?? '',
  );
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** One NDJSON line (ndjson.org: one JSON text per line, LF-terminated). */
export function ndjsonLine(r: StoredReading, device: DeviceNamer): string {
  const units: Record<string, string> = {};
  for (const field of Object.keys(r.values)) {
    const u = unitOf(r.metric, field);
    if (u !== undefined) units[field] = u;
  }
  const tag = device(r.device_id);
  return `${JSON.stringify({
    time: r.measured_at,
    metric: r.metric,
    values: r.values,
    units,
    device_id: tag === '' ? null : tag,
    attribution: r.attribution,
  })}\n`;
}
