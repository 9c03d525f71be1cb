export { FleetConnectError } from './errors.js';
export {
  createGatewayTokenSigner,
  type GatewayTokenOptions,
  gatewayTokenCredentials,
} from './gateway-token.js';
export {
  DEFAULT_FLEET_PREFIX,
  type FleetDevice,
  type FleetGatewayIdentity,
  fleetDevice,
  fleetGateway,
  fleetGatewayId,
  fleetIdentities,
  MAX_FLEET_DEVICES_PER_GATEWAY,
  MAX_FLEET_GATEWAYS,
} from './identities.js';
export { LatencyHistogram, type LatencySummary } from './latency-histogram.js';
export { type FleetCredentials, type FleetDeps, type FleetOptions, resolveFleetOptions } from './options.js';
export { formatFleetProgress } from './progress.js';
export { GatewayEnvelopes } from './readings.js';
export type { FleetReport } from './report.js';
export { runFleet } from './run-fleet.js';
export type { FleetPhase, FleetProgress } from './stats.js';
