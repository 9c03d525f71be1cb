import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  generateSigningKeys,
  migrate,
  openPglite,
  type TokenIssuer,
} from '@linkwell/api';
import {
  createInfluxWriter,
  InfluxQl,
  type PointWriter,
  RollupJournal,
  RollupWorker,
  rebuild,
} from '@linkwell/ingest';
import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import fc from 'fast-check';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 13 acceptance "rollups against raw": trends served from ingest's rollups (1h rows, civil-day rows,
 * raw edges and journal-marked hours) equal the same requests forced to raw points, over random ranges,
 * windows and zones, on a real influxd, with the rollups built and maintained by ingest's own code.
 */
const DB = 'trends_rollups';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Around the 2026 DST changes of New York (8 March) and Berlin (29 March).
const FROM = Date.UTC(2026, 2, 4);
const TO = Date.UTC(2026, 2, 31);
const logger = pino({ level: 'silent' });

type Json = Record<string, unknown>;

function sameNumbers(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))
      ? null
      : `${path}: ${a} ≠ ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = sameNumbers(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = sameNumbers((a as Json)[k], (b as Json)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Heart rate every 2–5 minutes with gaps, two bands for alice, cuff pulses for both. */
function history(seed: number): string[] {
  const r = rng(seed);
  const lines: string[] = [];
  for (const [account, band, everyMin] of [
    ['acct_alice', 'band_a', 2],
    ['acct_alice', 'band_b', 5],
    ['acct_bob', 'band_c', 3],
  ] as const) {
    let hr = 70;
    for (let t = FROM; t < TO; t += everyMin * MIN + Math.floor(r() * 20_000)) {
      // A six-hour gap every few days: windows with no data must stay empty on both paths.
      if (Math.floor(t / DAY) % 4 === 0 && (t % DAY) / HOUR < 6) continue;
      hr = Math.min(180, Math.max(45, hr + (r() - 0.5) * 8));
      // Integer and fractional values, and repeats, exercise the value histograms.
      const v = r() < 0.8 ? Math.round(hr) : Math.round(hr * 10) / 10;
      lines.push(`heart_rate,account=${account},device=${band} bpm=${v} ${t}`);
    }
    // Bob's band also takes spot pulses: one device feeding two series of the heart-rate trend.
    if (band === 'band_c')
      for (let d = FROM; d < TO; d += DAY)
        lines.push(
          `blood_pressure,account=${account},device=${band} pulse=${58 + Math.floor(r() * 9)} ${d + 20 * HOUR + 17 * MIN}`,
        );
    for (let d = FROM; d < TO; d += DAY)
      lines.push(
        `blood_pressure,account=${account},device=cuff_${account} diastolic=80,pulse=${60 + Math.floor(r() * 20)},systolic=125 ${d + 7 * HOUR + Math.floor(r() * HOUR)}`,
      );
  }
  return lines;
}

describe('trends from rollups equal trends from raw points', () => {
  let influxd: RunningInfluxd;
  let db: Database;
  let app: ApiApp;
  let tokens: TokenIssuer;
  let writer: PointWriter;
  let journaled: PointWriter;
  let ql: InfluxQl;
  const storesSeen = new Set<string>();

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    db = await openPglite();
    await migrate(db);
    for (const id of ['acct_alice', 'acct_bob'])
      await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $1)', [id]);
    // Alice lives in Berlin; Bob starts in Kolkata (UTC+5:30, days not on UTC hours) and moves to New York.
    await db.query(
      `INSERT INTO account_time_zones (account_id, time_zone, effective_from, created_at) VALUES
       ('acct_alice', 'Europe/Berlin', to_timestamp(0), now()),
       ('acct_bob', 'Asia/Kolkata', to_timestamp(0), now()),
       ('acct_bob', 'America/New_York', to_timestamp($1::double precision / 1000), now())`,
      [Date.UTC(2026, 2, 15, 9, 30)],
    );
    const target = { url: influxd.url, database: DB };
    writer = await createInfluxWriter(target);
    journaled = await createInfluxWriter(target, { journal: new RollupJournal('test-node') });
    ql = new InfluxQl(target);
    const lines = history(7);
    for (let i = 0; i < lines.length; i += 5000) await writer.write(lines.slice(i, i + 5000));
    await rebuild({ ql, writer, db, logger, lagMs: 1000 });
    const keys = generateSigningKeys();
    app = buildApp({ db, keys, influx: target, metrics: new Registry(), logger: false });
    await app.ready();
    tokens = createTokenIssuer(keys);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await influxd?.stop();
  });

  async function trend(account: string, query: string): Promise<Json> {
    const res = await app.inject({
      url: `/v1/trends/heart_rate?${query}`,
      headers: { authorization: `Bearer ${tokens.userToken(account)}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Json;
  }

  /** The stores that answered the band's heart-rate series (the cuff's pulse is always read raw). */
  async function expectSame(account: string, query: string): Promise<string[]> {
    const fast = await trend(account, query);
    const raw = await trend(account, `${query}&resolution=raw`);
    expect(raw.stores).toEqual(['raw']);
    const diff = sameNumbers(fast.windows, raw.windows);
    expect(diff, `${account} ${query}`).toBeNull();
    const bands = ((fast.series_stores as Record<string, string[]>)['heart_rate.bpm'] ?? []) as string[];
    for (const s of bands) storesSeen.add(s);
    return bands;
  }

  const query = fc.record({
    account: fc.constantFrom('acct_alice', 'acct_bob'),
    // Minutes from FROM; ranges up to 9 days.
    start: fc.integer({ min: 0, max: 26 * 1440 - 60 }),
    length: fc.integer({ min: 30, max: 9 * 1440 }),
    window: fc.constantFrom('PT1H', 'PT3H', 'P1D', 'P7D', 'daily', 'daily', 'PT15M'),
    zone: fc.constantFrom(undefined, undefined, 'UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/New_York'),
    merged: fc.boolean(),
    seconds: fc.integer({ min: 0, max: 59 }),
  });

  const toQuery = (q: {
    start: number;
    length: number;
    window: string;
    zone: string | undefined;
    merged: boolean;
    seconds: number;
  }) => {
    const from = FROM + q.start * MIN + q.seconds * 1000;
    const to = Math.min(TO + DAY, from + q.length * MIN);
    return [
      `from=${new Date(from).toISOString()}`,
      `to=${new Date(to).toISOString()}`,
      `window=${q.window}`,
      ...(q.window === 'daily' && q.zone ? [`time_zone=${q.zone}`] : []),
      ...(q.merged ? [] : ['merged=false']),
      'by_source=true',
    ].join('&');
  };

  it('agrees over random ranges, windows and zones (built rollups, nothing journaled)', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        await expectSame(q.account, toQuery(q));
      }),
      { numRuns: 40, seed: 20261207 },
    );
    // Whole civil days, whole hours and raw edges all took part; otherwise the property proves little.
    expect([...storesSeen].sort()).toEqual(['raw', 'rollup_1d', 'rollup_1h']);
  }, 300_000);

  it('agrees for whole civil days across both DST changes, read from 1d rows', async () => {
    for (const [account, zone, day, range] of [
      ['acct_alice', 'Europe/Berlin', '2026-03-29', 'from=2026-03-26T00:00:00Z&to=2026-03-30T23:00:00Z'],
      ['acct_bob', 'America/New_York', '2026-03-08', 'from=2026-03-05T00:00:00Z&to=2026-03-09T23:00:00Z'],
    ] as const) {
      const query = `${range}&window=daily&time_zone=${zone}`;
      const res = await trend(account, query);
      const dst = (res.windows as Json[]).find((w) => w.date === day);
      expect(dst, JSON.stringify((res.windows as Json[]).map((w) => [w.date, w.hours]))).toBeDefined();
      expect(dst!.hours).toBe(23);
      expect(await expectSame(account, query)).toContain(
        account === 'acct_alice' ? 'rollup_1d' : 'rollup_1h',
      );
    }
  });

  it('reads hours the journal marks as not rolled up from raw, and from rollups once the worker applied them', async () => {
    // A late upload into the past: in InfluxDB and the journal at once, not yet in any rollup.
    const late = Date.UTC(2026, 2, 10, 13, 5);
    await journaled.write([
      `heart_rate,account=acct_alice,device=band_late bpm=150 ${late}`,
      `heart_rate,account=acct_alice,device=band_late bpm=151 ${late + 2 * MIN}`,
    ]);
    const q = 'from=2026-03-09T23:00:00Z&to=2026-03-12T23:00:00Z&window=daily&merged=false';
    const before = await trend('acct_alice', q);
    expect(JSON.stringify(before.windows)).toContain('band_late');
    expect(await expectSame('acct_alice', q)).toContain('raw');
    // The hour's 1h row is still the old one: had the API trusted it, the late readings would be missing.
    const stale = await ql.one(
      `SELECT * FROM "heart_rate_rollup_1h" WHERE "account" = 'acct_alice' AND "device" = 'band_late'`,
    );
    expect(stale).toEqual([]);

    const worker = new RollupWorker({ ql, writer, db, logger }, { lagMs: 1, maxSpanMs: 30 * DAY });
    await new Promise((r) => setTimeout(r, 50));
    expect(await worker.cycle()).toBe('done');
    await worker.close();
    const after = await trend('acct_alice', q);
    const state = (await db.query('SELECT cursor_ms, built_at FROM rollup_state')).rows;
    const journal = await ql.one('SELECT * FROM "rollup_journal"');
    expect(
      (after.series_stores as Record<string, string[]>)['heart_rate.bpm'],
      JSON.stringify({ state, journal }),
    ).toEqual(['rollup_1d']);
    expect(sameNumbers(after.windows, before.windows)).toBeNull();
    expect(await expectSame('acct_alice', q)).not.toContain('raw');
  });
});
