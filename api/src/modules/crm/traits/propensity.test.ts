import { describe, expect, it } from 'vitest';
import type { DeviceKind } from '../catalog.js';
import { type KindGroup, kindsOfMask, maskOf, nextDevice } from './propensity.js';

const g = (kinds: DeviceKind[], count: number): KindGroup => ({ kinds: new Set(kinds), count });
const population = [
  g(['scale'], 10),
  g(['scale', 'cuff'], 6),
  g(['scale', 'band'], 3),
  g(['scale', 'cuff', 'band'], 2),
  g(['cuff'], 5),
  g(['oximeter'], 1),
];

describe('next-device propensity', () => {
  it('picks the kind most often owned by people with the same kinds and more', () => {
    // Scale owners who own more: cuff 6 + 2 = 8, band 3 + 2 = 5.
    expect(nextDevice(new Set(['scale']), population)).toBe('cuff');
    // Cuff owners who own more: scale 6 + 2 = 8, band 2.
    expect(nextDevice(new Set(['cuff']), population)).toBe('scale');
    expect(nextDevice(new Set(['scale', 'cuff']), population)).toBe('band');
  });

  it('falls back to the population when nobody owns more than this person', () => {
    // No one owns a thermometer: scale is owned by 10 + 6 + 3 + 2 = 21 people.
    expect(nextDevice(new Set(['thermometer']), population)).toBe('scale');
  });

  it('breaks ties in catalog order and says none when everything is owned', () => {
    expect(nextDevice(new Set(['scale']), [g(['scale', 'band'], 2), g(['scale', 'cuff'], 2)])).toBe('cuff');
    expect(nextDevice(new Set(['scale', 'cuff', 'band', 'oximeter', 'thermometer']), population)).toBe(
      'none',
    );
  });

  it('keys kind sets by a mask in catalog order', () => {
    expect(maskOf(['scale', 'band'])).toBe(0b101);
    expect([...kindsOfMask(0b11010)]).toEqual(['cuff', 'oximeter', 'thermometer']);
  });
});
