export { codeOf, ROLLUP_ERRORS, RollupError, type RollupErrorCode } from './errors.js';
export { InfluxQl, type InfluxSeries } from './influxql.js';
export { type JournalKey, RollupJournal } from './journal.js';
export { ROLLED, type RolledMeasurement } from './layout.js';
export { type RebuildDeps, type RebuildResult, rebuild } from './rebuild.js';
export {
  type CycleOutcome,
  RollupWorker,
  type RollupWorkerDeps,
  type RollupWorkerOptions,
  type RollupWorkerStats,
  rollupsSupported,
} from './worker.js';
