import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@linkwell/api';
import { type IngestService, startIngest } from '@linkwell/ingest';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RestartableInfluxd, startRestartableInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';
import {
  type Fleet,
  logger,
  metricValue,
  openFleetRegistry,
  sentPoints,
  sleep,
  startGateways,
  storedHeartRate,
} from './spool-gateways.js';

// About 45 heart_rate lines: full within a few seconds at 2 gateways × 10 readings/s.
const SPOOL_BYTES = 6 * 1024;

describe('spool at its bound: backpressure to the gateways, then recovery', () => {
  let influx: RestartableInfluxd;
  let db: Database;
  let fleet: Fleet;
  let ingest: IngestService;
  let dir: string;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startRestartableInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-spool-full-'));
    ({ db, fleet } = await openFleetRegistry('full', 2));
    ingest = await startIngest({
      mqtt: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: 'linkwell' },
      writer: { retries: 1, minRetryDelayMs: 50 },
      registry: db,
      gatewayPublicKeyPem: fleet.keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      logger,
      metricsRegistry: metrics,
      spool: { maxBytes: SPOOL_BYTES, probeIntervalMs: 250 },
    });
  });

  afterAll(async () => {
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops acknowledging once the spool is full (outboxes grow), loses nothing and drains everything after influxd returns', async () => {
    const START = Date.UTC(2026, 10, 28, 6, 0, 0);
    const gws = await startGateways(fleet, { mqttUrl: ingest.mqttUrl, dir, start: START });
    const tick = setInterval(() => {
      for (const g of gws) g.clock.advance(1000);
    }, 100);
    const acked = () => gws.map((g) => g.gateway.stats().readingsAcked);
    const outbox = () => gws.map((g) => g.gateway.stats().outboxItems);
    try {
      await until('every gateway to get 10 readings acknowledged', () => acked().every((n) => n >= 10));
      await influx.pause();
      await until('the spool to refuse a batch', () => ingest.sinkStats().spool.full, 30_000);
      expect(ingest.sinkStats()).toMatchObject({
        influx: 'down',
        spool: { full: true, maxBytes: SPOOL_BYTES },
      });
      expect(ingest.sinkStats().spool.bytes).toBeLessThanOrEqual(SPOOL_BYTES);

      // Whatever slack was left below the bound is used up within a moment; after that nothing is acked.
      await sleep(2000);
      const ackedWhenFull = acked();
      const outboxWhenFull = outbox();
      const spoolWhenFull = ingest.sinkStats().spool;
      await sleep(3000);
      expect(acked()).toEqual(ackedWhenFull);
      // ~30 more readings per gateway were taken and wait in the outboxes.
      expect(outbox().every((n, i) => n >= outboxWhenFull[i]! + 15)).toBe(true);
      expect(ingest.sinkStats().spool).toMatchObject({ full: true, lines: spoolWhenFull.lines });
      expect(await metricValue(metrics, 'linkwell_ingest_spool_full_total')).toBeGreaterThan(0);

      await influx.resume();
      await until(
        'the spool to replay and the outboxes to drain',
        () => ingest.sinkStats().spool.batches === 0 && outbox().every((n) => n < 5),
        60_000,
      );
      expect(ingest.sinkStats().spool.full).toBe(false);
    } finally {
      clearInterval(tick);
    }
    try {
      await until('every outbox to drain', () =>
        gws.every((g) => {
          const s = g.gateway.stats();
          return s.outboxItems === 0 && s.readingsAcked === s.readingsTaken;
        }),
      );
    } finally {
      for (const g of gws) await g.close();
    }

    const spooled = await metricValue(metrics, 'linkwell_ingest_spooled_lines_total');
    expect(spooled).toBeGreaterThan(0);
    expect(await metricValue(metrics, 'linkwell_ingest_replayed_lines_total')).toBe(spooled);
    expect(await metricValue(metrics, 'linkwell_ingest_dead_letters_total')).toBe(0);
    for (const g of gws) {
      const sent = sentPoints(g);
      expect(g.gateway.stats()).toMatchObject({ readingsRefused: 0, readingsAcked: sent.length });
      const stored = await storedHeartRate(influx.url, g.account);
      expect(stored.rows).toBe(sent.length);
      expect([...stored.byTime.entries()].sort((a, b) => a[0] - b[0])).toEqual(sent);
    }
  }, 120_000);
});
