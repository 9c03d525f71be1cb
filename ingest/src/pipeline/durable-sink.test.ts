import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestError, type IngestErrorCode } from '../errors.js';
import type { PointWriter, WriteCallOptions } from '../influx/writer.js';
import { createIngestMetrics } from '../metrics.js';
import { openSpool, type Spool } from '../spool/spool.js';
import type { QuarantineEntry } from '../store/quarantine.js';
import { DurableSink, type DurableSinkOptions } from './durable-sink.js';

type Mode = 'ok' | 'unreachable' | IngestErrorCode;

/** Records every write; `mode` (or `modeFor(lines)`) decides what InfluxDB "answers". */
function fakeInflux() {
  const writes: string[][] = [];
  const bodies: (Buffer | undefined)[] = [];
  const state = { mode: 'ok' as Mode, modeFor: undefined as ((lines: string[]) => Mode) | undefined };
  const writer: PointWriter = {
    version: '1.6.7',
    api: 'v1',
    async write(lines: string[], opts: WriteCallOptions = {}) {
      writes.push(lines);
      bodies.push(opts.body);
      const mode = state.modeFor?.(lines) ?? state.mode;
      if (mode === 'ok') return;
      if (mode === 'unreachable') {
        const error = new Error('connect ECONNREFUSED 127.0.0.1:1');
        opts.onAttemptFailed?.({ error, unreachable: true, attempt: 1 });
        throw new IngestError('INGEST_ERR_WRITE_FAILED', error.message);
      }
      throw new IngestError(mode, `answered for ${lines.length} lines`);
    },
  };
  return { writer, writes, bodies, state };
}

const lines = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => `m v=${from + i}i ${from + i}`);

describe('DurableSink', () => {
  let dir: string;
  let spool: Spool;
  let sink: DurableSink | undefined;
  let registry: Registry;
  let pingOk: boolean;
  let dead: QuarantineEntry[];

  const start = (
    influx: ReturnType<typeof fakeInflux>,
    opts: { maxLines?: number; outbox?: DurableSinkOptions['outbox'] } = {},
  ) => {
    sink = new DurableSink(influx.writer, spool, {
      maxLines: opts.maxLines ?? 100,
      lingerMs: 1,
      maxConcurrent: 2,
      replayMaxLines: 4,
      probe: async () => pingOk,
      probeIntervalMs: 10,
      deadLetter: async (e) => {
        dead.push(...e);
      },
      ...(opts.outbox ? { outbox: opts.outbox } : {}),
      metrics: createIngestMetrics(registry),
      logger: pino({ level: 'silent' }),
    });
    return sink;
  };
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(cond()).toBe(true);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-sink-'));
    spool = await openSpool(dir, { maxBytes: 64 * 1024 });
    registry = new Registry();
    pingOk = true;
    dead = [];
  });
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes straight to InfluxDB while it answers and leaves the spool empty', async () => {
    const influx = fakeInflux();
    const s = start(influx);
    await Promise.all([s.add(lines(0, 2)), s.add(lines(2, 1))]);
    expect(influx.writes).toEqual([lines(0, 3)]);
    expect(s.stats()).toMatchObject({ influx: 'up', spool: { batches: 0 } });
    expect(await metric('linkwell_ingest_influx_up')).toBe(1);
  });

  it('spools a batch InfluxDB cannot take, skips InfluxDB while it is down, and replays in order once /ping answers', async () => {
    const influx = fakeInflux();
    influx.state.mode = 'unreachable';
    pingOk = false;
    const s = start(influx);
    await s.add(lines(0, 3));
    expect(s.stats()).toMatchObject({ influx: 'down', spool: { batches: 1, lines: 3 } });
    expect(await metric('linkwell_ingest_influx_up')).toBe(0);

    await s.add(lines(3, 3));
    await s.add(lines(6, 3));
    // Circuit open: the two later batches never tried InfluxDB.
    expect(influx.writes).toHaveLength(1);
    expect(await metric('linkwell_ingest_spooled_lines_total')).toBe(9);
    expect(await metric('linkwell_ingest_spool_lines')).toBe(9);

    influx.state.mode = 'ok';
    pingOk = true;
    await until(() => s.stats().spool.batches === 0 && !s.stats().replaying);
    // Replay merges up to replayMaxLines (4) lines, never splitting a spooled batch.
    expect(influx.writes.slice(1)).toEqual([lines(0, 3), lines(3, 3), lines(6, 3)]);
    expect(await metric('linkwell_ingest_replayed_lines_total')).toBe(9);
    expect(await metric('linkwell_ingest_spool_lines')).toBe(0);
    expect(s.stats().influx).toBe('up');
  });

  it('stops a replay that fails half-way, keeps the rest spooled and resumes it on the next good probe', async () => {
    const influx = fakeInflux();
    influx.state.mode = 'unreachable';
    pingOk = false;
    const s = start(influx);
    for (let i = 0; i < 3; i++) await s.add(lines(i * 3, 3));
    let replayed = 0;
    influx.state.mode = 'ok';
    influx.state.modeFor = () => (++replayed === 2 ? 'unreachable' : 'ok');
    pingOk = true;
    await until(() => s.stats().spool.batches === 0);
    expect(influx.writes.slice(1)).toEqual([lines(0, 3), lines(3, 3), lines(3, 3), lines(6, 3)]);
  });

  it('rejects with INGEST_ERR_SPOOL_FULL when InfluxDB is down and the spool is at its bound', async () => {
    await spool.close();
    spool = await openSpool(dir, { maxBytes: 200 });
    const influx = fakeInflux();
    influx.state.mode = 'unreachable';
    pingOk = false;
    const s = start(influx);
    await s.add(lines(0, 3));
    await expect(s.add(lines(3, 20))).rejects.toMatchObject({ code: 'INGEST_ERR_SPOOL_FULL' });
    expect(s.stats().spool).toMatchObject({ full: true, lines: 3 });
    expect(await metric('linkwell_ingest_spool_full_total')).toBe(1);
  });

  it('dead-letters a batch InfluxDB refuses as bad lines (400) and acknowledges it instead of looping', async () => {
    const influx = fakeInflux();
    influx.state.mode = 'INGEST_ERR_LINES_REJECTED';
    const s = start(influx);
    await s.add(lines(0, 2));
    expect(influx.writes).toHaveLength(1);
    expect(dead).toEqual([
      expect.objectContaining({
        kind: 'dead',
        code: 'INGEST_ERR_LINES_REJECTED',
        payload: lines(0, 2).join('\n'),
      }),
    ]);
    expect(s.stats()).toMatchObject({ influx: 'up', spool: { batches: 0 } });
  });

  it('splits a batch refused as too large (413) until the halves fit, dead-lettering only a lone line still refused', async () => {
    const influx = fakeInflux();
    influx.state.modeFor = (l) =>
      l.length > 2 || l.includes(lines(4, 1)[0]!) ? 'INGEST_ERR_WRITE_TOO_LARGE' : 'ok';
    const s = start(influx);
    await s.add(lines(0, 6));
    const stored = influx.writes.filter((w) => w.length <= 2 && !w.includes(lines(4, 1)[0]!));
    expect(stored.flat()).toEqual([...lines(0, 4), ...lines(5, 1)]);
    expect(dead.map((d) => [d.code, d.payload])).toEqual([['INGEST_ERR_WRITE_TOO_LARGE', lines(4, 1)[0]]]);
  });

  it('spools on a setup problem (404, INGEST_ERR_WRITE_REJECTED) rather than dead-lettering good data', async () => {
    const influx = fakeInflux();
    influx.state.mode = 'INGEST_ERR_WRITE_REJECTED';
    pingOk = false;
    const s = start(influx);
    await s.add(lines(0, 2));
    expect(dead).toEqual([]);
    expect(s.stats()).toMatchObject({ influx: 'down', spool: { lines: 2 } });
  });

  it('close() flushes the open batch into the spool while InfluxDB is down; a new sink replays it', async () => {
    const influx = fakeInflux();
    influx.state.mode = 'unreachable';
    pingOk = false;
    const s = start(influx, { maxLines: 1000 });
    const pending = s.add(lines(0, 2));
    await s.close();
    await pending;
    sink = undefined;

    spool = await openSpool(dir, { maxBytes: 64 * 1024 });
    expect(spool.recovery.lines).toBe(2);
    const after = fakeInflux();
    pingOk = true;
    registry = new Registry();
    const s2 = start(after);
    await until(() => s2.stats().spool.batches === 0);
    expect(after.writes).toEqual([lines(0, 2)]);
  });

  describe('with the event outbox', () => {
    /** Records each row; `gate` holds rows back until released, `fail` refuses them. */
    const fakeOutbox = () => {
      const rows: { lines: readonly string[]; body: Buffer | undefined }[] = [];
      const ctl = { fail: false, gate: undefined as Promise<void> | undefined };
      const outbox = {
        async record(l: readonly string[], body?: Buffer) {
          rows.push({ lines: [...l], body });
          await ctl.gate;
          if (ctl.fail) throw new IngestError('INGEST_ERR_EVENTS_WRITE', 'events not recorded');
        },
      };
      return { outbox, rows, ctl };
    };

    it('commits one row per batch from the body InfluxDB is sent, and resolves only once both are done', async () => {
      const influx = fakeInflux();
      const ob = fakeOutbox();
      let release!: () => void;
      ob.ctl.gate = new Promise((r) => {
        release = r;
      });
      const s = start(influx, { outbox: ob.outbox });
      let settled = false;
      const done = Promise.all([s.add(lines(0, 2)), s.add(lines(2, 1))]).then(() => {
        settled = true;
      });
      await until(() => influx.writes.length === 1 && ob.rows.length === 1);
      await new Promise((r) => setTimeout(r, 20));
      expect(settled).toBe(false);
      release();
      await done;
      const body = Buffer.from(lines(0, 3).join('\n'));
      expect(ob.rows).toEqual([{ lines: lines(0, 3), body }]);
      // The very bytes, not a copy: encoded once for both.
      expect(influx.bodies[0]).toBe(ob.rows[0]!.body);
    });

    it('refuses the batch when its row fails, even though InfluxDB took it', async () => {
      const influx = fakeInflux();
      const ob = fakeOutbox();
      ob.ctl.fail = true;
      const s = start(influx, { outbox: ob.outbox });
      await expect(s.add(lines(0, 2))).rejects.toMatchObject({ code: 'INGEST_ERR_EVENTS_WRITE' });
      expect(influx.writes).toEqual([lines(0, 2)]);
    });

    it('commits the row of a spooled batch once: the replay writes InfluxDB only', async () => {
      const influx = fakeInflux();
      influx.state.mode = 'unreachable';
      pingOk = false;
      const ob = fakeOutbox();
      const s = start(influx, { outbox: ob.outbox });
      await s.add(lines(0, 3));
      expect(s.stats().spool.lines).toBe(3);
      influx.state.mode = 'ok';
      pingOk = true;
      await until(() => s.stats().spool.batches === 0 && !s.stats().replaying);
      expect(influx.writes.slice(1)).toEqual([lines(0, 3)]);
      expect(ob.rows.map((r) => r.lines)).toEqual([lines(0, 3)]);
    });
  });
});
