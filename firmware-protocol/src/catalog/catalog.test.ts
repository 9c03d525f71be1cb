import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { METRICS, type MetricDefinition } from './metrics.js';
import { KNOWN_UNITS, toCanonical } from './units.js';

describe('metric catalog', () => {
  for (const m of Object.values(METRICS) as MetricDefinition[]) {
    it(`${m.metric}: snake_case names, a primary field, UCUM units and sane ranges`, () => {
      expect(m.metric).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(m.fields[m.primary]).toBeDefined();
      for (const [k, field] of Object.entries(m.fields)) {
        expect(field.name).toBe(k);
        expect(k).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(field.ucum.length).toBeGreaterThan(0);
        expect(field.plausible.min).toBeLessThan(field.plausible.max);
        for (const code of field.loinc ?? []) expect(code).toMatch(/^\d{1,6}-\d$/);
      }
    });
  }
});

describe('toCanonical', () => {
  it('converts 16 kPa to 120.0098521 mmHg', () => {
    expect(toCanonical(16, 'kPa')).toEqual({ value: 120.0098521, unit: 'mm[Hg]' });
  });

  it('converts 154.32 lb to 69.99837454 kg', () => {
    expect(toCanonical(154.32, '[lb_av]').value).toBe(69.99837454);
  });

  it('converts 98.6 °F to 37 °C and 70 in to 1.778 m', () => {
    expect(toCanonical(98.6, '[degF]')).toEqual({ value: 37, unit: 'Cel' });
    expect(toCanonical(70, '[in_i]')).toEqual({ value: 1.778, unit: 'm' });
  });

  it('refuses an unknown unit with PROTO_ERR_UNSUPPORTED', () => {
    expect(() => toCanonical(1, 'stone')).toThrow(ProtocolError);
    expect(KNOWN_UNITS).toContain('kPa');
  });
});
