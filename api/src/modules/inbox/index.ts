// The inbox context's public surface: other modules and the composition root import only this file.
export { discardHeldForSlot } from './service.js';
