import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTokenIssuer, type Database, DEMO_HOME, generateSigningKeys } from '@linkwell/api';
import { createSimulatedHome, ManualClock } from '@linkwell/device-sim';
import {
  connectMqttUplink,
  createGateway,
  DEFAULT_RECONNECT,
  type Gateway,
  type GatewayEventBus,
  type MqttUplink,
  type OutboxRefusal,
  type RetryPolicy,
} from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { freePort, influxQuery, startInfluxd } from '../../src/harness/index.js';
import { until } from '../../src/wait.js';

const silent = pino({ level: 'silent' });
const ADDRESSES = {
  wristband: DEMO_HOME.devices.wristband.address,
  bpCuff: DEMO_HOME.devices.bpCuff.address,
  scale: DEMO_HOME.devices.scale.address,
};
const FIXTURE = fileURLToPath(new URL('./fixtures/gateway-child.mjs', import.meta.url));

/** Heart-rate points stored in [from, to): epoch ms → bpm, plus the raw row count. */
async function storedHeartRate(url: string, from: number, to: number) {
  const body = (await influxQuery(
    url,
    `SELECT bpm FROM "linkwell"."autogen"."heart_rate" WHERE time >= ${from}ms AND time < ${to}ms`,
  )) as { results: { series?: { values: [string, number][] }[] }[] };
  const rows = body.results[0]?.series?.[0]?.values ?? [];
  const byTime = new Map<number, number>();
  for (const [t, bpm] of rows) byTime.set(Date.parse(t), bpm);
  return { rows: rows.length, byTime };
}

const nextState = (bus: GatewayEventBus, connected: boolean) =>
  new Promise<void>((resolve) => {
    const on = (s: { connected: boolean }) => {
      if (s.connected !== connected) return;
      bus.off('uplink.state', on);
      resolve();
    };
    bus.on('uplink.state', on);
  });

describe('durable store-and-forward: gateway → real ingest (Aedes) → real InfluxDB', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService | undefined;
  let ingestPort: number;
  let dir: string;
  const keys = generateSigningKeys();
  const token = createTokenIssuer(keys).gatewayToken(DEMO_HOME.gatewayId);

  const startIngestService = async () => {
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
      port: ingestPort,
    });
  };
  const stopIngestService = async () => {
    await ingest?.close();
    ingest = undefined;
  };
  const mqttUrl = () => `mqtt://127.0.0.1:${ingestPort}`;

  async function inProcessGateway(
    clock: ManualClock,
    seed: number,
    outbox: { maxItems?: number },
    reconnect: RetryPolicy = { initialMs: 100, maxMs: 400 },
  ) {
    const home = createSimulatedHome({ clock, seed, addresses: ADDRESSES });
    const uplink: MqttUplink = await connectMqttUplink({
      url: mqttUrl(),
      gatewayId: DEMO_HOME.gatewayId,
      token,
      version: 'durability',
      reconnect,
    });
    const gateway: Gateway = createGateway({
      id: DEMO_HOME.gatewayId,
      central: home.radio,
      uplink,
      logger: silent,
      now: () => clock.now(),
      batch: { maxReadings: 50, lingerMs: 5 },
      outbox: { dir: await mkdtemp(join(dir, 'outbox-')), ...outbox },
      publishRetry: { initialMs: 100, maxMs: 400 },
    });
    await gateway.start();
    const close = async () => {
      await gateway.stop();
      await uplink.close();
      home.home.dispose();
    };
    /** Simulated seconds, one at a time; each step waits until the readings are taken (or refused). */
    const advance = async (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        clock.advance(1000);
        await gateway.flush();
      }
    };
    return { home, gateway, uplink, close, advance };
  }

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-durability-'));
    db = await openDemoRegistry();
    ingestPort = await freePort();
    await startIngestService();
  });

  afterAll(async () => {
    await stopIngestService();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing and duplicates nothing when the broker is gone for 30 simulated seconds while the wristband streams', async () => {
    const START = Date.UTC(2026, 10, 24, 6, 0, 0);
    const clock = new ManualClock(START);
    const g = await inProcessGateway(clock, 11, {});
    try {
      await g.advance(10);
      expect(g.gateway.stats()).toMatchObject({ readingsAcked: 10, outboxItems: 0 });

      const down = nextState(g.gateway.bus, false);
      await stopIngestService();
      await down;
      await g.advance(30);
      // Taken (fsync'd) but not acknowledged: all 30 wait in the outbox.
      expect(g.gateway.stats()).toMatchObject({ readingsTaken: 40, readingsAcked: 10, outboxItems: 30 });

      const up = nextState(g.gateway.bus, true);
      await startIngestService();
      await up;
      await until('the outbox to drain', () => g.gateway.stats().outboxItems === 0);
      await g.advance(5);
      expect(g.gateway.stats()).toMatchObject({ readingsTaken: 45, readingsAcked: 45, readingsRefused: 0 });
    } finally {
      await g.close();
    }

    const sent = g.home.wristband.sent;
    expect(sent).toHaveLength(45);
    const stored = await storedHeartRate(influx.url, START, START + 3_600_000);
    expect(stored.rows).toBe(45);
    expect([...stored.byTime.entries()].sort((a, b) => a[0] - b[0])).toEqual(sent.map((s) => [s.at, s.bpm]));
  });

  it('loses nothing and duplicates nothing when the broker is gone for 30 wall-clock seconds, with backoff reconnects', async () => {
    const START = Date.UTC(2026, 10, 26, 6, 0, 0);
    const clock = new ManualClock(START);
    // The uplink's default start (0.5 s doubling), capped at 5 s so the test does not sit out a 30 s gap.
    const g = await inProcessGateway(clock, 13, {}, { ...DEFAULT_RECONNECT, maxMs: 5000 });
    // The band notifies once per real second, as on a real wrist.
    const tick = setInterval(() => clock.advance(1000), 1000);
    let downFor = 0;
    try {
      await until('the first acknowledged readings', () => g.gateway.stats().readingsAcked >= 3);
      const down = nextState(g.gateway.bus, false);
      await stopIngestService();
      await down;
      const downAt = Date.now();
      const sentAtDown = g.home.wristband.sent.length;
      await new Promise((r) => setTimeout(r, 30_000));
      // Everything the band sent while the broker was away is taken (fsync'd) and waits in the outbox; on
      // a loaded machine the last append may still be in its fsync, hence the short wait.
      const sentDuring = g.home.wristband.sent.length - sentAtDown;
      expect(sentDuring).toBeGreaterThanOrEqual(20);
      await until(
        'the outage’s readings in the outbox',
        () => g.gateway.stats().outboxItems >= sentDuring,
        5000,
      );
      const up = nextState(g.gateway.bus, true);
      await startIngestService();
      downFor = Date.now() - downAt;
      await up;
      await until('the outbox to drain', () => g.gateway.stats().outboxItems === 0);
    } finally {
      clearInterval(tick);
      await g.close();
    }
    expect(downFor).toBeGreaterThanOrEqual(30_000);
    expect(g.gateway.stats()).toMatchObject({ readingsRefused: 0, outboxItems: 0 });

    const sent = g.home.wristband.sent;
    expect(sent.length).toBeGreaterThanOrEqual(33);
    expect(g.gateway.stats().readingsAcked).toBe(sent.length);
    const stored = await storedHeartRate(influx.url, START, START + 3_600_000);
    expect(stored.rows).toBe(sent.length);
    expect([...stored.byTime.entries()].sort((a, b) => a[0] - b[0])).toEqual(sent.map((s) => [s.at, s.bpm]));
  }, 120_000);

  it('at its bound refuses new readings (counted, announced, logged), keeps every taken one and resumes', async () => {
    const START = Date.UTC(2026, 10, 25, 6, 0, 0);
    const clock = new ManualClock(START);
    const g = await inProcessGateway(clock, 12, { maxItems: 20 });
    const full: OutboxRefusal[] = [];
    g.gateway.bus.on('outbox.full', (e) => full.push(e));
    try {
      await g.advance(5);
      const down = nextState(g.gateway.bus, false);
      await stopIngestService();
      await down;
      await g.advance(40);
      expect(g.gateway.stats()).toMatchObject({
        readingsTaken: 25,
        readingsRefused: 20,
        readingsAcked: 5,
        outboxItems: 20,
      });
      expect(full.every((e) => e.code === 'GATEWAY_ERR_OUTBOX_FULL' && e.maxItems === 20)).toBe(true);
      expect(full.at(-1)?.total).toBe(20);

      const up = nextState(g.gateway.bus, true);
      await startIngestService();
      await up;
      await until('the outbox to drain', () => g.gateway.stats().outboxItems === 0);
      await g.advance(5);
      expect(g.gateway.stats()).toMatchObject({ readingsTaken: 30, readingsRefused: 20, readingsAcked: 30 });
    } finally {
      await g.close();
    }

    const sent = g.home.wristband.sent;
    expect(sent).toHaveLength(50);
    // The newest readings were refused (the 26th to the 45th); nothing already taken was evicted.
    const refusedTimes = full.flatMap((e) => e.readings.map((r) => r.t));
    expect(refusedTimes).toEqual(sent.slice(25, 45).map((s) => s.at));
    const stored = await storedHeartRate(influx.url, START, START + 3_600_000);
    const kept = [...sent.slice(0, 25), ...sent.slice(45)];
    expect(stored.rows).toBe(30);
    expect([...stored.byTime.entries()].sort((a, b) => a[0] - b[0])).toEqual(kept.map((s) => [s.at, s.bpm]));
  });

  it('after kill -9 and a restart on the same outbox, every reading the killed process had taken is stored exactly once', async () => {
    const outboxDir = await mkdtemp(join(dir, 'outbox-kill-'));
    const from = Date.now();
    const exited = (p: ChildProcess) => new Promise((r) => p.once('exit', r));
    const run = (seed: number) => {
      const p = spawn(
        process.execPath,
        [FIXTURE, mqttUrl(), DEMO_HOME.gatewayId, token, outboxDir, String(seed), JSON.stringify(ADDRESSES)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const out = { text: '' };
      p.stdout!.on('data', (d: Buffer) => {
        out.text += d.toString();
      });
      return { p, out };
    };
    const parse = (text: string) => {
      const lines = text.split('\n').slice(0, -1);
      const taken = lines
        .filter((l) => l.startsWith('T '))
        .map((l) => {
          const [, seq, metric, t, values] = l.split(' ');
          return {
            seq: Number(seq),
            metric: metric!,
            t: Number(t),
            values: JSON.parse(values!) as Record<string, number>,
          };
        });
      const acked = new Set(
        lines.filter((l) => l.startsWith('A ')).flatMap((l) => l.slice(2).split(',').map(Number)),
      );
      return { taken, acked };
    };

    const first = run(21);
    try {
      await until('the first gateway to build a backlog', () => {
        const { taken, acked } = parse(first.out.text);
        return taken.length >= 150 && acked.size > 0 && taken.filter((x) => !acked.has(x.seq)).length >= 10;
      });
    } finally {
      first.p.kill('SIGKILL');
    }
    await exited(first.p);
    const before = parse(first.out.text);
    const taken = before.taken.filter((x) => x.metric === 'heart_rate');
    const unacked = taken.filter((x) => !before.acked.has(x.seq));
    expect(unacked.length).toBeGreaterThanOrEqual(10);

    const second = run(22);
    try {
      await until('the restarted gateway to deliver the first one’s backlog', async () => {
        const stored = await storedHeartRate(influx.url, from, Date.now() + 60_000);
        return taken.every((x) => stored.byTime.has(x.t));
      });
    } finally {
      second.p.kill('SIGTERM');
    }
    await exited(second.p);

    const last = Math.max(...taken.map((x) => x.t));
    const stored = await storedHeartRate(influx.url, from, last + 1);
    const secondTaken = parse(second.out.text).taken.filter((x) => x.metric === 'heart_rate');
    // Only the first process's readings fall in [from, last]; the restarted one's wall clock is later.
    expect(secondTaken.every((x) => x.t > last)).toBe(true);
    expect(stored.rows).toBe(taken.length);
    expect([...stored.byTime.entries()].sort((a, b) => a[0] - b[0])).toEqual(
      taken.map((x) => [x.t, x.values.bpm]).sort((a, b) => a[0]! - b[0]!),
    );
  });
});
