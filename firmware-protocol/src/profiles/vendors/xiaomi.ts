import { miBodyCompositionAdvertBlock, miScaleAdvertBlock } from '../scale-blocks.js';
import type { DeviceProfile } from '../types.js';

/** Xiaomi scales broadcast their readings in advertisement service data; no connection is made. */
export const XIAOMI_PROFILES: readonly DeviceProfile[] = [
  {
    id: 'xiaomi.mi-scale',
    vendor: 'Xiaomi',
    model: 'Mi Smart Scale (v1/v2)',
    kind: 'scale',
    match: { namePattern: /^MI[_ ]?SCALE/i, services: [0x181d] },
    blocks: [miScaleAdvertBlock],
    notes:
      'Advertisement-only: only stabilised frames with the load removed are published; no user index, so attribution is by weight proximity.',
  },
  {
    id: 'xiaomi.mi-body-composition-scale',
    vendor: 'Xiaomi',
    model: 'Mi Body Composition Scale 2',
    kind: 'scale',
    match: { namePattern: /^MIBFS$/, services: [0x181b] },
    blocks: [miBodyCompositionAdvertBlock],
    notes:
      'Advertisement-only, with impedance; body composition is derived on the platform from impedance and the member profile.',
  },
];
