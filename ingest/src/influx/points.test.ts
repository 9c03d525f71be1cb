import { Point } from '@influxdata/influxdb-client';
import type { Reading } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { type Attribution, slotAttribution } from '../attribution/attribution.js';
import type { DeviceAccount } from '../registry/resolver.js';
import { escapeKey, escapeMeasurement, quoteString, toLine } from './points.js';

/**
 * What toLine replaced: the same point built with influxdb-client's Point, the attribution fields (built
 * with Point too) following the reading's own, which is where toLine puts them (field order is free in line
 * protocol, and keeping them last lets toLine reuse one cached suffix). undefined: the reading has no field.
 */
function viaPoint(r: Reading, who: DeviceAccount, attr?: Attribution): string | undefined {
  const p = new Point(r.metric).tag('account', who.accountId).tag('device', who.deviceId);
  for (const [k, v] of Object.entries(r.values)) p.floatField(k, v);
  if (r.quality.length > 0) p.stringField('quality', r.quality.join(','));
  if (r.slot !== null) p.intField('slot', r.slot);
  p.timestamp(String(r.t));
  const line = p.toLineProtocol();
  if (line === undefined) return undefined;
  const a = attr ?? who.attr ?? slotAttribution(r.metric);
  const attrLine = new Point('m')
    .floatField('attr_confidence', a.confidence)
    .stringField('attr_method', a.method)
    .stringField('attr_rule', a.rule)
    .timestamp('1')
    .toLineProtocol()!;
  const at = line.lastIndexOf(' ');
  return `${line.slice(0, at)},${attrLine.slice(2, -2)}${line.slice(at)}`;
}

/** mulberry32: a seeded generator, so a failure names the case that reproduces it. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every character either escaper treats specially, plus ordinary, multi-byte and astral ones.
const ALPHABET = [...'abcxyz_09AZ', ',', ' ', '=', '\n', '\r', '\t', '"', '\\', "'", 'é', '→', '😀', '#'];
const SPECIAL_FLOATS = [
  0,
  -0,
  1,
  -1,
  0.1,
  72,
  36.6,
  1e21,
  1e-7,
  123456789.123,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER,
  -Number.EPSILON,
  2 ** 53 + 2,
];

function generator(seed: number) {
  const next = rng(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)]!;
  const str = (maxLen: number) => Array.from({ length: int(maxLen + 1) }, () => pick(ALPHABET)).join('');
  const float = () => {
    switch (int(5)) {
      case 0:
        return pick(SPECIAL_FLOATS);
      case 1:
        return int(300);
      case 2:
        return (next() - 0.5) * 10 ** (int(40) - 20);
      case 3:
        return Math.round(next() * 100_000) / 100;
      default:
        return -next() * 1000;
    }
  };
  const key = () =>
    pick([() => str(6), () => pick(['bpm', 'spo2', 'quality', 'slot', 'a', 'b', '']), () => `v${int(5)}`])();
  const id = () => (int(6) === 0 ? '' : int(3) === 0 ? str(10) : `acct_${int(1000)}`);
  const attribution = (): Attribution => ({
    method: pick(['single-owner', 'weight-proximity', 'manual'] as const),
    confidence: Math.round(next() * 100) / 100,
    rule: int(2) === 0 ? `rule:${str(6)} weight-near-trend ±2kg` : str(12),
  });
  const withAttr = (w: DeviceAccount): DeviceAccount => (int(3) === 0 ? w : { ...w, attr: attribution() });
  const pool: DeviceAccount[] = Array.from({ length: 5 }, () =>
    withAttr({ accountId: id(), deviceId: id() }),
  );
  return (): { reading: Reading; who: DeviceAccount; attr?: Attribution } => {
    const values: Record<string, number> = {};
    for (let i = int(5); i > 0; i--) values[key()] = float();
    const reading = {
      metric: int(3) === 0 ? str(8) : pick(['heart_rate', 'spo2', 'weight']),
      values,
      quality: Array.from({ length: int(2) === 0 ? 0 : int(4) }, () => str(5)),
      slot: int(2) === 0 ? null : int(256),
      t: int(4) === 0 ? int(1000) : 1_700_000_000_000 + int(1e9),
    } as unknown as Reading;
    // Half the readings reuse one of a few accounts, as the registry's cached answers do.
    const who = int(2) === 0 ? pick(pool) : withAttr({ accountId: id(), deviceId: id() });
    return { reading, who, ...(int(5) === 0 ? { attr: attribution() } : {}) };
  };
}

describe('toLine against influxdb-client Point', () => {
  it('produces the same line, or fails where Point yields nothing, for 20 000 random readings', () => {
    const seed = 0x5eed;
    const gen = generator(seed);
    let compared = 0;
    let empty = 0;
    for (let i = 0; i < 20_000; i++) {
      const { reading, who, attr } = gen();
      const expected = viaPoint(reading, who, attr);
      const ctx = `case ${i} (seed ${seed}): ${JSON.stringify({ reading, who, attr })}`;
      if (expected === undefined) {
        expect(() => toLine(reading, who, attr), ctx).toThrow();
        empty++;
      } else {
        expect(toLine(reading, who, attr), ctx).toBe(expected);
        compared++;
      }
    }
    // The generator must exercise both outcomes and mostly real points, or the comparison proves little.
    expect(compared).toBeGreaterThan(15_000);
    expect(empty).toBeGreaterThan(50);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'refuses the non-finite value %s like Point does',
    (v) => {
      const r = { metric: 'spo2', values: { pct: v }, quality: [], slot: null, t: 1 } as unknown as Reading;
      const who = { accountId: 'a', deviceId: 'd' };
      expect(() => viaPoint(r, who)).toThrow();
      expect(() => toLine(r, who)).toThrow(/invalid float value for field 'pct'/);
    },
  );

  it('escapes each special character the way line protocol needs it', () => {
    expect(escapeMeasurement('a,b c=d\te')).toBe('a\\,b\\ c=d\\te');
    expect(escapeKey('a,b c=d\ne')).toBe('a\\,b\\ c\\=d\\ne');
    expect(quoteString('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(escapeKey('plain')).toBe('plain');
  });

  it('sorts fields and writes quality as a string and slot as an integer', () => {
    const r = {
      metric: 'weight',
      values: { kg: 71.5, bmi: 22.1 },
      quality: ['estimated', 'no "ble"'],
      slot: 3,
      t: 1_700_000_000_000,
    } as unknown as Reading;
    expect(toLine(r, { accountId: 'acct_1', deviceId: 'dev_1' })).toBe(
      'weight,account=acct_1,device=dev_1 bmi=22.1,kg=71.5,quality="estimated,no \\"ble\\"",slot=3i,attr_confidence=1,attr_method="uds-user-index",attr_rule="slot-map" 1700000000000',
    );
  });

  it('names the slot-map method by metric: BLS user id for blood pressure, UDS user index for a scale', () => {
    const bp = {
      metric: 'blood_pressure',
      values: { sys: 120 },
      quality: [],
      slot: 2,
      t: 5,
    } as unknown as Reading;
    const w = {
      metric: 'body_weight',
      values: { weight: 70 },
      quality: [],
      slot: 1,
      t: 5,
    } as unknown as Reading;
    const who = { accountId: 'a', deviceId: 'd' };
    expect(toLine(bp, who)).toContain('attr_method="bls-user-id"');
    expect(toLine(w, who)).toContain('attr_method="uds-user-index"');
    expect(toLine(w, who, { method: 'manual', confidence: 1, rule: 'reassign' })).toBe(
      'body_weight,account=a,device=d slot=1i,weight=70,attr_confidence=1,attr_method="manual",attr_rule="reassign" 5',
    );
  });
});
