import type { I18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';

// How the console writes a reading's values: the primary fields of each metric, in the units of the
// metric catalogue (firmware-protocol/src/catalog/metrics.ts). Other fields stay in the API's answer.
const SHOWN: Record<string, readonly (readonly [field: string, unit: string])[]> = {
  body_weight: [['weight', 'kg']],
  body_composition: [
    ['fat_percent', '%'],
    ['weight', 'kg'],
  ],
  blood_pressure: [
    ['systolic', 'mmHg'],
    ['diastolic', 'mmHg'],
    ['pulse', '/min'],
  ],
  heart_rate: [['bpm', '/min']],
  spo2: [['spo2', '%']],
  body_temperature: [['temperature', '°C']],
};

type Values = Record<string, number | string | boolean | null>;

/** "72.4 kg", "121/79 mmHg, 64 /min", or the raw pairs for a metric the console does not know. */
export function formatValues(metric: string, values: Values, locale: string): string {
  // Two decimals: scales resolve 0.05 kg, and a rounded value would not match what the device sent.
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const value = (field: string) => {
    const v = values[field];
    return typeof v === 'number' ? number.format(v) : undefined;
  };
  if (metric === 'blood_pressure') {
    const sys = value('systolic');
    const dia = value('diastolic');
    const pulse = value('pulse');
    const pressure = sys !== undefined && dia !== undefined ? `${sys}/${dia} mmHg` : undefined;
    return [pressure, pulse === undefined ? undefined : `${pulse} /min`].filter(Boolean).join(', ');
  }
  const known = SHOWN[metric];
  const pairs = known
    ? known.flatMap(([field, unit]) => {
        const v = value(field);
        return v === undefined ? [] : [`${v} ${unit}`];
      })
    : Object.entries(values).map(([k, v]) => `${k} ${typeof v === 'number' ? number.format(v) : String(v)}`);
  return pairs.join(', ');
}

/** The metric's name in the page's language, or the API's name for one the console does not know. */
export function metricLabel({ t }: Pick<I18n, 't'>, metric: string): string {
  const key = `metric.${metric}`;
  return isMessageKey(key) ? t(key) : metric;
}

/** The API sends times as ISO strings or epoch milliseconds; pages format ISO strings. */
export function isoTime(at: string | number): string {
  return typeof at === 'number' ? new Date(at).toISOString() : at;
}
