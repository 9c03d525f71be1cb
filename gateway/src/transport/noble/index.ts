export { createNobleCentral, NobleCentral, type NobleCentralOptions } from './central.js';
export { NobleLink, type NobleLogger } from './link.js';
export { loadNobleWithBindings } from './load.js';
export type {
  Noble,
  NobleAdvertisement,
  NobleCharacteristic,
  NoblePeripheral,
  NobleService,
  NobleState,
} from './noble-api.js';
export { DEFAULT_NOBLE_TIMEOUTS, type NobleTimeouts } from './timeouts.js';
