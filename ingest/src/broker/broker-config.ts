import { Type } from 'typebox';
import { DEFAULT_BROKER_LIMITS } from './limits.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Positive = Type.Integer({ minimum: 1 });

/** The `broker` section of the ingest configuration: extra listeners, limits and revocation. */
export const BrokerConfigSchema = Type.Object({
  tls: Type.Optional(
    Type.Object({
      host: Type.String(),
      port: Port,
      certFile: Type.String({ minLength: 1 }),
      keyFile: Type.String({ minLength: 1 }),
    }),
  ),
  ws: Type.Optional(Type.Object({ host: Type.String(), port: Port })),
  limits: Type.Object({
    maxConnections: Positive,
    maxPacketBytes: Type.Integer({ minimum: 1024, maximum: 268_435_455 }),
    connectTimeoutMs: Positive,
    connectRate: Type.Object({
      ratePerSecond: Type.Number({ exclusiveMinimum: 0 }),
      burst: Positive,
      perAddressRatePerSecond: Type.Number({ exclusiveMinimum: 0 }),
      perAddressBurst: Positive,
      exempt: Type.Array(Type.String({ minLength: 1 })),
    }),
  }),
  revocationRefreshSeconds: Type.Number({ exclusiveMinimum: 0 }),
});

/**
 * Reads LINKWELL_INGEST_MQTT_TLS_*, _WS_*, the connection limits and the revocation refresh period; called
 * by loadIngestConfig, which validates the result. Defaults are DEFAULT_BROKER_LIMITS.
 */
export function brokerConfigFromEnv(env: NodeJS.ProcessEnv, mqttHost: string) {
  const d = DEFAULT_BROKER_LIMITS;
  const num = (name: string, fallback: number) => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : Number(v);
  };
  const tlsSet = ['PORT', 'CERT_FILE', 'KEY_FILE'].some((k) => env[`LINKWELL_INGEST_MQTT_TLS_${k}`]);
  return {
    ...(tlsSet
      ? {
          tls: {
            host: env.LINKWELL_INGEST_MQTT_TLS_HOST ?? mqttHost,
            port: num('LINKWELL_INGEST_MQTT_TLS_PORT', Number.NaN),
            certFile: env.LINKWELL_INGEST_MQTT_TLS_CERT_FILE ?? '',
            keyFile: env.LINKWELL_INGEST_MQTT_TLS_KEY_FILE ?? '',
          },
        }
      : {}),
    ...(env.LINKWELL_INGEST_MQTT_WS_PORT
      ? {
          ws: {
            host: env.LINKWELL_INGEST_MQTT_WS_HOST ?? mqttHost,
            port: num('LINKWELL_INGEST_MQTT_WS_PORT', Number.NaN),
          },
        }
      : {}),
    limits: {
      maxConnections: num('LINKWELL_INGEST_MQTT_MAX_CONNECTIONS', d.maxConnections),
      maxPacketBytes: num('LINKWELL_INGEST_MQTT_MAX_PACKET_BYTES', d.maxPacketBytes),
      connectTimeoutMs: num('LINKWELL_INGEST_MQTT_CONNECT_TIMEOUT_MS', d.connectTimeoutMs),
      connectRate: {
        ratePerSecond: num('LINKWELL_INGEST_MQTT_CONNECT_RATE', d.connectRate.ratePerSecond),
        burst: num('LINKWELL_INGEST_MQTT_CONNECT_BURST', d.connectRate.burst),
        perAddressRatePerSecond: num(
          'LINKWELL_INGEST_MQTT_CONNECT_RATE_PER_ADDRESS',
          d.connectRate.perAddressRatePerSecond,
        ),
        perAddressBurst: num('LINKWELL_INGEST_MQTT_CONNECT_BURST_PER_ADDRESS', d.connectRate.perAddressBurst),
        exempt:
          env.LINKWELL_INGEST_MQTT_CONNECT_RATE_EXEMPT === undefined
            ? [...d.connectRate.exempt]
            : env.LINKWELL_INGEST_MQTT_CONNECT_RATE_EXEMPT.split(',')
                .map((a) => a.trim())
                .filter((a) => a !== ''),
      },
    },
    revocationRefreshSeconds: num('LINKWELL_INGEST_REVOCATION_REFRESH_SECONDS', 30),
  };
}
