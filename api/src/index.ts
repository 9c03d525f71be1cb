export { type ApiApp, type AppDeps, buildApp, type IdentitySettings } from './app.js';
export { type Principal, requireUser, SESSION_COOKIE, type UnauthorizedReason } from './auth/guard.js';
export {
  generateSigningKeys,
  loadOrCreateSigningKeys,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  type SigningKeys,
} from './auth/keys.js';
export { APP_SCOPES, type AppScope } from './auth/scopes.js';
export {
  createTokenIssuer,
  DEFAULT_USER_SCOPES,
  GATEWAY_TOKEN_AUDIENCE,
  type GatewayTokenClaims,
  SCOPES,
  type Scope,
  TOKEN_ALGORITHM,
  TOKEN_ISSUER,
  type TokenIssuer,
  type UserTokenClaims,
} from './auth/tokens.js';
export {
  type ApiConfig,
  ApiConfigSchema,
  type DatabaseConfig,
  loadApiConfigFromEnv,
  parseApiConfig,
} from './config.js';
export { type MigrationResult, migrate } from './db/migrate.js';
export { MIGRATIONS, type Migration } from './db/migrations/index.js';
export { openPglite } from './db/pglite.js';
export { openPostgres, type PostgresOptions } from './db/postgres.js';
export type { Database, SqlClient, SqlExecutor } from './db/sql-client.js';
export {
  DEMO_HOME,
  DEMO_HOUSEHOLD,
  DEMO_PROFILES,
  DEMO_SLOT_COUNT,
  type DemoIdentity,
  type DemoSeedOptions,
  seedDemoHome,
  seedDemoHousehold,
  seedDemoIdentity,
  seedDemoProfiles,
} from './dev/demo-seed.js';
export {
  API_ERRORS,
  API_STARTUP_ERRORS,
  ApiConfigError,
  ApiError,
  type ApiErrorCode,
  COMMON_ERRORS,
  isApiError,
} from './errors.js';
export type { InfluxSettings } from './influx/client.js';
export { main } from './main.js';
export { type ProviderConfig, ProvidersConfigSchema, redirectUriFor } from './modules/auth/index.js';
// CRM segments and trait computation, for bench:segments (docs/benchmarks.md).
export {
  compileRule,
  createCrmTraitsService,
  evaluateRule,
  hasConsents,
  type NaiveActivity,
  type NaiveProfile,
  segmentsServiceFor,
} from './modules/crm/index.js';
export {
  createEventsService,
  EVENT_TYPES,
  type EventsService,
  type EventType,
  eventOfLine,
  pointEventId,
  relayOnce,
  startEventRelay,
} from './modules/events/index.js';
export {
  DEVICE_CODE_GRANT_TYPE,
  DEVICE_FLOW_DEFAULTS,
  type DeviceFlowOptions,
  GATEWAY_CLIENT_ID,
  normalizeUserCode,
  REFRESH_TOKEN_GRANT_TYPE,
  USER_CODE_ALPHABET,
} from './modules/gateways/index.js';
export { type RunningApi, type StartOptions, startApi } from './start.js';
