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

describe('loadIngestConfig: spool and writer', () => {
  it('defaults to a 1024 MiB spool in 16 MiB segments without a line bound, and gzip auto over 1000 bytes', () => {
    const c = loadIngestConfig(good);
    expect(c.spool).toEqual({ maxMiB: 1024, segmentMiB: 16 });
    expect(c.writer).toEqual({ gzip: 'auto', gzipThresholdBytes: 1000 });
  });

  it('reads LINKWELL_INGEST_SPOOL_* and LINKWELL_INGEST_INFLUX_GZIP*, and rejects gzip=maybe', () => {
    const c = loadIngestConfig({
      ...good,
      LINKWELL_INGEST_SPOOL_MAX_MIB: '64',
      LINKWELL_INGEST_SPOOL_SEGMENT_MIB: '4',
      LINKWELL_INGEST_SPOOL_MAX_LINES: '500000',
      LINKWELL_INGEST_INFLUX_GZIP: 'on',
      LINKWELL_INGEST_INFLUX_GZIP_THRESHOLD_BYTES: '4096',
    });
    expect(c.spool).toEqual({ maxMiB: 64, segmentMiB: 4, maxLines: 500000 });
    expect(c.writer).toEqual({ gzip: 'on', gzipThresholdBytes: 4096 });
    expect(() => loadIngestConfig({ ...good, LINKWELL_INGEST_INFLUX_GZIP: 'maybe' })).toThrow(
      /INGEST_ERR_CONFIG: .*\/writer\/gzip/,
    );
  });
});
