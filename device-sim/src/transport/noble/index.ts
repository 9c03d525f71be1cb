export type { NobleAdvertisement } from './advertisement.js';
export { type NobleAdapterState, SimNobleBindings, type SimNobleBindingsOptions } from './bindings.js';
