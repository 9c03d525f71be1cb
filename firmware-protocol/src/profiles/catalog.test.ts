import { describe, expect, it } from 'vitest';
import { metricDefinition } from '../catalog/metrics.js';
import { CODECS } from '../codecs/registry.js';
import { uuid16 } from '../uuids.js';
import { GENERIC_PROFILES, matchProfile, PROFILES } from './catalog.js';

const blocks = [...new Map(PROFILES.flatMap((p) => p.blocks).map((b) => [b.id, b])).values()];

describe('profile catalog', () => {
  it('has unique profile ids and unique block ids', () => {
    const ids = PROFILES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const blockIds = PROFILES.flatMap((p) => p.blocks).map((b) => b.id);
    expect(new Set(blockIds).size).toBe(blocks.length);
  });

  for (const p of PROFILES) {
    it(`${p.id}: has a matcher, blocks, and vendor records explain themselves`, () => {
      expect(Boolean(p.match.services?.length || p.match.namePattern || p.match.manufacturerData)).toBe(true);
      expect(p.blocks.length).toBeGreaterThan(0);
      if (!p.id.startsWith('sig.')) expect(p.notes?.length ?? 0).toBeGreaterThan(20);
    });
  }

  for (const b of blocks) {
    it(`${b.id}: has a registered codec and a catalog metric`, () => {
      expect(CODECS.has(uuid16(b.characteristic)), `codec ${uuid16(b.characteristic)}`).toBe(true);
      expect(metricDefinition(b.metric), `metric ${b.metric}`).toBeDefined();
      expect(b.id).toMatch(/^[a-z0-9-]+(\.[a-z0-9_-]+)+$/);
    });
  }

  it('covers every SIG health measurement service with a generic profile', () => {
    expect(GENERIC_PROFILES.flatMap((p) => p.match.services ?? []).sort()).toEqual(
      [0x180d, 0x1809, 0x1810, 0x181b, 0x181d, 0x1822].sort(),
    );
  });
});

describe('matchProfile', () => {
  it('prefers the Beurer record for "BF720" advertising 0x181D over the generic weight scale', () => {
    expect(matchProfile({ name: 'BF720', services: [0x181d, 0x181b] })?.id).toBe('beurer.bf720');
    expect(matchProfile({ name: 'Some Scale', services: [0x181d] })?.id).toBe('sig.weight-scale');
  });

  it('matches "BLEsmart_00000116" with 0x1810 to the Omron record', () => {
    expect(matchProfile({ name: 'BLEsmart_00000116', services: [0x1810] })?.id).toBe('omron.blesmart-cuff');
  });

  it('matches Xiaomi "MIBFS" service data 0x181B and "MI SCALE2" service data 0x181D', () => {
    expect(matchProfile({ name: 'MIBFS', services: [0x181b] })?.id).toBe('xiaomi.mi-body-composition-scale');
    expect(matchProfile({ name: 'MI SCALE2', services: [0x181d] })?.id).toBe('xiaomi.mi-scale');
  });

  it('checks manufacturer data by company id and prefix', () => {
    const vendor = {
      id: 'x',
      vendor: 'X',
      model: 'Y',
      kind: 'scale' as const,
      match: { manufacturerData: { companyId: 0x0157, prefix: 'ab' } },
      blocks: [],
    };
    expect(
      matchProfile({ services: [], manufacturerData: new Map([[0x0157, Uint8Array.of(0xab, 1)]]) }, [vendor])
        ?.id,
    ).toBe('x');
    expect(
      matchProfile({ services: [], manufacturerData: new Map([[0x0157, Uint8Array.of(0xcd)]]) }, [vendor]),
    ).toBeUndefined();
    expect(matchProfile({ services: [] }, [vendor])).toBeUndefined();
  });

  it('matches nothing for an unknown service 0xFFF0', () => {
    expect(matchProfile({ name: 'Gadget', services: [0xfff0] })).toBeUndefined();
  });
});
