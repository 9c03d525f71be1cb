import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { IngestError } from './errors.js';

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
    logLevel: env.LINKWELL_INGEST_LOG_LEVEL ?? 'info',
  };
  if (!Value.Check(IngestConfigSchema, raw)) {
    const issues = [...Value.Errors(IngestConfigSchema, raw)]
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new IngestError('INGEST_ERR_CONFIG', issues.join('; '));
  }
  return Object.freeze(raw);
}
