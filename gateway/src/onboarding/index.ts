export {
  CREDENTIALS_FILE_MODE,
  type GatewayCredentials,
  readCredentials,
  writeCredentials,
} from './credentials.js';
export {
  abortableSleep,
  DEVICE_CODE_GRANT_TYPE,
  type DeviceAuthorization,
  type DeviceFlowRequestOptions,
  GATEWAY_CLIENT_ID,
  type GatewayTokenSet,
  MAX_BACKOFF_SECONDS,
  type PollOptions,
  type PollProgress,
  type PollRequest,
  pollForToken,
  refreshGatewayToken,
  requestDeviceAuthorization,
  SLOW_DOWN_STEP_SECONDS,
} from './device-flow.js';
export { GatewayTokenSource, type GatewayTokenSourceOptions } from './token-source.js';
