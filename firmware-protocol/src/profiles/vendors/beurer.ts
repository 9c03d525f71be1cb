import { bodyCompositionBlock, weightBlock } from '../scale-blocks.js';
import type { DeviceProfile } from '../types.js';

/** Beurer BF720/BF788-style scales: WSS + BCS + UDS multi-user scales, as in the public captures. */
export const BEURER_PROFILES: readonly DeviceProfile[] = [
  {
    id: 'beurer.bf720',
    vendor: 'Beurer',
    model: 'BF720 / BF788 family',
    kind: 'scale',
    match: { namePattern: /^BF(700|710|720|788|850|915)\b/, services: [0x181d] },
    blocks: [weightBlock, bodyCompositionBlock],
    notes:
      'Needs bonding (six-digit passkey, SET within ~15 s), Current Time written after connect, and UDS Consent per user before readings flow; sends BCM without weight beside the 0x2A9D indication.',
  },
];
