import { hostname } from 'node:os';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { BrokerConfigSchema, brokerConfigFromEnv } from './broker/broker-config.js';
import { IngestError } from './errors.js';
import { QuarantineConfigProperties, quarantineConfigFromEnv } from './store/quarantine-config.js';

export const IngestConfigSchema = Type.Object({
  mqtt: Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  ops: Type.Object({ host: Type.String(), port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  influx: Type.Object({
    url: Type.String({ pattern: '^https?://' }),
    database: Type.String({ minLength: 1 }),
    token: Type.Optional(Type.String()),
  }),
  registryUrl: Type.String({ pattern: '^postgres(ql)?://' }),
  gatewayPublicKeyFile: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  spool: Type.Object({
    maxMiB: Type.Number({ exclusiveMinimum: 0 }),
    segmentMiB: Type.Number({ exclusiveMinimum: 0 }),
    maxLines: Type.Optional(Type.Integer({ minimum: 1 })),
  }),
  writer: Type.Object({
    gzip: Type.Union([Type.Literal('auto'), Type.Literal('on'), Type.Literal('off')]),
    gzipThresholdBytes: Type.Integer({ minimum: 0 }),
  }),
  /** embedded: Aedes in this process (optionally clustered through Redis); external: a worker on Mosquitto/EMQX. */
  mode: Type.Union([Type.Literal('embedded'), Type.Literal('external')]),
  cluster: Type.Optional(Type.Object({ redisUrl: Type.String({ pattern: '^rediss?://' }) })),
  external: Type.Optional(
    Type.Object({
      url: Type.String({ pattern: '^(mqtts?|tcp|ssl|wss?)://' }),
      username: Type.Optional(Type.String()),
      password: Type.Optional(Type.String()),
      group: Type.String({ pattern: '^[^/+#$]+$' }),
      connections: Type.Integer({ minimum: 1, maximum: 256 }),
      clientId: Type.String({ pattern: '^[^/+#]+$' }),
    }),
  ),
  /** The rollup worker (docs/rollups.md); the journal is written whether or not this node runs the worker. */
  rollups: Type.Object({
    enabled: Type.Boolean(),
    intervalMs: Type.Integer({ minimum: 100 }),
    /** Must exceed the InfluxDB write timeout (30 s) plus the clock skew between ingest nodes. */
    lagMs: Type.Integer({ minimum: 1000 }),
  }),
  /** The event log (docs/events.md): off only to measure what it costs (bench:ingest). */
  events: Type.Object({ enabled: Type.Boolean() }),
  /** Embedded broker: TLS/WebSocket listeners, connection limits, revocation refresh (broker-config.ts). */
  broker: BrokerConfigSchema,
  /** Held readings, dead letters and the registry read model's refresh (store/quarantine-config.ts). */
  ...QuarantineConfigProperties,
  logLevel: Type.Union([
    Type.Literal('debug'),
    Type.Literal('info'),
    Type.Literal('warn'),
    Type.Literal('error'),
  ]),
});

export type IngestConfig = Static<typeof IngestConfigSchema>;

/** The only place ingest reads the environment; documented in docs/configuration.md. */
export function loadIngestConfig(env: NodeJS.ProcessEnv): Readonly<IngestConfig> {
  const raw = {
    mqtt: {
      host: env.LINKWELL_INGEST_MQTT_HOST ?? '127.0.0.1',
      port: Number(env.LINKWELL_INGEST_MQTT_PORT ?? 1883),
    },
    ops: {
      host: env.LINKWELL_INGEST_OPS_HOST ?? '127.0.0.1',
      port: Number(env.LINKWELL_INGEST_OPS_PORT ?? 9464),
    },
    influx: {
      url: env.LINKWELL_INGEST_INFLUX_URL ?? 'http://127.0.0.1:8086',
      database: env.LINKWELL_INGEST_INFLUX_DATABASE ?? 'linkwell',
      ...(env.LINKWELL_INGEST_INFLUX_TOKEN ? { token: env.LINKWELL_INGEST_INFLUX_TOKEN } : {}),
    },
    registryUrl: env.LINKWELL_INGEST_REGISTRY_URL ?? '',
    gatewayPublicKeyFile: env.LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE ?? '',
    dataDir: env.LINKWELL_INGEST_DATA_DIR ?? './data/ingest',
    spool: {
      maxMiB: Number(env.LINKWELL_INGEST_SPOOL_MAX_MIB ?? 1024),
      segmentMiB: Number(env.LINKWELL_INGEST_SPOOL_SEGMENT_MIB ?? 16),
      ...(env.LINKWELL_INGEST_SPOOL_MAX_LINES
        ? { maxLines: Number(env.LINKWELL_INGEST_SPOOL_MAX_LINES) }
        : {}),
    },
    writer: {
      gzip: env.LINKWELL_INGEST_INFLUX_GZIP ?? 'auto',
      gzipThresholdBytes: Number(env.LINKWELL_INGEST_INFLUX_GZIP_THRESHOLD_BYTES ?? 1000),
    },
    ...modeConfig(env),
    rollups: {
      enabled: booleanEnv(env.LINKWELL_INGEST_ROLLUPS_ENABLED, true),
      intervalMs: Number(env.LINKWELL_INGEST_ROLLUPS_INTERVAL_MS ?? 5000),
      lagMs: Number(env.LINKWELL_INGEST_ROLLUPS_LAG_MS ?? 60_000),
    },
    events: { enabled: booleanEnv(env.LINKWELL_INGEST_EVENTS_ENABLED, true) },
    broker: brokerConfigFromEnv(env, env.LINKWELL_INGEST_MQTT_HOST ?? '127.0.0.1'),
    ...quarantineConfigFromEnv(env),
    logLevel: env.LINKWELL_INGEST_LOG_LEVEL ?? 'info',
  };
  if (!Value.Check(IngestConfigSchema, raw)) {
    const issues = [...Value.Errors(IngestConfigSchema, raw)]
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new IngestError('INGEST_ERR_CONFIG', issues.join('; '));
  }
  if (raw.mode === 'external' && raw.cluster) {
    throw new IngestError(
      'INGEST_ERR_CONFIG',
      'LINKWELL_INGEST_REDIS_URL (cluster mode) applies to the embedded broker, not LINKWELL_INGEST_MODE=external',
    );
  }
  return Object.freeze(raw);
}

/** `true`/`1` or `false`/`0`; anything else is kept as is, so the schema check names it. */
function booleanEnv(v: string | undefined, fallback: boolean): boolean | string {
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return v;
}

/** Cluster (LINKWELL_INGEST_REDIS_URL) and external-broker (LINKWELL_INGEST_MODE=external) settings. */
function modeConfig(env: NodeJS.ProcessEnv) {
  const mode = env.LINKWELL_INGEST_MODE ?? 'embedded';
  return {
    mode,
    ...(env.LINKWELL_INGEST_REDIS_URL ? { cluster: { redisUrl: env.LINKWELL_INGEST_REDIS_URL } } : {}),
    ...(mode === 'external'
      ? {
          external: {
            url: env.LINKWELL_INGEST_EXTERNAL_URL ?? '',
            ...(env.LINKWELL_INGEST_EXTERNAL_USERNAME
              ? { username: env.LINKWELL_INGEST_EXTERNAL_USERNAME }
              : {}),
            ...(env.LINKWELL_INGEST_EXTERNAL_PASSWORD
              ? { password: env.LINKWELL_INGEST_EXTERNAL_PASSWORD }
              : {}),
            group: env.LINKWELL_INGEST_EXTERNAL_GROUP ?? 'linkwell-ingest',
            connections: Number(env.LINKWELL_INGEST_EXTERNAL_CONNECTIONS ?? 8),
            clientId: env.LINKWELL_INGEST_EXTERNAL_CLIENT_ID ?? `linkwell-ingest-${hostname()}`,
          },
        }
      : {}),
  };
}
