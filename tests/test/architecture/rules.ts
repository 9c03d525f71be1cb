/**
 * Allowed dependencies between workspace packages. Dependencies point towards firmware-protocol; the
 * services (gateway, ingest, api) talk over MQTT, InfluxDB and the registry's SQL contract, never by import.
 */
export const PACKAGES = [
  'firmware-protocol',
  'device-sim',
  'gateway',
  'ingest',
  'identity-sim',
  'console',
  'api',
  'cli',
  'tests',
] as const;
export type Pkg = (typeof PACKAGES)[number];

export const NAME: Record<Pkg, string> = {
  'firmware-protocol': '@linkwell/firmware-protocol',
  'device-sim': '@linkwell/device-sim',
  gateway: '@linkwell/gateway',
  ingest: '@linkwell/ingest',
  'identity-sim': '@linkwell/identity-sim',
  console: '@linkwell/console',
  api: '@linkwell/api',
  cli: 'linkwell',
  tests: '@linkwell/tests',
};

/** Internal packages each package's production source may import. */
export const ALLOWED: Record<Pkg, readonly Pkg[]> = {
  'firmware-protocol': [],
  'device-sim': ['firmware-protocol'],
  gateway: ['firmware-protocol'],
  ingest: ['firmware-protocol'],
  // Simulated identity providers stand alone: they know nothing of Linkwell but the protocols.
  'identity-sim': [],
  // The console's Node side only names where its static build lives; its pages talk to the API over HTTP.
  console: [],
  // The API serves the console's static build.
  api: ['firmware-protocol', 'console'],
  // The composition root wires every service together in `linkwell up`.
  cli: ['firmware-protocol', 'device-sim', 'gateway', 'ingest', 'identity-sim', 'console', 'api'],
  tests: ['firmware-protocol', 'device-sim', 'gateway', 'ingest', 'identity-sim', 'console', 'api', 'cli'],
};

/**
 * firmware-protocol is pure: the third-party modules it may use are the schema library and luxon, which
 * computes civil days from the runtime's IANA tz database (Intl) and does no I/O (docs/decisions.md).
 */
export const PURE_ALLOWED_EXTERNAL = [/^typebox(\/|$)/, /^luxon(\/|$)/];

/**
 * The API's bounded contexts, one folder each under api/src/modules. A module's `index.ts` is its public
 * surface: another module imports that and nothing else (not its repository, routes, service or schemas,
 * not even for types; the index re-exports the types others need). Shared infrastructure (api/src/http,
 * auth, db, influx, shared, dev) imports no module at all.
 */
export const API_MODULES = [
  'trends',
  'gateways',
  'identity',
  'auth',
  'audit',
  'households',
  'devices',
  'inbox',
  'readings',
  'oauth',
  'fhir',
  'exports',
  'events',
  'webhooks',
  'crm',
  'consents',
  'orgs',
] as const;
export type ApiModule = (typeof API_MODULES)[number];

export const API_INFRASTRUCTURE = ['http', 'auth', 'db', 'influx', 'shared', 'dev'] as const;

/**
 * The tables each module owns. SQL naming a table (FROM, JOIN, INTO, UPDATE, DELETE FROM) appears only in
 * its owner's `repository.ts` or under its `repository/` folder; another module asks the owner through its
 * index. Every table the migrations create has exactly one owner.
 */
export const TABLE_OWNERS: Record<ApiModule, readonly string[]> = {
  identity: [
    'accounts',
    'identities',
    'identity_app_ids',
    'link_suggestions',
    'merge_offers',
    'account_merges',
  ],
  auth: ['signin_transactions', 'sessions', 'refresh_tokens'],
  audit: ['audit_log'],
  households: [
    'households',
    'household_members',
    'household_invites',
    'household_shares',
    'household_handovers',
  ],
  devices: ['devices', 'device_assignments'],
  gateways: [
    'gateways',
    'device_authorizations',
    'gateway_refresh_tokens',
    'gateway_presence',
    'nearby_devices',
    'gateway_commands',
  ],
  // Trends read InfluxDB; in the registry they own each person's zone history, health profile, source order
  // and custom programme, the rollup worker's state and requests (ingest writes those through the SQL
  // contract of migration 0009) and the health events ingest raises.
  trends: [
    'account_time_zones',
    'health_profiles',
    'source_priorities',
    'bp_programmes',
    'rollup_state',
    'rollup_requests',
    'health_events',
  ],
  // Ingest writes inbox items and executes moves through the SQL contract of migration 0006; in the API
  // the inbox context owns them. member_baselines is ingest's (it keeps them); the API only cascades it.
  inbox: ['inbox_items', 'reading_moves', 'attribution_rules', 'member_baselines'],
  // Readings live in InfluxDB; moves are recorded through the inbox context.
  readings: [],
  // Linkwell's authorization server: provider models, registered clients, pairwise subjects, consents, events.
  oauth: ['oauth_models', 'oauth_clients', 'oauth_subjects', 'oauth_consents', 'oauth_connection_events'],
  // FHIR R4 views of readings (issue 15); it reads through the other contexts' services. Its one table holds
  // the bulk export jobs (migration 0012).
  fhir: ['fhir_export_jobs'],
  // CSV and NDJSON downloads of readings (issue 15); readings live in InfluxDB.
  exports: [],
  // The event log (issue 15): ingest inserts its outbox rows through the SQL contract of migration 0011, the
  // relay turns them into events.
  events: ['events', 'event_outbox'],
  // Standard Webhooks for apps (issue 15): endpoints, secrets, the delivery queue and log, backfills, notices.
  webhooks: [
    'webhook_endpoints',
    'webhook_secrets',
    'webhook_messages',
    'webhook_attempts',
    'webhook_backfills',
    'webhook_notices',
  ],
  // CRM for marketers (issue 16): computed-trait profiles, their inputs and runs, segments and destinations.
  // It reads no reading path (the marketer-isolation rule in api-modules.test.ts).
  crm: [
    'crm_profiles',
    'crm_activity_days',
    'crm_runs',
    'crm_feed_cursor',
    'crm_activity_flags',
    'crm_lifecycle_transitions',
    'crm_grade_history',
    'crm_segments',
    'crm_segment_members',
    'crm_segment_sizes',
    'crm_releases',
    'crm_destination_cursor',
    'crm_destination_deliveries',
    'crm_destination_files',
    'crm_destination_members',
    'crm_destination_outbox',
    'crm_destination_segments',
    'crm_destination_syncs',
    'crm_destinations',
  ],
  // A person's consent decisions per purpose × category × recipient, append-only (issue 16, migration 0015).
  consents: ['consent_records'],
  // Organisations and members' roles (issue 16); the marketer guard asks it for roles through OrgService.
  orgs: ['orgs', 'org_members'],
};

/** Tables of the infrastructure, not of a context, and the one file that may query each. */
export const INFRASTRUCTURE_TABLES: Record<string, string> = {
  schema_migrations: 'api/src/db/migrate.ts',
};

/** Where SQL on any table is fine: the migrations define the schema, the demo seed fills it. */
export const SQL_ANYWHERE = ['api/src/db/migrations/', 'api/src/dev/'];
