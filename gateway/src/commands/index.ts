export {
  type CommandHandler,
  type CommandHandlerDeps,
  createCommandHandler,
} from './command-handler.js';
export type { CommandOptions } from './context.js';
export type { DeviceControl, ManagedDevice } from './device-control.js';
export { describeFound, type FoundDevice, findDevice, profileFor } from './discover.js';
export { errorBody, parseCommandPayload } from './parse.js';
export { PasskeyBook } from './passkeys.js';
export { type LinkFailure, staleBondSignature } from './stale-bond.js';
