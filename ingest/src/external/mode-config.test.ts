import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../config.js';

const good = {
  LINKWELL_INGEST_REGISTRY_URL: 'postgres://linkwell@127.0.0.1:5432/linkwell',
  LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE: '/etc/linkwell/jwt-es256.pub',
};

describe('loadIngestConfig: cluster and external-broker modes', () => {
  it('defaults to the embedded, in-memory broker', () => {
    const c = loadIngestConfig(good);
    expect(c.mode).toBe('embedded');
    expect(c.cluster).toBeUndefined();
    expect(c.external).toBeUndefined();
  });

  it('turns cluster mode on with LINKWELL_INGEST_REDIS_URL and rejects a non-Redis URL', () => {
    expect(
      loadIngestConfig({ ...good, LINKWELL_INGEST_REDIS_URL: 'redis://10.0.0.5:6379/1' }).cluster,
    ).toEqual({
      redisUrl: 'redis://10.0.0.5:6379/1',
    });
    expect(() => loadIngestConfig({ ...good, LINKWELL_INGEST_REDIS_URL: 'http://10.0.0.5' })).toThrow(
      /INGEST_ERR_CONFIG: .*\/cluster\/redisUrl/,
    );
  });

  it('reads the external-broker settings with defaults for group, connections and client id', () => {
    const c = loadIngestConfig({
      ...good,
      LINKWELL_INGEST_MODE: 'external',
      LINKWELL_INGEST_EXTERNAL_URL: 'mqtt://mosquitto:1883',
      LINKWELL_INGEST_EXTERNAL_USERNAME: 'ingest',
      LINKWELL_INGEST_EXTERNAL_PASSWORD: 's3cret',
    });
    expect(c.mode).toBe('external');
    expect(c.external).toEqual({
      url: 'mqtt://mosquitto:1883',
      username: 'ingest',
      password: 's3cret',
      group: 'linkwell-ingest',
      connections: 8,
      clientId: `linkwell-ingest-${hostname()}`,
    });
  });

  it('requires the external URL, a positive connection count and a group without topic characters', () => {
    const external = { ...good, LINKWELL_INGEST_MODE: 'external' };
    expect(() => loadIngestConfig(external)).toThrow(/INGEST_ERR_CONFIG: .*\/external\/url/);
    const ok = { ...external, LINKWELL_INGEST_EXTERNAL_URL: 'mqtt://mosquitto:1883' };
    expect(() => loadIngestConfig({ ...ok, LINKWELL_INGEST_EXTERNAL_CONNECTIONS: '0' })).toThrow(
      /\/external\/connections/,
    );
    expect(() => loadIngestConfig({ ...ok, LINKWELL_INGEST_EXTERNAL_GROUP: 'a/b' })).toThrow(
      /\/external\/group/,
    );
  });

  it('rejects an unknown mode, and Redis clustering combined with the external mode', () => {
    expect(() => loadIngestConfig({ ...good, LINKWELL_INGEST_MODE: 'bridge' })).toThrow(/\/mode/);
    expect(() =>
      loadIngestConfig({
        ...good,
        LINKWELL_INGEST_MODE: 'external',
        LINKWELL_INGEST_EXTERNAL_URL: 'mqtt://mosquitto:1883',
        LINKWELL_INGEST_REDIS_URL: 'redis://10.0.0.5',
      }),
    ).toThrow(/INGEST_ERR_CONFIG: LINKWELL_INGEST_REDIS_URL/);
  });
});
