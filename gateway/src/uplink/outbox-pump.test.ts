import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReadingsEnvelope, type Reading, type ReadingsEnvelope } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayEventBus, type OutboxRefusal } from '../events.js';
import { DurableOutbox } from '../outbox/durable-outbox.js';
import { backoffDelay } from './backoff.js';
import type { Uplink } from './mqtt-uplink.js';
import { OutboxPump } from './outbox-pump.js';
import { createReadingTaker } from './reading-taker.js';

const silent = pino({ level: 'silent' });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lw-pump-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const reading = (n: number): Reading => ({
  id: n.toString(16).padStart(16, '0'),
  device: 'D0:00:00:00:00:01',
  slot: null,
  metric: 'heart_rate',
  char: '2a37',
  t: 1_000_000 + n,
  rt: 1_000_000 + n,
  time_source: 'gateway',
  values: { bpm: 60 + (n % 50) },
  quality: [],
  raw: '00',
  parser: 'test',
});
const readings = (from: number, n: number) => Array.from({ length: n }, (_, i) => reading(from + i));
const ids = (rs: readonly Reading[]) => rs.map((r) => r.id);

/**
 * The uplink port, scripted: each publish is answered by `answer` (resolve = PUBACK, reject = failure,
 * never settle = lost PUBACK). Every envelope is checked against the wire schema.
 */
function scriptedUplink(answer: (env: ReadingsEnvelope, n: number) => Promise<void> = async () => {}) {
  const attempts: ReadingsEnvelope[] = [];
  const acked: ReadingsEnvelope[] = [];
  const listeners: ((up: boolean) => void)[] = [];
  const state = { connected: true };
  const uplink: Uplink = {
    get connected() {
      return state.connected;
    },
    onConnectionChange: (l) => listeners.push(l),
    async publishReadings(env) {
      const parsed = parseReadingsEnvelope(JSON.stringify(env));
      attempts.push(parsed);
      await answer(parsed, attempts.length);
      acked.push(parsed);
    },
    async publishEvent() {},
    async close() {},
  };
  const setConnected = (up: boolean) => {
    state.connected = up;
    for (const l of listeners) l(up);
  };
  return { uplink, attempts, acked, setConnected };
}

async function rig(
  answer?: (env: ReadingsEnvelope, n: number) => Promise<void>,
  opts: { maxReadings?: number; ackTimeoutMs?: number; maxItems?: number; lingerMs?: number } = {},
) {
  const outbox = await DurableOutbox.open<Reading>({
    dir,
    ...(opts.maxItems ? { maxItems: opts.maxItems } : {}),
  });
  const bus = new GatewayEventBus();
  const up = scriptedUplink(answer);
  const pump = new OutboxPump({
    outbox,
    uplink: up.uplink,
    gatewayId: 'gw_test',
    bus,
    logger: silent,
    now: () => 42,
    maxReadings: opts.maxReadings ?? 5,
    lingerMs: opts.lingerMs ?? 60_000,
    retry: { initialMs: 5, maxMs: 20 },
    ...(opts.ackTimeoutMs ? { ackTimeoutMs: opts.ackTimeoutMs } : {}),
  });
  const failed: string[] = [];
  bus.on('envelope.failed', (e) => failed.push(e.code));
  return { outbox, bus, pump, failed, ...up };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

describe('OutboxPump', () => {
  it('sends 12 readings as envelopes of 5, 5 and 2, oldest first, and empties the outbox', async () => {
    const r = await rig();
    await r.outbox.append(readings(0, 12));
    await r.pump.flush();
    expect(r.acked.map((e) => e.readings.length)).toEqual([5, 5, 2]);
    expect(r.acked.flatMap((e) => ids(e.readings))).toEqual(ids(readings(0, 12)));
    expect(r.acked.map((e) => e.seq)).toEqual([1, 6, 11]);
    expect(r.outbox.size).toBe(0);
    await r.pump.stop();
    await r.outbox.close();
  });

  it('sends full envelopes at once and leaves a partial remainder for the linger', async () => {
    const r = await rig(undefined, { lingerMs: 60_000 });
    await r.outbox.append(readings(0, 12));
    r.pump.notify();
    await until(() => r.acked.length === 2);
    await new Promise((res) => setTimeout(res, 50));
    expect(r.acked.map((e) => e.readings.length)).toEqual([5, 5]);
    expect(r.pump.waiting).toBe(2);
    await r.pump.flush();
    expect(r.acked.map((e) => e.readings.length)).toEqual([5, 5, 2]);
    await r.pump.stop();
    await r.outbox.close();
  });

  it('keeps readings in the outbox until the PUBACK and removes them only then', async () => {
    let puback!: () => void;
    const r = await rig(() => new Promise<void>((res) => (puback = res)));
    await r.outbox.append(readings(0, 3));
    const flushed = r.pump.flush();
    await until(() => r.attempts.length === 1);
    expect(r.outbox.size).toBe(3);
    // A second outbox opened on the same directory (what a restart would see) still has all three.
    const peek = await DurableOutbox.open<Reading>({ dir });
    expect(ids(peek.take(10).map((x) => x.item))).toEqual(ids(readings(0, 3)));
    await peek.close();
    puback();
    await flushed;
    expect(r.outbox.size).toBe(0);
    await r.pump.stop();
    await r.outbox.close();
    const after = await DurableOutbox.open<Reading>({ dir });
    expect(after.size).toBe(0);
    await after.close();
  });

  it('releases the envelope on a failed publish and retries the same readings in order after a backoff', async () => {
    const r = await rig(
      async (_env, n) => {
        if (n <= 2) throw new Error('broker said no');
      },
      { lingerMs: 20 },
    );
    await r.outbox.append(readings(0, 7));
    r.pump.kick();
    await until(() => r.outbox.size === 0);
    expect(r.failed).toEqual(['GATEWAY_ERR_PUBLISH_FAILED', 'GATEWAY_ERR_PUBLISH_FAILED']);
    expect(r.attempts.map((e) => ids(e.readings))).toEqual([
      ids(readings(0, 5)),
      ids(readings(0, 5)),
      ids(readings(0, 5)),
      ids(readings(5, 2)),
    ]);
    await r.pump.stop();
    await r.outbox.close();
  });

  it('treats a publish without PUBACK within ackTimeoutMs as failed and sends the readings again', async () => {
    const r = await rig(
      async (_env, n) => {
        if (n === 1) await new Promise(() => {});
      },
      { ackTimeoutMs: 30 },
    );
    await r.outbox.append(readings(0, 2));
    r.pump.kick();
    await until(() => r.outbox.size === 0);
    expect(r.failed).toEqual(['GATEWAY_ERR_PUBLISH_FAILED']);
    expect(r.acked.map((e) => ids(e.readings))).toEqual([ids(readings(0, 2))]);
    await r.pump.stop();
    await r.outbox.close();
  });

  it('takes nothing while the uplink is down and sends everything when it comes back', async () => {
    const r = await rig(undefined, { lingerMs: 20 });
    r.setConnected(false);
    await r.outbox.append(readings(0, 6));
    await r.pump.flush();
    r.pump.notify();
    await new Promise((res) => setTimeout(res, 50));
    expect(r.attempts).toEqual([]);
    expect(r.pump.waiting).toBe(6);
    r.setConnected(true);
    await until(() => r.outbox.size === 0);
    expect(r.acked.flatMap((e) => ids(e.readings))).toEqual(ids(readings(0, 6)));
    await r.pump.stop();
    await r.outbox.close();
  });

  it('after a restart resends exactly the readings that never had a PUBACK', async () => {
    const first = await rig(
      async (_env, n) => {
        if (n > 2) throw new Error('link lost');
      },
      { maxReadings: 4 },
    );
    await first.outbox.append(readings(0, 11));
    await first.pump.flush();
    expect(first.acked.flatMap((e) => ids(e.readings))).toEqual(ids(readings(0, 8)));
    await first.pump.stop();
    await first.outbox.close();

    const second = await rig(undefined, { maxReadings: 4 });
    expect(second.outbox.size).toBe(3);
    await second.pump.flush();
    expect(second.acked.flatMap((e) => ids(e.readings))).toEqual(ids(readings(8, 3)));
    await second.pump.stop();
    await second.outbox.close();
  });
});

describe('reading taker (outbox bound policy)', () => {
  it('takes readings up to the bound, refuses the rest with GATEWAY_ERR_OUTBOX_FULL and never evicts', async () => {
    const r = await rig(undefined, { maxItems: 4 });
    const full: OutboxRefusal[] = [];
    r.bus.on('outbox.full', (e) => full.push(e));
    const taken: number[] = [];
    r.bus.on('reading.taken', (e) => taken.push(e.seq));
    const taker = createReadingTaker({ outbox: r.outbox, bus: r.bus, logger: silent, onTaken: () => {} });
    for (const x of readings(0, 6)) taker.take(x);
    await taker.settled();
    expect(taken).toEqual([1, 2, 3, 4]);
    expect(taker.refused).toBe(2);
    expect(full.flatMap((e) => e.readings.map((x) => x.id))).toEqual(ids(readings(4, 2)));
    expect(full.at(-1)).toMatchObject({ code: 'GATEWAY_ERR_OUTBOX_FULL', total: 2, items: 4, maxItems: 4 });
    // What was taken is intact and in order; after the broker acknowledges it there is room again.
    await r.pump.flush();
    expect(r.acked.flatMap((e) => ids(e.readings))).toEqual(ids(readings(0, 4)));
    taker.take(reading(9));
    await taker.settled();
    expect(taker.taken).toBe(5);
    expect(taker.refused).toBe(2);
    await r.pump.stop();
    await r.outbox.close();
  });
});

describe('backoffDelay', () => {
  it('doubles from initialMs, caps at maxMs and spreads by ±20 %', () => {
    const p = { initialMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(p, n, () => 0.5))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffDelay(p, 1, () => 0)).toBe(80);
    expect(backoffDelay(p, 5, () => 1)).toBe(1200);
  });
});
