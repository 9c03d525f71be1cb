import { civilDays, HOUR_MS, ROLLUP_JOURNAL, STORAGE_TAGS } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { influxIdent, influxString } from '../influx/point-query.js';
import type { PointWriter } from '../influx/writer.js';
import type { IngestMetrics } from '../metrics.js';
import { type Claim, claimFor } from '../moves/claim.js';
import type { SqlClient } from '../registry/resolver.js';
import { codeOf } from './errors.js';
import { eachLimited, extents } from './extent.js';
import type { InfluxQl } from './influxql.js';
import { ROLLED, ROLLED_BY_MEASUREMENT } from './layout.js';
import { rebuild } from './rebuild.js';
import { type GroupWork, RowSink, recomputeGroup, workForHours } from './recompute.js';
import {
  accountTags,
  advanceCursor,
  ensureState,
  finishRequest,
  openRequests,
  readState,
  zonesOf,
} from './registry.js';

export interface RollupWorkerOptions {
  /** Pause between cycles. Default 5000 ms. */
  intervalMs?: number;
  /**
   * How far behind now the cursor stays. Must exceed the writer's timeout (plus clock skew between ingest
   * nodes): a journal point stamped T is in InfluxDB by T + timeout. Default 60 000 ms.
   */
  lagMs?: number;
  /** Journal span one cycle applies at most, so a long outage is worked off in steps. Default 1 h. */
  maxSpanMs?: number;
  /** Parallel (account, measurement) groups. Default 3. */
  concurrency?: number;
  /** How often journal points older than cursor − 1 h are deleted. Default 10 min. */
  journalCleanupMs?: number;
  now?: () => number;
}

export interface RollupWorkerDeps {
  ql: InfluxQl;
  writer: PointWriter;
  db: SqlClient;
  logger: Logger;
  metrics?: Pick<IngestMetrics, 'rollupRows' | 'rollupLagSeconds' | 'rollupCycles' | 'rollupFailures'>;
  /** One active worker per cluster; defaults to the move executor's advisory-lock claim. */
  claim?: Claim;
}

export type CycleOutcome = 'done' | 'skipped' | 'failed';

export interface RollupWorkerStats {
  cursorMs: number | null;
  built: boolean;
  lastCycleAt: number | null;
  lastOutcome: CycleOutcome | null;
  lastError: string | null;
}

const CLAIM_KEY = 'rollup-worker:main';
// A zone change can move the civil day around `from_ms` by up to a day either way (max day length 25 h).
const ZONE_CHANGE_MARGIN_MS = 48 * HOUR_MS;
const DAY_MARGIN_MS = 30 * HOUR_MS;

/**
 * The rollup worker (docs/rollups.md): each cycle, on the one node holding the claim, it builds rollups once,
 * redoes civil days after time-zone changes, applies the journal up to now − lag, and only then moves the
 * cursor. A failed cycle leaves the cursor where it was; the next one redoes the same work (every step is
 * a recomputation from raw, so repeating it is harmless).
 */
export class RollupWorker {
  private readonly o: Required<Omit<RollupWorkerOptions, 'now'>> & { now: () => number };
  private readonly claim: Claim;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CycleOutcome> | undefined;
  private closed = false;
  private lastCleanup = 0;
  private readonly st: RollupWorkerStats = {
    cursorMs: null,
    built: false,
    lastCycleAt: null,
    lastOutcome: null,
    lastError: null,
  };

  constructor(
    private readonly deps: RollupWorkerDeps,
    opts: RollupWorkerOptions = {},
  ) {
    this.o = {
      intervalMs: opts.intervalMs ?? 5000,
      lagMs: opts.lagMs ?? 60_000,
      maxSpanMs: opts.maxSpanMs ?? HOUR_MS,
      concurrency: opts.concurrency ?? 3,
      journalCleanupMs: opts.journalCleanupMs ?? 600_000,
      now: opts.now ?? Date.now,
    };
    this.claim = deps.claim ?? claimFor(deps.db);
  }

  start(): void {
    const loop = () => {
      if (this.closed) return;
      void this.cycle().finally(() => {
        if (this.closed) return;
        this.timer = setTimeout(loop, this.o.intervalMs);
        this.timer.unref();
      });
    };
    loop();
  }

  stats(): RollupWorkerStats & { lagSeconds: number | null } {
    const c = this.st.cursorMs;
    return { ...this.st, lagSeconds: c === null ? null : Math.round((this.o.now() - c) / 1000) };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One cycle; never rejects. Runs merged with a cycle already running. */
  cycle(): Promise<CycleOutcome> {
    this.running ??= this.runCycle().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runCycle(): Promise<CycleOutcome> {
    let outcome: CycleOutcome;
    try {
      outcome = (await this.claim(CLAIM_KEY, () => this.work())) === undefined ? 'skipped' : 'done';
      this.st.lastError = null;
    } catch (err) {
      outcome = 'failed';
      const code = codeOf(err, 'INGEST_ERR_ROLLUP_QUERY');
      this.st.lastError = code;
      this.deps.metrics?.rollupFailures.inc({ code });
      this.deps.logger.warn(
        { code, err: (err as Error).message },
        'rollup cycle failed; the cursor stays and the next cycle retries',
      );
    }
    this.st.lastOutcome = outcome;
    this.st.lastCycleAt = this.o.now();
    this.deps.metrics?.rollupCycles.inc({ outcome });
    return outcome;
  }

  private async work(): Promise<true> {
    const { db, ql } = this.deps;
    let state = await ensureState(db, this.o.now() - this.o.lagMs);
    if (state.builtAt === null) {
      const r = await rebuild({
        ql,
        writer: this.deps.writer,
        db,
        logger: this.deps.logger,
        lagMs: this.o.lagMs,
        concurrency: this.o.concurrency,
        now: this.o.now,
      });
      this.countRows(r.rows);
      state = (await readState(db)) ?? state;
    }
    this.st.built = true;
    this.st.cursorMs = state.cursorMs;
    await this.zoneRequests();
    const from = state.cursorMs;
    const to = Math.min(this.o.now() - this.o.lagMs, from + this.o.maxSpanMs);
    if (to > from) {
      await this.apply(await this.journal(from, to));
      await advanceCursor(db, from, to);
      this.st.cursorMs = to;
    }
    this.deps.metrics?.rollupLagSeconds.set((this.o.now() - this.st.cursorMs) / 1000);
    if (this.o.now() - this.lastCleanup >= this.o.journalCleanupMs) {
      // Points at or before the cursor are applied; an hour more stays for operators to look at.
      await ql.query([
        `DELETE FROM ${influxIdent(ROLLUP_JOURNAL.measurement)} WHERE time < ${this.st.cursorMs - HOUR_MS}ms`,
      ]);
      this.lastCleanup = this.o.now();
    }
    return true;
  }

  /** The (account, measurement) → hours the journal holds in (fromMs, toMs]. */
  private async journal(
    fromMs: number,
    toMs: number,
  ): Promise<Map<string, { account: string; m: string; hours: number[] }>> {
    const j = ROLLUP_JOURNAL;
    const series = await this.deps.ql.query([
      `SELECT DISTINCT(${influxIdent(j.hourField)}) FROM ${influxIdent(j.measurement)} WHERE time > ${fromMs}ms AND time <= ${toMs}ms GROUP BY ${influxIdent(j.tags.account)}, ${influxIdent(j.tags.measurement)}`,
    ]);
    const out = new Map<string, { account: string; m: string; hours: number[] }>();
    for (const s of series[0] ?? []) {
      const account = s.tags?.[j.tags.account] ?? '';
      const m = s.tags?.[j.tags.measurement] ?? '';
      if (!account || !ROLLED_BY_MEASUREMENT.has(m)) continue;
      const hours = s.values
        .map((v) => Number(v[1]))
        .filter((h) => Number.isSafeInteger(h) && h % HOUR_MS === 0);
      out.set(`${m}\n${account}`, { account, m, hours });
    }
    return out;
  }

  private async apply(groups: Map<string, { account: string; m: string; hours: number[] }>): Promise<void> {
    if (groups.size === 0) return;
    const zones = await zonesOf(this.deps.db, [...new Set([...groups.values()].map((g) => g.account))]);
    const work: GroupWork[] = [...groups.values()].map((g) =>
      workForHours(g.account, ROLLED_BY_MEASUREMENT.get(g.m)!, g.hours, zones.get(g.account)!),
    );
    await this.recompute(work);
  }

  private async recompute(work: readonly GroupWork[]): Promise<void> {
    const sink = new RowSink(this.deps.writer);
    await eachLimited(work, this.o.concurrency, (w) => recomputeGroup({ ql: this.deps.ql, sink }, w));
    await sink.flush();
    this.countRows(sink.rows);
  }

  /**
   * Time-zone changes (rollup_requests): the account's 1d rows from a margin before `from_ms` are deleted
   * and recomputed in the zones now recorded, for each of its account tags.
   */
  private async zoneRequests(): Promise<void> {
    const { db, ql } = this.deps;
    for (const req of await openRequests(db)) {
      const tags = await accountTags(db, req.accountId);
      const zones = await zonesOf(db, tags);
      const from = req.fromMs - ZONE_CHANGE_MARGIN_MS;
      const work: GroupWork[] = [];
      for (const tag of tags) {
        for (const rolled of ROLLED) {
          await ql.query([
            `DELETE FROM ${influxIdent(rolled.table['1d'])} WHERE ${influxIdent(STORAGE_TAGS.account)} = ${influxString(tag)} AND time >= ${from}ms`,
          ]);
          const e = (await extents(ql, rolled, tag)).get(tag);
          if (!e || e.last < from) continue;
          const days = civilDays(from - DAY_MARGIN_MS, e.last + DAY_MARGIN_MS, zones.get(tag)!).filter(
            (d) => d.startMs >= from && d.startMs <= e.last,
          );
          work.push({ account: tag, rolled, hours: [], days });
        }
      }
      await this.recompute(work);
      await finishRequest(db, req.id);
      this.deps.logger.info(
        { request: req.id, tags: tags.length },
        'rollup civil days recomputed after a zone change',
      );
    }
  }

  private countRows(rows: { '1h': number; '1d': number }): void {
    this.deps.metrics?.rollupRows.inc({ resolution: '1h' }, rows['1h']);
    this.deps.metrics?.rollupRows.inc({ resolution: '1d' }, rows['1d']);
  }
}

/** Rollups need InfluxQL DELETE, which only 1.x serves (the same test as PointQuery.supported). */
export function rollupsSupported(version: string): boolean {
  return /^v?1\./.test(version);
}
