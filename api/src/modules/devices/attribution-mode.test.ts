import { describe, expect, it } from 'vitest';
import { attributionFor } from './attribution-mode.js';

describe('attribution mode from the profile', () => {
  it('gives a UDS scale and a BLS cuff 4 slots', () => {
    expect(attributionFor('beurer.bf720')).toEqual({ kind: 'scale', attribution: 'slots', slot_count: 4 });
    expect(attributionFor('omron.blesmart-cuff')).toEqual({
      kind: 'bp_cuff',
      attribution: 'slots',
      slot_count: 4,
    });
    expect(attributionFor('sig.blood-pressure')).toEqual({
      kind: 'bp_cuff',
      attribution: 'slots',
      slot_count: 4,
    });
  });

  it('attributes an advertisement-only Mi scale by weight', () => {
    expect(attributionFor('xiaomi.mi-scale')).toEqual({
      kind: 'scale',
      attribution: 'weight',
      slot_count: null,
    });
  });

  it('gives a wristband, and an unknown profile, a single owner', () => {
    expect(attributionFor('sig.heart-rate')).toEqual({
      kind: 'wristband',
      attribution: 'single',
      slot_count: null,
    });
    expect(attributionFor('acme.unknown')).toEqual({
      kind: 'unknown',
      attribution: 'single',
      slot_count: null,
    });
    expect(attributionFor(null)).toEqual({ kind: 'unknown', attribution: 'single', slot_count: null });
  });
});
