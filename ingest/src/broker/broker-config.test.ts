import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../config.js';

const good = {
  LINKWELL_INGEST_REGISTRY_URL: 'postgres://linkwell@127.0.0.1:5432/linkwell',
  LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE: '/etc/linkwell/jwt-es256.pub',
};

describe('loadIngestConfig: broker listeners and limits', () => {
  it('has no TLS or WebSocket listener by default, and the documented limits', () => {
    const c = loadIngestConfig(good);
    expect(c.broker).toEqual({
      limits: {
        maxConnections: 20_000,
        maxPacketBytes: 524_288,
        connectTimeoutMs: 10_000,
        connectRate: {
          ratePerSecond: 1000,
          burst: 2000,
          perAddressRatePerSecond: 20,
          perAddressBurst: 50,
          exempt: ['127.0.0.1', '::1'],
        },
      },
      revocationRefreshSeconds: 30,
    });
  });

  it('reads the TLS and WebSocket listeners; hosts default to LINKWELL_INGEST_MQTT_HOST', () => {
    const c = loadIngestConfig({
      ...good,
      LINKWELL_INGEST_MQTT_HOST: '0.0.0.0',
      LINKWELL_INGEST_MQTT_TLS_PORT: '8883',
      LINKWELL_INGEST_MQTT_TLS_CERT_FILE: '/etc/linkwell/mqtt.crt',
      LINKWELL_INGEST_MQTT_TLS_KEY_FILE: '/etc/linkwell/mqtt.key',
      LINKWELL_INGEST_MQTT_WS_PORT: '8080',
      LINKWELL_INGEST_MQTT_WS_HOST: '127.0.0.1',
      LINKWELL_INGEST_MQTT_CONNECT_RATE_EXEMPT: ' 10.0.0.5 , ',
      LINKWELL_INGEST_MQTT_MAX_PACKET_BYTES: '65536',
    });
    expect(c.broker.tls).toEqual({
      host: '0.0.0.0',
      port: 8883,
      certFile: '/etc/linkwell/mqtt.crt',
      keyFile: '/etc/linkwell/mqtt.key',
    });
    expect(c.broker.ws).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.broker.limits.connectRate.exempt).toEqual(['10.0.0.5']);
    expect(c.broker.limits.maxPacketBytes).toBe(65_536);
  });

  it('rejects a TLS port without a key file, and a zero connection rate, naming both fields', () => {
    expect(() =>
      loadIngestConfig({
        ...good,
        LINKWELL_INGEST_MQTT_TLS_PORT: '8883',
        LINKWELL_INGEST_MQTT_TLS_CERT_FILE: '/c.pem',
        LINKWELL_INGEST_MQTT_CONNECT_RATE: '0',
      }),
    ).toThrow(/INGEST_ERR_CONFIG: .*\/broker\/tls\/keyFile.*\/broker\/limits\/connectRate\/ratePerSecond/);
  });

  it('rejects a certificate file given without a TLS port', () => {
    expect(() => loadIngestConfig({ ...good, LINKWELL_INGEST_MQTT_TLS_CERT_FILE: '/c.pem' })).toThrow(
      /INGEST_ERR_CONFIG: .*\/broker\/tls\/port/,
    );
  });
});
