export {
  defaultCredentialsPath,
  type LinkGatewayIo,
  type LinkGatewayOptions,
  type LinkGatewayResult,
  linkGateway,
  registerGatewayLink,
} from './commands/gateway-link.js';
export { CLI_ERRORS, CliError, type CliErrorCode } from './errors.js';
export { type GatewayStatus, gatewayStatus } from './gateway/status-command.js';
export { renderInfluxdConfig, startManagedInfluxd } from './up/influxd.js';
