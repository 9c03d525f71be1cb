export {
  type PrivateBus,
  type PrivateBusOptions,
  privateBusConfig,
  startPrivateBus,
} from './private-bus.js';
export { BLUEZ_DISCONNECT_REASONS } from './reasons.js';
export type { SimLogger } from './sim-logger.js';
export {
  DEFAULT_ADAPTER_ADDRESS,
  type SimulatedBluez,
  type SimulatedBluezOptions,
  startSimulatedBluez,
} from './simulated-bluez.js';
