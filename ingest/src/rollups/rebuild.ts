import { HOUR_MS } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { influxIdent } from '../influx/point-query.js';
import type { PointWriter } from '../influx/writer.js';
import type { SqlClient } from '../registry/resolver.js';
import { eachLimited, extents } from './extent.js';
import type { InfluxQl } from './influxql.js';
import { floorHour, ROLLED, type RolledMeasurement } from './layout.js';
import { RowSink, recomputeGroup, workForHours } from './recompute.js';
import { finishBuild, startBuild, zonesOf } from './registry.js';

export interface RebuildDeps {
  /** InfluxQL access to the database the writer writes to. */
  ql: InfluxQl;
  /** Writes the rollup rows (the plain InfluxDB writer, not the spool: a failed write must fail the build). */
  writer: PointWriter;
  db: SqlClient;
  logger: Logger;
  /** The cursor starts at now − lag (default 60 s), as the worker's would. */
  lagMs?: number;
  /** Parallel (account, measurement) groups; InfluxDB 1.x on 2 cores gains little past 3. Default 3. */
  concurrency?: number;
  now?: () => number;
}

export interface RebuildResult {
  groups: number;
  rows: { '1h': number; '1d': number };
  ms: number;
}

/**
 * The first build (docs/rollups.md "First build"): marks rollups unbuilt with the cursor at now − lag (the
 * journal covers every write after that), drops the rollup measurements, recomputes every account tag's
 * rolled measurements over all stored data a week at a time, then sets built_at, from which on the API
 * uses rollups. Safe to run again: it starts over.
 */
export async function rebuild(deps: RebuildDeps): Promise<RebuildResult> {
  const now = deps.now ?? Date.now;
  const started = performance.now();
  const log = deps.logger;
  await startBuild(deps.db, now() - (deps.lagMs ?? 60_000));
  await deps.ql
    .query(
      ROLLED.flatMap((r) => [r.table['1h'], r.table['1d']]).map((t) => `DROP MEASUREMENT ${influxIdent(t)}`),
    )
    .catch((err: Error) => {
      // 1.x answers "measurement not found" for a measurement that was never written.
      if (!/measurement not found/.test(err.message)) throw err;
    });
  const groups: { account: string; rolled: RolledMeasurement; first: number; last: number }[] = [];
  for (const rolled of ROLLED)
    for (const [account, e] of await extents(deps.ql, rolled)) groups.push({ account, rolled, ...e });
  const zones = await zonesOf(deps.db, [...new Set(groups.map((g) => g.account))]);
  log.info({ groups: groups.length }, 'rollup build started');
  const sink = new RowSink(deps.writer);
  let done = 0;
  let lastLog = performance.now();
  await eachLimited(groups, deps.concurrency ?? 3, async (g) => {
    const hours: number[] = [];
    for (let h = floorHour(g.first); h <= g.last; h += HOUR_MS) hours.push(h);
    await recomputeGroup(
      { ql: deps.ql, sink },
      workForHours(g.account, g.rolled, hours, zones.get(g.account)!),
    );
    done++;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log.info({ done, groups: groups.length, rows: { ...sink.rows } }, 'rollup build progress');
    }
  });
  await sink.flush();
  await finishBuild(deps.db);
  const result = {
    groups: groups.length,
    rows: { ...sink.rows },
    ms: Math.round(performance.now() - started),
  };
  log.info(result, 'rollup build finished');
  return result;
}
