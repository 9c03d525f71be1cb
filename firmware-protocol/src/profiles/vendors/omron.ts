import { bloodPressureBlock } from '../blocks.js';
import type { DeviceProfile } from '../types.js';

/** Omron-style cuffs advertise "BLEsmart_<model id>" and the standard Blood Pressure Service. */
export const OMRON_PROFILES: readonly DeviceProfile[] = [
  {
    id: 'omron.blesmart-cuff',
    vendor: 'Omron',
    model: 'BLEsmart upper-arm cuff',
    kind: 'bp_cuff',
    match: { namePattern: /^BLEsmart_/, services: [0x1810] },
    blocks: [bloodPressureBlock],
    notes:
      'Pairs with a code shown on first pairing; stored readings are indicated after reconnect. The vendor RACP variant (op 0x11, filter 0x04) is not used.',
  },
];
