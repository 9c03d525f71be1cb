import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from './config.js';

const good = {
  LINKWELL_INGEST_REGISTRY_URL: 'postgres://linkwell@127.0.0.1:5432/linkwell',
  LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE: '/etc/linkwell/jwt-es256.pub',
};

describe('loadIngestConfig', () => {
  it('applies defaults: MQTT on 127.0.0.1:1883, database linkwell', () => {
    const c = loadIngestConfig(good);
    expect(c.mqtt).toEqual({ host: '127.0.0.1', port: 1883 });
    expect(c.influx).toEqual({ url: 'http://127.0.0.1:8086', database: 'linkwell' });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('rejects a missing registry URL and a non-numeric port with INGEST_ERR_CONFIG naming both', () => {
    expect(() =>
      loadIngestConfig({
        ...good,
        LINKWELL_INGEST_REGISTRY_URL: undefined,
        LINKWELL_INGEST_MQTT_PORT: 'abc',
      }),
    ).toThrow(
      /INGEST_ERR_CONFIG: .*\/mqtt\/port.*\/registryUrl|INGEST_ERR_CONFIG: .*\/registryUrl.*\/mqtt\/port/,
    );
  });
});
