// The devices context's public surface: other modules and the composition root import only this file.
export { devicesAccountMover } from './service.js';
