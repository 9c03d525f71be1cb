import { TREND_METRICS } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import {
  convert,
  convertDelta,
  parseUnitPrefs,
  toCanonicalValue,
  type UnitPrefs,
  unitLabel,
} from './units.js';

describe('parseUnitPrefs', () => {
  it('reads lb,kPa,F into one unit per dimension', () => {
    expect(parseUnitPrefs('lb,kPa,F')).toEqual({ mass: 'lb', pressure: 'kPa', temperature: 'F' });
  });

  it('accepts UCUM codes and any case, with spaces around commas', () => {
    expect(parseUnitPrefs(' [LB_AV] , mm[Hg],cel')).toEqual({
      mass: 'lb',
      pressure: 'mmHg',
      temperature: 'C',
    });
    expect(parseUnitPrefs('{jin},KPA')).toEqual({ mass: 'jin', pressure: 'kPa' });
  });

  it('reads absent or blank text as no preference', () => {
    expect(parseUnitPrefs(undefined)).toEqual({});
    expect(parseUnitPrefs('  ')).toEqual({});
  });

  it('accepts the same unit twice', () => {
    expect(parseUnitPrefs('lb,lb')).toEqual({ mass: 'lb' });
  });

  it('rejects stone with API_ERR_VALIDATION naming the unit', () => {
    expect(() => parseUnitPrefs('lb,st')).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: {
          field: 'querystring.units',
          issues: [
            {
              field: 'querystring.units',
              problem: 'unknown unit "st"; expected kg, lb, jin, mmHg, kPa, C or F',
            },
          ],
          unit: 'st',
        },
      }),
    );
  });

  it('rejects an empty entry in lb,,F with API_ERR_VALIDATION', () => {
    expect(() => parseUnitPrefs('lb,,F')).toThrow(
      expect.objectContaining({ code: 'API_ERR_VALIDATION', details: expect.objectContaining({ unit: '' }) }),
    );
  });

  it('rejects lb with jin as conflicting mass units with API_ERR_VALIDATION', () => {
    expect(() => parseUnitPrefs('lb,kPa,jin', 'querystring.unit')).toThrow(
      expect.objectContaining({
        code: 'API_ERR_VALIDATION',
        details: {
          field: 'querystring.unit',
          issues: [{ field: 'querystring.unit', problem: 'conflicting mass units lb and jin' }],
          dimension: 'mass',
          units: ['lb', 'jin'],
        },
      }),
    );
  });

  it('rejects C with [degF] as conflicting temperature units', () => {
    expect(() => parseUnitPrefs('C,[degF]')).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ units: ['C', 'F'] }) }),
    );
  });
});

describe('convert', () => {
  const all: UnitPrefs = { mass: 'lb', pressure: 'kPa', temperature: 'F' };

  it('gives 0.45359237 kg as exactly 1 lb and 1 kg as 2.2046226218487757 lb', () => {
    expect(convert(0.45359237, 'mass', all)).toBe(1);
    expect(convert(1, 'mass', all)).toBe(2.2046226218487757);
  });

  it('gives 70 kg as 140 jin', () => {
    expect(convert(70, 'mass', { mass: 'jin' })).toBe(140);
  });

  it('gives 120 mmHg as 15.9986864898 kPa, unrounded', () => {
    expect(convert(120, 'pressure', all)).toBe(120 * 0.133322387415);
    expect(convert(120, 'pressure', all)).toBeCloseTo(15.9986864898, 12);
  });

  it('gives 37 °C as 98.6 °F and −40 °C as −40 °F', () => {
    expect(convert(37, 'temperature', all)).toBeCloseTo(98.6, 12);
    expect(convert(-40, 'temperature', all)).toBe(-40);
  });

  it('leaves values in the canonical unit when no preference is set', () => {
    expect([convert(70, 'mass', {}), convert(120, 'pressure', {}), convert(37, 'temperature', {})]).toEqual([
      70, 120, 37,
    ]);
  });

  it('passes 72 bpm, 21.5 % and 6000 kJ through unchanged whatever the preferences', () => {
    expect([convert(72, 'rate', all), convert(21.5, 'percent', all), convert(6000, 'energy', all)]).toEqual([
      72, 21.5, 6000,
    ]);
  });

  it.each([
    ['mass', { mass: 'lb' }],
    ['mass', { mass: 'jin' }],
    ['pressure', { pressure: 'kPa' }],
    ['temperature', { temperature: 'F' }],
  ] as const)('round-trips %s in %j to within 1e-12 relative', (dimension, prefs) => {
    for (const v of [-40, 0, 0.1, 36.6, 72.35, 120, 650, 1e-9]) {
      const back = toCanonicalValue(convert(v, dimension, prefs), dimension, prefs);
      expect(Math.abs(back - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-12 + 1e-12);
    }
  });

  it('reads 1 lb typed by a person as exactly 0.45359237 kg', () => {
    expect(toCanonicalValue(1, 'mass', { mass: 'lb' })).toBe(0.45359237);
    expect(toCanonicalValue(212, 'temperature', { temperature: 'F' })).toBe(100);
  });
});

describe('convertDelta', () => {
  it('turns a 1 °C rise into 1.8 °F (no offset) and −0.5 kg/week into −1 jin/week', () => {
    expect(convertDelta(1, 'temperature', { temperature: 'F' })).toBe(1.8);
    expect(convertDelta(-0.5, 'mass', { mass: 'jin' })).toBe(-1);
    expect(convertDelta(-0.45359237, 'mass', { mass: 'lb' })).toBe(-1);
  });
});

describe('unitLabel', () => {
  it('labels each convertible unit with its UCUM code', () => {
    expect([
      unitLabel('mass', {}),
      unitLabel('mass', { mass: 'lb' }),
      unitLabel('mass', { mass: 'jin' }),
      unitLabel('pressure', {}),
      unitLabel('pressure', { pressure: 'kPa' }),
      unitLabel('temperature', {}),
      unitLabel('temperature', { temperature: 'F' }),
    ]).toEqual([
      { ucum: 'kg', display: 'kg' },
      { ucum: '[lb_av]', display: 'lb' },
      { ucum: '{jin}', display: 'jin' },
      { ucum: 'mm[Hg]', display: 'mmHg' },
      { ucum: 'kPa', display: 'kPa' },
      { ucum: 'Cel', display: '°C' },
      { ucum: '[degF]', display: '°F' },
    ]);
  });

  it('labels heart rate /min (bpm) even when the person prefers lb', () => {
    expect(unitLabel('rate', { mass: 'lb' })).toEqual({ ucum: '/min', display: 'bpm' });
  });

  it('gives every trend field, without preferences, the UCUM unit the catalog stores it in', () => {
    const mismatches = Object.values(TREND_METRICS).flatMap((m) =>
      m.fields
        .filter((f) => unitLabel(f.dimension, {}).ucum !== f.ucum)
        .map((f) => `${m.metric}.${f.name}: ${f.ucum} vs ${unitLabel(f.dimension, {}).ucum}`),
    );
    expect(mismatches).toEqual([]);
  });
});
