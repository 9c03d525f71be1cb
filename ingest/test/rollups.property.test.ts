import { addPiece, emptyStats, HOUR_MS, pieceFromRow } from '@linkwell/firmware-protocol';
import { startInfluxd } from '@linkwell/tests/harness';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInfluxWriter, type PointWriter } from '../src/influx/writer.js';
import { InfluxQl } from '../src/rollups/influxql.js';
import { ROLLED_BY_MEASUREMENT } from '../src/rollups/layout.js';
import { RowSink, recomputeGroup, workForHours } from '../src/rollups/recompute.js';
import { expectSameSummary, hrLine, rawStats } from './rollups-fixtures.js';

const DB = 'rollprop';
const T0 = Date.UTC(2026, 0, 10);
const HR = ROLLED_BY_MEASUREMENT.get('heart_rate')!;

describe('1h rollups against raw points (property, real influxd)', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let writer: PointWriter;
  let ql: InfluxQl;

  beforeAll(async () => {
    influx = await startInfluxd({ database: DB });
    writer = await createInfluxWriter({ url: influx.url, database: DB });
    ql = new InfluxQl({ url: influx.url, database: DB });
  });
  afterAll(() => influx?.stop());

  it('merging the 1h rows of any hour-aligned range gives the raw statistics of that range', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(
          fc.record({
            device: fc.constantFrom('d1', 'd2'),
            // Up to 3 days, at ms resolution, so points fall anywhere in their hours.
            at: fc.integer({ min: 0, max: 72 * HOUR_MS - 1 }),
            // Few distinct values, with fractions: histogram counts above 1 and float sums.
            bpm: fc.constantFrom(48, 60.5, 61, 72.25, 99, 150.125),
          }),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 0, max: 71 }),
        fc.integer({ min: 1, max: 72 }),
        async (offsetH, points, fromH, spanH) => {
          const account = `acct_p${run++}`;
          const base = T0 + offsetH * HOUR_MS;
          await writer.write(points.map((p) => hrLine(account, p.device, p.bpm, base + p.at)));
          const hours = [...new Set(points.map((p) => Math.floor((base + p.at) / HOUR_MS) * HOUR_MS))];
          const sink = new RowSink(writer);
          await recomputeGroup({ ql, sink }, workForHours(account, HR, hours, [{ zone: 'UTC', fromMs: 0 }]));
          await sink.flush();

          const from = base + fromH * HOUR_MS;
          const to = Math.min(from + spanH * HOUR_MS, base + 72 * HOUR_MS);
          const raw = await rawStats(ql, 'heart_rate', 'bpm', account, from, to);
          const rows = await ql.one(
            `SELECT * FROM "heart_rate_rollup_1h" WHERE "account" = '${account}' AND time >= ${from}ms AND time < ${to}ms GROUP BY "device"`,
          );
          const merged = new Map<string, ReturnType<typeof emptyStats>>();
          for (const s of rows) {
            const st = emptyStats();
            const ti = s.columns.indexOf('time');
            for (const v of s.values) {
              const t = Number(v[ti]);
              const p = pieceFromRow(
                'bpm',
                Object.fromEntries(s.columns.map((c, i) => [c, v[i]])),
                t,
                t + HOUR_MS,
              );
              if (p) addPiece(st, p);
            }
            merged.set(s.tags?.device ?? '', st);
          }
          expect([...merged.keys()].sort()).toEqual([...raw.keys()].sort());
          for (const [device, st] of raw) expectSameSummary(merged.get(device), st, `${account} ${device}`);
        },
      ),
      { numRuns: 30 },
    );
  });
});
