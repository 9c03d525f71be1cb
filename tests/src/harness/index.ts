export {
  type BinaryLookup,
  DEBIAN_PACKAGES,
  findBinaries,
  findBinary,
  installCommand,
  type ServerName,
} from './binaries.js';
export { type DbusDaemonOptions, type RunningDbusDaemon, startDbusDaemon } from './dbus-daemon.js';
export { HARNESS_ERRORS, HarnessError, type HarnessErrorCode } from './errors.js';
export {
  type InfluxdOptions,
  influxQuery,
  type RestartableInfluxd,
  type RunningInfluxd,
  startInfluxd,
  startRestartableInfluxd,
} from './influxd.js';
export {
  type LaunchOptions,
  launch,
  type ProcessSpec,
  type ReadinessProbe,
  type RunningServer,
} from './managed-process.js';
export { type MosquittoOptions, type RunningMosquitto, startMosquitto } from './mosquitto.js';
export { type Overlap, overlapTransactions, type TransactionalDb } from './overlap.js';
export { freePort, freePorts } from './ports.js';
export { type PostgresOptions, type RunningPostgres, startPostgres } from './postgres.js';
export { type RedisOptions, type RunningRedis, startRedis } from './redis.js';
