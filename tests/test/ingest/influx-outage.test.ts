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
  type TestGateway,
} from './spool-gateways.js';

const OUTAGE_MS = 60_000;
// Ten simulated seconds per real second: each wristband sends ~10 readings/s, ~600 during the outage.
const TICK_MS = 100;

describe('InfluxDB outage: gateways → real ingest (spool) → real influxd stopped for 60 s', () => {
  let influx: RestartableInfluxd;
  let db: Database;
  let fleet: Fleet;
  let ingest: IngestService;
  let dir: string;
  const metrics = new Registry();

  beforeAll(async () => {
    influx = await startRestartableInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-influx-outage-'));
    ({ db, fleet } = await openFleetRegistry('outage', 3));
    ingest = await startIngest({
      mqtt: { host: '127.0.0.1', port: 0 },
      influx: { url: influx.url, database: 'linkwell' },
      writer: { retries: 2, minRetryDelayMs: 50 },
      registry: db,
      gatewayPublicKeyPem: fleet.keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      logger,
      metricsRegistry: metrics,
      spool: { probeIntervalMs: 250 },
    });
  });

  afterAll(async () => {
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps acknowledging from the spool for 60 s without InfluxDB, then replays: 0 readings lost, 0 duplicated', async () => {
    const START = Date.UTC(2026, 10, 27, 6, 0, 0);
    const gws: TestGateway[] = await startGateways(fleet, { mqttUrl: ingest.mqttUrl, dir, start: START });
    const tick = setInterval(() => {
      for (const g of gws) g.clock.advance(1000);
    }, TICK_MS);
    const acked = () => gws.map((g) => g.gateway.stats().readingsAcked);
    let ackedAtStop: number[] = [];
    let ackedAtRestart: number[] = [];
    let downFor = 0;
    let replayMs = 0;
    try {
      await until('every gateway to get 20 readings acknowledged', () => acked().every((n) => n >= 20));
      expect(ingest.sinkStats()).toMatchObject({ influx: 'up', spool: { batches: 0 } });

      const stoppedAt = Date.now();
      await influx.pause();
      ackedAtStop = acked();
      await until('ingest to notice InfluxDB is gone', () => ingest.sinkStats().influx === 'down', 10_000);

      // Mid-outage: acknowledgements keep coming (from the spool), the gateways' outboxes stay short.
      await sleep(OUTAGE_MS / 2 - (Date.now() - stoppedAt));
      const midway = acked();
      expect(midway.every((n, i) => n - ackedAtStop[i]! >= 100)).toBe(true);
      await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
      ackedAtRestart = acked();
      expect(ackedAtRestart.every((n, i) => n - midway[i]! >= 100)).toBe(true);
      expect(gws.every((g) => g.gateway.stats().outboxItems < 50)).toBe(true);
      const mid = ingest.sinkStats();
      expect(mid).toMatchObject({ influx: 'down', spool: { full: false } });
      expect(mid.spool.lines).toBeGreaterThanOrEqual(600);
      expect(await metricValue(metrics, 'linkwell_ingest_influx_up')).toBe(0);

      await influx.resume();
      downFor = Date.now() - stoppedAt;
      await until(
        'the spool to replay into the restarted influxd',
        () => ingest.sinkStats().influx === 'up' && ingest.sinkStats().spool.batches === 0,
        60_000,
      );
      replayMs = Date.now() - stoppedAt - downFor;
      await sleep(1000);
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

    expect(downFor).toBeGreaterThanOrEqual(OUTAGE_MS);
    const spooled = await metricValue(metrics, 'linkwell_ingest_spooled_lines_total');
    expect(spooled).toBeGreaterThanOrEqual(ackedWhileDown(ackedAtStop, ackedAtRestart));
    expect(await metricValue(metrics, 'linkwell_ingest_replayed_lines_total')).toBe(spooled);
    expect(await metricValue(metrics, 'linkwell_ingest_dead_letters_total')).toBe(0);
    expect(await metricValue(metrics, 'linkwell_ingest_spool_lines')).toBe(0);
    console.log(
      `influxd down ${downFor} ms; ${ackedWhileDown(ackedAtStop, ackedAtRestart)} readings acked meanwhile, ` +
        `${spooled} lines spooled; restart + replay took ${replayMs} ms`,
    );

    for (const g of gws) {
      const stats = g.gateway.stats();
      const sent = sentPoints(g);
      expect(stats).toMatchObject({ readingsRefused: 0, outboxItems: 0, readingsAcked: sent.length });
      const stored = await storedHeartRate(influx.url, g.account);
      // Per timestamp: every acknowledged reading is there once, with the value the band sent.
      expect(stored.rows).toBe(sent.length);
      expect([...stored.byTime.entries()].sort((a, b) => a[0] - b[0])).toEqual(sent);
    }
  }, 180_000);
});

/** Readings acknowledged while InfluxDB was stopped, summed over the gateways. */
function ackedWhileDown(atStop: number[], atRestart: number[]): number {
  return atRestart.reduce((s, n, i) => s + n - atStop[i]!, 0);
}
