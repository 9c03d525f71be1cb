export { CLI_ERRORS, CliError, type CliErrorCode } from './errors.js';
export { renderInfluxdConfig, startManagedInfluxd } from './up/influxd.js';
