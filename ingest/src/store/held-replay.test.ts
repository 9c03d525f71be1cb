import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrate, openPglite, seedDemoHome } from '@linkwell/api';
import { readingId } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngestMetrics } from '../metrics.js';
import { createRegistryReadModel, type RegistryReadModel } from '../registry/read-model.js';
import { readDeadLetters } from './dead-letters.js';
import { HeldReplayer } from './held-replay.js';
import { type FileQuarantine, openFileQuarantine, type QuarantineEntry } from './quarantine.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const BAND = 'E1:00:00:00:00:01';
const SCALE = 'D0:00:00:00:00:03'; // the demo scale: slot 1 assigned, slot 2 not

function heldReading(
  device: string,
  t: number,
  receivedAt: number,
  slot: number | null = null,
): QuarantineEntry {
  const raw = '0648';
  return {
    kind: 'held',
    code: slot === null ? 'INGEST_ERR_UNKNOWN_DEVICE' : 'INGEST_ERR_UNASSIGNED_SLOT',
    message: 'not attributable yet',
    gw: 'gw_demo',
    topic: 'lw/v1/gw/gw_demo/readings',
    receivedAt,
    reading: {
      id: readingId({ gw: 'gw_demo', device, slot, metric: 'heart_rate', at: t, raw }),
      device,
      slot,
      metric: 'heart_rate',
      char: '2a37',
      t,
      rt: t,
      time_source: 'gateway',
      values: { bpm: 60 + t / 1000 },
      quality: [],
      raw,
      parser: 'fp/0.1.0',
    },
  };
}

describe('held readings replay', () => {
  let db: Database;
  let dir: string;
  let q: FileQuarantine;
  let model: RegistryReadModel;
  let metrics: ReturnType<typeof createIngestMetrics>;
  let written: string[][];
  let sinkDown: boolean;
  let events: { gw: string; event: Record<string, unknown> }[];
  let now: number;

  const replayer = (expiryMs = 30 * DAY) =>
    new HeldReplayer({
      held: q.held,
      resolver: model,
      sink: {
        async add(lines) {
          if (sinkDown) throw Object.assign(new Error('spool full'), { code: 'INGEST_ERR_SPOOL_FULL' });
          written.push(lines);
        },
      },
      deadLetters: q.deadLetters,
      metrics,
      logger: pino({ level: 'silent' }),
      notify: (gw, event) => events.push({ gw, event }),
      now: () => now,
      expiryMs,
      batchLines: 2,
    });

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-replay-'));
    q = await openFileQuarantine(dir);
    model = createRegistryReadModel(db);
    metrics = createIngestMetrics(new Registry());
    written = [];
    sinkDown = false;
    events = [];
    now = NOW;
    await db.query(`DELETE FROM devices WHERE id = 'dev_r1'`);
    await db.query(`DELETE FROM device_assignments WHERE device_id = 'dev_demo_scale' AND slot = 2`);
  });
  afterEach(async () => {
    await q.close();
    await rm(dir, { recursive: true, force: true });
  });

  const claimBand = async () => {
    await db.query(
      `INSERT INTO devices (id, household_id, address, kind) VALUES ('dev_r1', 'hh_demo', '${BAND}', 'wristband')`,
    );
    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_r1', NULL, 'acct_demo')`,
    );
    model.invalidate(['gw_demo']);
  };

  it('writes the held readings of a newly claimed wristband in batches, removes them and tells the gateway', async () => {
    await q.put([1, 2, 3].map((t) => heldReading(BAND, t * 1000, NOW - DAY)));
    const r = replayer();
    expect(await r.request(['gw_demo'])).toEqual({ replayed: 0, expired: 0, stillHeld: 3 });
    expect(q.held.stats().readings).toBe(3);

    await claimBand();
    expect(await r.request(['gw_demo'])).toEqual({ replayed: 3, expired: 0, stillHeld: 0 });
    expect(written).toEqual([
      [
        'heart_rate,account=acct_demo,device=dev_r1 bpm=61 1000',
        'heart_rate,account=acct_demo,device=dev_r1 bpm=62 2000',
      ],
      ['heart_rate,account=acct_demo,device=dev_r1 bpm=63 3000'],
    ]);
    expect(q.held.stats().readings).toBe(0);
    expect(await metrics.heldReplayed.get()).toMatchObject({ values: [{ value: 3 }] });
    expect(events.map((e) => [e.gw, e.event.type, (e.event.readings as string[]).length])).toEqual([
      ['gw_demo', 'ingest.held_readings_stored', 2],
      ['gw_demo', 'ingest.held_readings_stored', 1],
    ]);
  });

  it('keeps readings held while the sink refuses them, and writes them on the next pass', async () => {
    await claimBand();
    await q.put([heldReading(BAND, 5000, NOW)]);
    sinkDown = true;
    const r = replayer();
    expect(await r.request(null)).toEqual({ replayed: 0, expired: 0, stillHeld: 0 });
    expect(q.held.stats().readings).toBe(1);
    sinkDown = false;
    expect(await r.request(null)).toMatchObject({ replayed: 1 });
    expect(q.held.stats().readings).toBe(0);
  });

  it('holds a slot-2 scale reading until slot 2 is assigned', async () => {
    await q.put([heldReading(SCALE, 7000, NOW, 2)]);
    const r = replayer();
    expect(await r.request(['gw_demo'])).toMatchObject({ replayed: 0, stillHeld: 1 });
    await db.query(
      `INSERT INTO device_assignments (device_id, slot, account_id) VALUES ('dev_demo_scale', 2, 'acct_demo')`,
    );
    model.invalidate(['gw_demo']);
    expect(await r.request(['gw_demo'])).toMatchObject({ replayed: 1, stillHeld: 0 });
    expect(written).toEqual([['heart_rate,account=acct_demo,device=dev_demo_scale bpm=67,slot=2i 7000']]);
  });

  it('dead-letters readings held 30 days with INGEST_ERR_HELD_EXPIRED and keeps the younger one', async () => {
    await q.put([heldReading(BAND, 1000, NOW - 31 * DAY), heldReading(BAND, 2000, NOW - 29 * DAY)]);
    const r = replayer();
    expect(await r.request(null)).toEqual({ replayed: 0, expired: 1, stillHeld: 1 });
    const dead = await readDeadLetters(dir, { code: 'INGEST_ERR_HELD_EXPIRED' });
    expect(dead).toMatchObject([
      {
        kind: 'dead',
        gw: 'gw_demo',
        receivedAt: NOW - 31 * DAY,
        reading: { device: BAND, t: 1000 },
      },
    ]);
    expect(dead[0]!.message).toMatch(/^held since 2026-05-01T00:00:00.000Z \(INGEST_ERR_UNKNOWN_DEVICE: /);
    expect(q.held.items().map((i) => i.receivedAt)).toEqual([NOW - 29 * DAY]);
    expect(events).toMatchObject([
      { gw: 'gw_demo', event: { type: 'ingest.held_readings_expired', code: 'INGEST_ERR_HELD_EXPIRED' } },
    ]);
    expect(await metrics.heldExpired.get()).toMatchObject({ values: [{ value: 1 }] });
  });

  it('merges requests made during a pass into one more pass', async () => {
    await claimBand();
    await q.put([heldReading(BAND, 1000, NOW)]);
    const r = replayer();
    const first = r.request(['gw_a']);
    const second = r.request(['gw_demo']);
    const third = r.request(['gw_b']);
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(await first).toMatchObject({ replayed: 1 });
    expect(written).toHaveLength(1);
  });
});
