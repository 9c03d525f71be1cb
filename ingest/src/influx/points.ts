import { META_FIELDS, type Reading, STORAGE_TAGS } from '@linkwell/firmware-protocol';
import { type Attribution, slotAttribution } from '../attribution/attribution.js';
import type { DeviceAccount } from '../registry/resolver.js';

// Line-protocol escaping, character for character what influxdb-client's Point does (points.test.ts holds
// the two together on random input). Point escapes \n, \r and \t too, so a stray control character
// cannot end a line early.
const ESCAPES: Record<string, string> = {
  ',': '\\,',
  ' ': '\\ ',
  '=': '\\=',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '"': '\\"',
  '\\': '\\\\',
};
const escapeChar = (c: string) => ESCAPES[c]!;
const MEASUREMENT_CHARS = /[, \n\r\t]/;
const MEASUREMENT_CHARS_G = /[, \n\r\t]/g;
const KEY_CHARS = /[, =\n\r\t]/;
const KEY_CHARS_G = /[, =\n\r\t]/g;
const QUOTED_CHARS = /["\\]/;
const QUOTED_CHARS_G = /["\\]/g;

/** Measurement names: commas, spaces and control characters are escaped; `=` is not. */
export const escapeMeasurement = (s: string) =>
  MEASUREMENT_CHARS.test(s) ? s.replace(MEASUREMENT_CHARS_G, escapeChar) : s;
/** Tag keys, tag values and field keys: commas, spaces, `=` and control characters are escaped. */
export const escapeKey = (s: string) => (KEY_CHARS.test(s) ? s.replace(KEY_CHARS_G, escapeChar) : s);
/** String field values: quoted, with `"` and `\` escaped. */
export const quoteString = (s: string) =>
  `"${QUOTED_CHARS.test(s) ? s.replace(QUOTED_CHARS_G, escapeChar) : s}"`;

// The escaped tag part per resolved account. The registry hands out one DeviceAccount object per
// (gateway, device, slot) for as long as it caches it and never changes one it handed out (a change
// gives a new object), so most readings find their tags here.
const tagsOf = new WeakMap<DeviceAccount, string>();

function tags(who: DeviceAccount): string {
  let t = tagsOf.get(who);
  if (t === undefined) {
    t = '';
    if (who.accountId) t += `,${STORAGE_TAGS.account}=${escapeKey(who.accountId)}`;
    if (who.deviceId) t += `,${STORAGE_TAGS.device}=${escapeKey(who.deviceId)}`;
    tagsOf.set(who, t);
  }
  return t;
}

// The attribution fields per Attribution object: the constant ones (single owner, slot map, manual) and a
// cached account's own are built once.
const attrOf = new WeakMap<Attribution, string>();

function attrFields(a: Attribution): string {
  let f = attrOf.get(a);
  if (f === undefined) {
    // Sorted by name like the value fields: attr_confidence, attr_method, attr_rule.
    f = `,${META_FIELDS.attrConfidence}=${floatValue(META_FIELDS.attrConfidence, a.confidence)},${META_FIELDS.attrMethod}=${quoteString(a.method)},${META_FIELDS.attrRule}=${quoteString(a.rule)}`;
    attrOf.set(a, f);
  }
  return f;
}

function floatValue(key: string, v: number): string {
  if (!Number.isFinite(v)) throw new Error(`invalid float value for field '${key}': ${v}`);
  return String(v);
}

/**
 * One point per reading, in the layout of firmware-protocol's storage contract (catalog/storage.ts):
 * measurement = metric, tags account and device only (bounded cardinality),
 * timestamp = measurement time so a resent reading overwrites itself instead of duplicating. How the
 * account was chosen goes next to the values as the fields attr_method, attr_confidence and attr_rule
 * (docs/attribution.md): `attr` when given, else the account's own, else the slot map's for the metric.
 * Throws when the reading has no field at all (InfluxDB cannot store a point without one); the readings
 * handler dead-letters such readings before they get here.
 *
 * Built as a string rather than through Point: this runs once per reading on the broker's event loop, and
 * Point's object per reading, generic escaping and two key sorts cost about 2 µs a reading there.
 */
export function toLine(r: Reading, who: DeviceAccount, attr?: Attribution): string {
  if (!r.metric) throw new Error('reading has no metric');
  const values = r.values;
  const keys = Object.keys(values);
  let fields = '';
  if (r.quality.length === 0 && r.slot === null) {
    if (keys.length > 1) keys.sort();
    for (const k of keys) {
      if (k === '') continue;
      if (fields.length > 0) fields += ',';
      fields += `${escapeKey(k)}=${floatValue(k, values[k]!)}`;
    }
  } else {
    // Rare path; same precedence as Point: a later field of the same name replaces the value.
    const all: Record<string, string> = {};
    for (const k of keys) all[k] = floatValue(k, values[k]!);
    if (r.quality.length > 0) all[META_FIELDS.quality] = quoteString(r.quality.join(','));
    if (r.slot !== null) all[META_FIELDS.slot] = `${Math.floor(r.slot)}i`;
    for (const k of Object.keys(all).sort()) {
      if (k === '') continue;
      if (fields.length > 0) fields += ',';
      fields += `${escapeKey(k)}=${all[k]}`;
    }
  }
  if (fields.length === 0) throw new Error(`${r.metric} reading has no fields`);
  const a = attr ?? who.attr ?? slotAttribution(r.metric);
  return `${escapeMeasurement(r.metric)}${tags(who)} ${fields}${attrFields(a)} ${r.t}`;
}

/**
 * A point rebuilt from the fields InfluxQL returned for it, under another account: the move executor's
 * copy. Numbers go back as floats except `slot`, which toLine writes as an integer (InfluxQL's JSON does not
 * tell 3i from 3.0, and a float would conflict with the integer field); the old attribution fields are
 * replaced by `attr`.
 */
export function fieldsLine(
  metric: string,
  who: DeviceAccount,
  fields: Record<string, number | string | boolean>,
  t: number,
  attr: Attribution,
): string {
  let out = '';
  for (const k of Object.keys(fields).sort()) {
    if (k === '' || k.startsWith('attr_')) continue;
    const v = fields[k]!;
    const enc =
      typeof v === 'string'
        ? quoteString(v)
        : typeof v === 'boolean'
          ? String(v)
          : k === 'slot'
            ? `${Math.trunc(v)}i`
            : floatValue(k, v);
    out += `${out ? ',' : ''}${escapeKey(k)}=${enc}`;
  }
  if (!out) throw new Error(`${metric} point has no fields`);
  return `${escapeMeasurement(metric)}${tags(who)} ${out}${attrFields(attr)} ${Math.trunc(t)}`;
}
