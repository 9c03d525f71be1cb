import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../config.js';

const good = {
  LINKWELL_INGEST_REGISTRY_URL: 'postgres://linkwell@127.0.0.1:5432/linkwell',
  LINKWELL_INGEST_JWT_PUBLIC_KEY_FILE: '/etc/linkwell/jwt-es256.pub',
};

describe('loadIngestConfig: held readings, dead letters, registry refresh', () => {
  it('defaults to a 30-day expiry, 100 000 / 10 000 held readings, 8 × 64 MiB dead letters, 60 s passes', () => {
    const c = loadIngestConfig(good);
    expect(c.held).toEqual({
      expiryDays: 30,
      maxReadings: 100_000,
      maxPerGateway: 10_000,
      replaySeconds: 60,
    });
    expect(c.deadLetters).toEqual({ maxFileMiB: 64, maxFiles: 8 });
    expect(c.registrySync).toEqual({ refreshSeconds: 60 });
  });

  it('reads LINKWELL_INGEST_HELD_EXPIRY_DAYS=0.5 and the bounds', () => {
    const c = loadIngestConfig({
      ...good,
      LINKWELL_INGEST_HELD_EXPIRY_DAYS: '0.5',
      LINKWELL_INGEST_HELD_MAX_READINGS: '500',
      LINKWELL_INGEST_HELD_MAX_PER_GATEWAY: '50',
      LINKWELL_INGEST_DEAD_LETTER_FILES: '2',
    });
    expect(c.held).toMatchObject({ expiryDays: 0.5, maxReadings: 500, maxPerGateway: 50 });
    expect(c.deadLetters.maxFiles).toBe(2);
  });

  it('rejects an expiry of 0 days and a fractional bound with INGEST_ERR_CONFIG naming both', () => {
    expect(() =>
      loadIngestConfig({
        ...good,
        LINKWELL_INGEST_HELD_EXPIRY_DAYS: '0',
        LINKWELL_INGEST_HELD_MAX_READINGS: '1.5',
      }),
    ).toThrow(/INGEST_ERR_CONFIG: .*\/held\/expiryDays.*\/held\/maxReadings/);
  });
});
