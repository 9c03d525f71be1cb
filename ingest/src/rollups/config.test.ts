import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../config.js';

const good = {
  LINKWELL_INGEST_REGISTRY_URL: 'postgres://linkwell@127.0.0.1:5432/linkwell',
  LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE: '/etc/linkwell/jwt-es256.pub',
};

describe('loadIngestConfig: rollups', () => {
  it('defaults to the worker on, every 5000 ms, 60 000 ms behind now', () => {
    expect(loadIngestConfig(good).rollups).toEqual({ enabled: true, intervalMs: 5000, lagMs: 60_000 });
  });

  it('reads LINKWELL_INGEST_ROLLUPS_*, and rejects ENABLED=maybe with INGEST_ERR_CONFIG naming it', () => {
    const c = loadIngestConfig({
      ...good,
      LINKWELL_INGEST_ROLLUPS_ENABLED: 'false',
      LINKWELL_INGEST_ROLLUPS_INTERVAL_MS: '2000',
      LINKWELL_INGEST_ROLLUPS_LAG_MS: '90000',
    });
    expect(c.rollups).toEqual({ enabled: false, intervalMs: 2000, lagMs: 90_000 });
    expect(() => loadIngestConfig({ ...good, LINKWELL_INGEST_ROLLUPS_ENABLED: 'maybe' })).toThrow(
      /INGEST_ERR_CONFIG: .*\/rollups\/enabled/,
    );
  });
});
