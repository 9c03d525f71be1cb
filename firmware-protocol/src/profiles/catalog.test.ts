import { describe, expect, it } from 'vitest';
import { metricDefinition } from '../catalog/metrics.js';
import { matchProfile, PROFILES } from './catalog.js';

describe('profile catalog', () => {
  it('has unique profile ids', () => {
    const ids = PROFILES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  for (const p of PROFILES) {
    it(`${p.id}: has a matcher and only blocks whose metric is in the catalog`, () => {
      expect(p.match.services?.length || p.match.namePattern).toBeTruthy();
      expect(p.blocks.length).toBeGreaterThan(0);
      for (const b of p.blocks) {
        expect(metricDefinition(b.metric), `${b.id} metric ${b.metric}`).toBeDefined();
        expect(b.metric).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    });
  }

  it('matches an advertisement of service 0x180D to sig.heart-rate', () => {
    expect(matchProfile({ services: [0x180f, 0x180d] })?.id).toBe('sig.heart-rate');
  });

  it('matches nothing for an unknown service 0xFFF0', () => {
    expect(matchProfile({ name: 'Gadget', services: [0xfff0] })).toBeUndefined();
  });

  it('turns a 72 bpm frame without skin contact into bpm 72 with quality no_skin_contact', () => {
    const hr = PROFILES[0]!.blocks[0]!;
    expect(hr.decode(Uint8Array.of(0x04, 72))).toEqual([
      { values: { bpm: 72 }, quality: ['no_skin_contact'], slot: null },
    ]);
  });
});
