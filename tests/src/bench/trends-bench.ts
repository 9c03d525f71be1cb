import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildApp, createTokenIssuer, generateSigningKeys, migrate, openPglite } from '@linkwell/api';
import { STORAGE_TAGS } from '@linkwell/firmware-protocol';
import { createInfluxWriter, InfluxQl, rebuild } from '@linkwell/ingest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startInfluxd } from '../harness/index.js';

export interface TrendsBenchOptions {
  people: number;
  days: number;
  /** Requests per window through the rollup path, and (fewer, it is slow) through the raw path. */
  samples: number;
  rawSamples: Record<WindowName, number>;
  outFile: string;
  log: (line: string) => void;
}

export type WindowName = '1d' | '7d' | '30d' | '365d';
const DAY = 86_400_000;
const MIN = 60_000;
const DB = 'bench_trends';
const ZONE = 'Asia/Shanghai';
// Asia/Shanghai has been UTC+8 without DST since 1991 (IANA tzdata), so local midnight is 16:00 UTC.
const LOCAL_MIDNIGHT_OFFSET = -8 * 3_600_000;

const WINDOWS: { name: WindowName; days: number; window: string }[] = [
  { name: '1d', days: 1, window: 'PT1H' },
  { name: '7d', days: 7, window: 'daily' },
  { name: '30d', days: 30, window: 'daily' },
  { name: '365d', days: 365, window: 'daily' },
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pad = (k: number) => String(k).padStart(3, '0');
const account = (k: number) => `bench_p${pad(k)}`;

/**
 * One person's year: a heart rate every minute (a random walk around a resting level that rises by day),
 * two blood-pressure readings and one weight a day. Yields line-protocol batches.
 */
function* personLines(k: number, fromMs: number, days: number, batch: number): Generator<string> {
  const rnd = mulberry32(k + 1);
  const acct = account(k);
  const { account: A, device: D } = STORAGE_TAGS;
  const hrTags = `heart_rate,${A}=${acct},${D}=band_p${pad(k)}`;
  const rest = 55 + (k % 20);
  let hr = rest;
  let lines: string[] = [];
  const total = days * 1440;
  for (let i = 0; i < total; i++) {
    const t = fromMs + i * MIN;
    const hourOfDay = Math.floor((t % DAY) / 3_600_000);
    const target = rest + (hourOfDay >= 0 && hourOfDay < 14 ? 20 : 0);
    hr += (target - hr) * 0.05 + (rnd() - 0.5) * 6;
    lines.push(`${hrTags} bpm=${Math.round(Math.min(190, Math.max(40, hr)))} ${t}`);
    if (i % 1440 === 0) {
      const day = Math.floor(i / 1440);
      for (const h of [0, 12]) {
        const sys = Math.round(118 + (k % 25) + (rnd() - 0.5) * 16);
        const dia = Math.round(76 + (k % 12) + (rnd() - 0.5) * 10);
        lines.push(
          `blood_pressure,${A}=${acct},${D}=cuff_p${pad(k)} diastolic=${dia},pulse=${Math.round(rest + rnd() * 8)},systolic=${sys} ${t + h * 3_600_000 + 60_000}`,
        );
      }
      const kg = Math.round((60 + (k % 40) - day * 0.005 + (rnd() - 0.5)) * 10) / 10;
      lines.push(`body_weight,${A}=${acct},${D}=scale_p${pad(k)} weight=${kg} ${t + 30 * MIN}`);
    }
    if (lines.length >= batch) {
      yield lines.join('\n');
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n');
}

function percentile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! * 100) / 100;
}

/**
 * `npm run bench:trends` (docs/benchmarks.md "Trends"): a year of data for N people in a real influxd,
 * rollups built by ingest's rollup builder, then trend requests through the API over HTTP with a bearer
 * token, p50/p95 per range, against the same requests forced to raw data (`resolution=raw`), same run.
 */
export async function runTrendsBench(o: TrendsBenchOptions) {
  const influxd = await startInfluxd({ database: DB });
  const db = await openPglite();
  const end = Math.floor(Date.now() / DAY) * DAY + LOCAL_MIDNIGHT_OFFSET;
  const start = end - o.days * DAY;
  try {
    await migrate(db);
    for (let k = 1; k <= o.people; k++) {
      await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2)', [account(k), `Bench ${k}`]);
      await db.query(
        `INSERT INTO account_time_zones (account_id, time_zone, effective_from, created_at) VALUES ($1, $2, to_timestamp(0), now())`,
        [account(k), ZONE],
      );
    }

    // 1. Write the raw data straight to influxd, two requests in flight.
    const t0 = performance.now();
    let written = 0;
    let lastLog = t0;
    const post = async (body: string) => {
      const res = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, { method: 'POST', body });
      if (res.status !== 204) throw new Error(`influxd /write answered ${res.status}: ${await res.text()}`);
    };
    for (let k = 1; k <= o.people; k++) {
      const inflight: Promise<void>[] = [];
      for (const body of personLines(k, start, o.days, 10_000)) {
        inflight.push(post(body));
        written += body.split('\n').length;
        if (inflight.length >= 2) await inflight.shift();
      }
      await Promise.all(inflight);
      if (performance.now() - lastLog > 10_000 || k === o.people) {
        lastLog = performance.now();
        const s = (lastLog - t0) / 1000;
        o.log(
          `wrote ${k}/${o.people} people, ${written.toLocaleString('en')} points, ${Math.round(written / s).toLocaleString('en')} points/s`,
        );
      }
    }
    const writeS = (performance.now() - t0) / 1000;

    // 2. Build the rollups with ingest's own builder (the first build the worker runs).
    o.log('building rollups (ingest rebuild)…');
    const writer = await createInfluxWriter({ url: influxd.url, database: DB });
    const t1 = performance.now();
    const built = await rebuild({
      ql: new InfluxQl({ url: influxd.url, database: DB }),
      writer,
      db,
      logger: pino({ level: 'info' }, pino.destination(2)),
    });
    const rebuildS = (performance.now() - t1) / 1000;
    o.log(
      `rollups: ${built.rows['1h']} hourly and ${built.rows['1d']} daily rows in ${rebuildS.toFixed(1)} s`,
    );

    // 3. The API on a loopback port, queried over HTTP with bearer tokens.
    const keys = generateSigningKeys();
    const app = buildApp({
      db,
      keys,
      influx: { url: influxd.url, database: DB },
      metrics: new Registry(),
      logger: false,
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const tokens = createTokenIssuer(keys);
    const tokenOf = new Map<number, string>();
    const tokenFor = (k: number) => {
      if (!tokenOf.has(k)) tokenOf.set(k, tokens.userToken(account(k)));
      return tokenOf.get(k)!;
    };
    const rnd = mulberry32(4242);
    const ask = async (k: number, path: string) => {
      const begin = performance.now();
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokenFor(k)}` } });
      const body = (await res.json()) as {
        windows?: unknown[];
        series_stores?: Record<string, string[]>;
        code?: string;
      };
      const ms = performance.now() - begin;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status} ${body.code}`);
      return { ms, body };
    };
    const pathFor = (metric: string, w: (typeof WINDOWS)[number], raw: boolean) =>
      `/v1/trends/${metric}?from=${new Date(end - w.days * DAY).toISOString()}&to=${new Date(end).toISOString()}&window=${w.window}${raw ? '&resolution=raw' : ''}`;

    const windows: Record<string, unknown> = {};
    const agree: Record<string, boolean> = {};
    for (const w of WINDOWS) {
      const person = () => 1 + Math.floor(rnd() * o.people);
      // The two paths must give the same numbers (the API's rollup-vs-raw tests check this on random data).
      const a = await ask(1, pathFor('heart_rate', w, false));
      const b = await ask(1, pathFor('heart_rate', w, true));
      agree[w.name] = sameNumbers(a.body.windows, b.body.windows);
      for (let i = 0; i < 5; i++) await ask(person(), pathFor('heart_rate', w, false));
      const fast: number[] = [];
      const raw: number[] = [];
      let stores: string[] = [];
      for (let i = 0; i < o.samples; i++) {
        const r = await ask(person(), pathFor('heart_rate', w, false));
        fast.push(r.ms);
        // The band's series; the cuff's pulse (also part of the heart-rate trend) is always read raw.
        stores = r.body.series_stores?.['heart_rate.bpm'] ?? [];
        if (i < o.rawSamples[w.name]) raw.push((await ask(person(), pathFor('heart_rate', w, true))).ms);
      }
      const row = {
        window: w.window,
        range_days: w.days,
        samples: fast.length,
        raw_samples: raw.length,
        stores,
        p50_ms: percentile(fast, 0.5),
        p95_ms: percentile(fast, 0.95),
        raw_p50_ms: percentile(raw, 0.5),
        raw_p95_ms: percentile(raw, 0.95),
        speedup_p50: Math.round((percentile(raw, 0.5) / percentile(fast, 0.5)) * 10) / 10,
        rollups_equal_raw: agree[w.name],
      };
      windows[w.name] = row;
      o.log(
        `heart_rate ${w.name} (${w.window}): p50 ${row.p50_ms} ms, p95 ${row.p95_ms} ms; raw p50 ${row.raw_p50_ms} ms, p95 ${row.raw_p95_ms} ms; ×${row.speedup_p50}; equal to raw: ${row.rollups_equal_raw}`,
      );
    }
    // Spot metrics are read raw at any range (a year is 730 blood-pressure readings); measured for the record.
    const spot: Record<string, unknown> = {};
    for (const metric of ['blood_pressure', 'body_weight']) {
      const w = WINDOWS[3]!;
      const ms: number[] = [];
      for (let i = 0; i < Math.min(50, o.samples); i++)
        ms.push((await ask(1 + Math.floor(rnd() * o.people), pathFor(metric, w, false))).ms);
      spot[metric] = {
        window: w.window,
        range_days: w.days,
        samples: ms.length,
        p50_ms: percentile(ms, 0.5),
        p95_ms: percentile(ms, 0.95),
      };
      o.log(`${metric} 365d daily: p50 ${percentile(ms, 0.5)} ms, p95 ${percentile(ms, 0.95)} ms`);
    }
    await app.close();

    const worstP95 = Math.max(...Object.values(windows).map((r) => (r as { p95_ms: number }).p95_ms));
    const result = {
      bench: 'trends',
      generated_at: new Date().toISOString(),
      machine: {
        cpus: (await import('node:os')).cpus().length,
        node: process.version,
        influxd: influxd.version,
      },
      people: o.people,
      days: o.days,
      points: written,
      setup: {
        write_s: Math.round(writeS),
        write_points_per_s: Math.round(written / writeS),
        rebuild_s: Math.round(rebuildS),
        rollup_rows: built.rows,
      },
      windows,
      spot,
      target: { p95_ms_below: 50, met: worstP95 < 50 },
    };
    await mkdir(dirname(o.outFile), { recursive: true });
    await writeFile(o.outFile, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await db.close();
    await influxd.stop();
  }
}

/** Same windows with the same statistics (means within 1e-9 relative: float sums in another order). */
function sameNumbers(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameNumbers(x, b[i]));
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameNumbers(ka.join(), kb.join()) &&
      ka.every((k) => sameNumbers((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}
