// The devices context's public surface: other modules and the composition root import only this file.
import type { FastifyPluginAsync } from 'fastify';
import { type DevicesRoutesOptions, devicesRoutes } from './routes.js';

export { type AttributionMode, attributionFor, DEFAULT_SLOT_COUNT } from './attribution-mode.js';
export type { DeviceView, NearbyView } from './claims-service.js';
export { DEVICES_ERRORS } from './errors.js';
export { deviceHouseholdOf, deviceLabelsOf, devicesMeasuring, type MeasuringDevice } from './facts.js';
export { devicesAccountMover, devicesOwnedBy, type OwnedDevice } from './service.js';

/** Nearby devices, claims, assignment (owner, slots, attribution mode) and device commands. */
export const devicesModule: FastifyPluginAsync<DevicesRoutesOptions> = async (app, opts) => {
  await app.register(devicesRoutes, opts);
};
