import { META_FIELDS, type Reading } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { MANUAL_FILE, MANUAL_REASSIGN } from '../attribution/attribution.js';
import { BASELINE_METRIC } from '../attribution/baselines.js';
import { IngestError } from '../errors.js';
import { insertEventRows, moveEventRows, type OutboxEvent } from '../events/reading-events.js';
import type { PointFields, PointKey } from '../influx/point-query.js';
import { fieldsLine, toLine } from '../influx/points.js';
import type { IngestMetrics } from '../metrics.js';
import type { SqlClient } from '../registry/resolver.js';
import type { JournalKey } from '../rollups/journal.js';
import type { Claim } from './claim.js';

/** The channel the API notifies (payload: the household id) when it inserts a reading_moves row. */
export const MOVES_CHANNEL = 'linkwell_moves';

/** What a move saved before writing anything: the inbox reading (file) or the stored point's fields (reassign). */
export type MoveSnapshot = { reading: Reading } | { fields: PointFields };

interface MoveRow {
  id: string;
  kind: 'file' | 'reassign';
  inbox_item_id: string | null;
  metric: string;
  device_id: string;
  measured_at: number | string;
  from_account_id: string | null;
  to_account_id: string;
  snapshot: MoveSnapshot | string | null;
  state: 'pending' | 'copied' | 'done' | 'failed';
}

export interface MoveExecutorDeps {
  db: SqlClient;
  /**
   * Writes lines to InfluxDB itself (not the spool): 'copied' must mean the copy is in InfluxDB. `journal`
   * names hours to journal for the rollups besides the lines' own (the moved point's old hour).
   */
  writer: { write(lines: string[], opts?: { journal?: readonly JournalKey[] }): Promise<void> };
  points: {
    readonly supported: boolean;
    read(k: PointKey): Promise<PointFields | undefined>;
    delete(k: PointKey): Promise<void>;
  };
  claim: Claim;
  recordWeights: (w: { account: string; t: number; kg: number }[]) => Promise<void>;
  metrics?: Pick<IngestMetrics, 'moves'>;
  logger: Logger;
  /** Moves per sweep query. Default 100. */
  batchSize?: number;
}

export type MoveOutcome = 'done' | 'failed' | 'skipped';

/**
 * Executes reading_moves (written by the API) in InfluxDB, one step at a time, each recorded before the
 * next and each safe to repeat, so a crash at any point resumes from the last recorded step:
 *   pending  → snapshot saved (the inbox reading, or the stored point read back)
 *            → copy written under to_account (same time and values, attr manual) → 'copied'
 *   copied   → old point deleted (reassign) or inbox item marked stored (file) → 'done'.
 * Writing the copy twice overwrites it with itself; deleting twice deletes nothing the second time. Every
 * step's UPDATE names the state it leaves, so a node that lost a race records nothing.
 */
export class MoveExecutor {
  private readonly batchSize: number;
  private wanted = false;
  private loop: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(private readonly deps: MoveExecutorDeps) {
    this.batchSize = deps.batchSize ?? 100;
  }

  /** Sweeps now (start-up recovery), on every `linkwell_moves` notification, and every `intervalMs`. */
  async start(intervalMs: number): Promise<void> {
    await this.listen();
    void this.request();
    this.timer = setInterval(() => {
      if (!this.stopListening) void this.listen();
      void this.request();
    }, intervalMs);
    this.timer.unref();
  }

  /** Runs a sweep (merged with one already running); resolves with the moves it finished. Never rejects. */
  request(): Promise<number> {
    if (this.closed) return Promise.resolve(0);
    this.wanted = true;
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
      // A request made after the last pass checked `wanted` but before this ran would otherwise wait for
      // the next notification or timer.
      if (this.wanted && !this.closed) void this.request();
    });
    return this.loop;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.stopListening?.().catch(() => {});
    await this.loop;
  }

  private async listen(): Promise<void> {
    if (!this.deps.db.listen || this.closed) return;
    try {
      this.stopListening = await this.deps.db.listen(
        MOVES_CHANNEL,
        () => void this.request(),
        () => {
          // Lost: the periodic sweep listens again and catches up meanwhile.
          this.stopListening = undefined;
        },
      );
    } catch (err) {
      this.deps.logger.warn(
        { err: (err as Error).message },
        'LISTEN linkwell_moves failed; sweeping periodically',
      );
    }
  }

  private async run(): Promise<number> {
    let finished = 0;
    while (this.wanted && !this.closed) {
      this.wanted = false;
      try {
        finished += await this.sweep();
      } catch (err) {
        this.deps.logger.warn(
          {
            code: (err as { code?: string }).code ?? 'INGEST_ERR_REGISTRY_UNAVAILABLE',
            err: (err as Error).message,
          },
          'reading moves sweep stopped; the next one resumes them',
        );
      }
    }
    return finished;
  }

  /** Every open move, oldest first; moves another node holds are left to it. */
  async sweep(): Promise<number> {
    let finished = 0;
    const tried = new Set<string>();
    for (;;) {
      const { rows } = await this.deps.db.query<{ id: string }>(
        `SELECT id FROM reading_moves WHERE state IN ('pending', 'copied') AND NOT (id = ANY($1::text[]))
         ORDER BY created_at, id LIMIT $2`,
        [[...tried], this.batchSize],
      );
      if (rows.length === 0 || this.closed) return finished;
      for (const { id } of rows) {
        tried.add(id);
        const outcome = await this.deps
          .claim(id, () => this.execute(id))
          .catch((err: unknown) => {
            // The move stays at its last recorded step; the next sweep resumes it.
            this.deps.logger.warn(
              { move: id, code: (err as { code?: string }).code, err: (err as Error).message },
              'reading move interrupted; it resumes at its last step',
            );
            return undefined;
          });
        if (outcome === 'done' || outcome === 'failed') finished += 1;
      }
    }
  }

  /** Runs one move's remaining steps. */
  async execute(id: string): Promise<MoveOutcome> {
    let m = await this.row(id);
    if (!m || (m.state !== 'pending' && m.state !== 'copied')) return 'skipped';
    const t = Number(m.measured_at);
    if (m.state === 'pending') {
      let snapshot = parseSnapshot(m.snapshot);
      if (!snapshot) {
        const taken = await this.takeSnapshot(m, t);
        if (taken === 'failed') return this.fail(m, 'INGEST_ERR_READING_NOT_FOUND');
        snapshot = taken;
        await this.deps.db.query(
          `UPDATE reading_moves SET snapshot = $2::jsonb WHERE id = $1 AND state = 'pending' AND snapshot IS NULL`,
          [m.id, JSON.stringify(snapshot)],
        );
        // Another node may have saved its snapshot first: continue from what is recorded.
        m = await this.row(id);
        if (m?.state !== 'pending') return 'skipped';
        snapshot = parseSnapshot(m.snapshot)!;
      }
      const who = { accountId: m.to_account_id, deviceId: m.device_id };
      const line =
        'reading' in snapshot
          ? toLine(snapshot.reading, who, MANUAL_FILE)
          : fieldsLine(m.metric, who, snapshot.fields, t, MANUAL_REASSIGN);
      // The old account's hour is journaled with the copy too, so the API sees it stale from now on.
      await this.deps.writer.write([line], { journal: oldHour(m, t) });
      await this.deps.db.query(
        `UPDATE reading_moves SET state = 'copied' WHERE id = $1 AND state = 'pending'`,
        [m.id],
      );
    }
    if (m.kind === 'reassign') {
      if (m.from_account_id && m.from_account_id !== m.to_account_id) {
        if (!this.deps.points.supported) throw unsupported();
        await this.deps.points.delete({
          metric: m.metric,
          account: m.from_account_id,
          device: m.device_id,
          t,
        });
        // Journaled again after the delete: a rollup recomputed between the copy and the delete still
        // counted the old point (docs/rollups.md "Moves").
        await this.deps.writer.write([], { journal: oldHour(m, t) });
      }
    } else if (m.inbox_item_id) {
      await this.deps.db.query(
        `UPDATE inbox_items SET state = 'stored', method = 'manual', target_account_id = $2, stored_at = now()
         WHERE id = $1 AND state IN ('held', 'filing')`,
        [m.inbox_item_id, m.to_account_id],
      );
    }
    // The move's events go in before it is marked done: a crash in between repeats the insert, which the
    // event ids make a no-op (docs/events.md "Reassignments").
    await insertEventRows(this.deps.db, await this.moveEvents(m, t));
    const { rows } = await this.deps.db.query<{ id: string }>(
      `UPDATE reading_moves SET state = 'done', done_at = now() WHERE id = $1 AND state IN ('pending', 'copied') RETURNING id`,
      [m.id],
    );
    if (rows.length === 0) return 'skipped';
    this.deps.metrics?.moves.inc({ kind: m.kind, outcome: 'done' });
    if (m.metric === BASELINE_METRIC) {
      const snap = parseSnapshot((await this.row(id))?.snapshot ?? null);
      const kg = snap ? ('reading' in snap ? snap.reading.values.weight : snap.fields.weight) : undefined;
      if (typeof kg === 'number') {
        await this.deps
          .recordWeights([{ account: m.to_account_id, t, kg }])
          .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'member baselines not updated'));
      }
    }
    return 'done';
  }

  /** The move's events (docs/events.md "Reassignments"), with the values its snapshot saved. */
  private async moveEvents(m: MoveRow, t: number): Promise<OutboxEvent[]> {
    const snap = parseSnapshot((await this.row(m.id))?.snapshot ?? null);
    const values = snap ? ('reading' in snap ? snap.reading.values : numericValues(snap.fields)) : {};
    return moveEventRows({
      id: m.id,
      kind: m.kind,
      metric: m.metric,
      deviceId: m.device_id,
      t,
      from: m.from_account_id,
      to: m.to_account_id,
      values,
      attr: m.kind === 'file' ? MANUAL_FILE : MANUAL_REASSIGN,
    });
  }

  private async takeSnapshot(m: MoveRow, t: number): Promise<MoveSnapshot | 'failed'> {
    if (m.kind === 'file') {
      const { rows } = await this.deps.db.query<{ reading: Reading | string }>(
        'SELECT reading FROM inbox_items WHERE id = $1',
        [m.inbox_item_id],
      );
      const r = rows[0]?.reading;
      if (r === undefined) return 'failed';
      return { reading: typeof r === 'string' ? (JSON.parse(r) as Reading) : r };
    }
    if (!this.deps.points.supported) throw unsupported();
    if (!m.from_account_id) return 'failed';
    const fields = await this.deps.points.read({
      metric: m.metric,
      account: m.from_account_id,
      device: m.device_id,
      t,
    });
    return fields ? { fields } : 'failed';
  }

  private async fail(m: MoveRow, code: 'INGEST_ERR_READING_NOT_FOUND'): Promise<MoveOutcome> {
    const { rows } = await this.deps.db.query<{ id: string }>(
      `UPDATE reading_moves SET state = 'failed', error_code = $2, done_at = now()
       WHERE id = $1 AND state = 'pending' AND snapshot IS NULL RETURNING id`,
      [m.id, code],
    );
    if (rows.length === 0) return 'skipped';
    this.deps.metrics?.moves.inc({ kind: m.kind, outcome: 'failed' });
    this.deps.logger.warn({ move: m.id, code }, 'reading move failed: the point to move is not there');
    return 'failed';
  }

  private async row(id: string): Promise<MoveRow | undefined> {
    const { rows } = await this.deps.db.query<MoveRow>(
      `SELECT id, kind, inbox_item_id, metric, device_id, measured_at, from_account_id, to_account_id, snapshot, state
       FROM reading_moves WHERE id = $1`,
      [id],
    );
    return rows[0];
  }
}

function oldHour(m: MoveRow, t: number): JournalKey[] {
  return m.kind === 'reassign' && m.from_account_id && m.from_account_id !== m.to_account_id
    ? [{ account: m.from_account_id, measurement: m.metric, t }]
    : [];
}

/** The measured values of a point read back: its numeric fields other than the metadata ones. */
function numericValues(fields: PointFields): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields))
    if (typeof v === 'number' && !META_FIELD_NAMES.has(k)) out[k] = v;
  return out;
}

const META_FIELD_NAMES = new Set<string>(Object.values(META_FIELDS));

function parseSnapshot(s: MoveSnapshot | string | null): MoveSnapshot | undefined {
  if (s === null) return undefined;
  return typeof s === 'string' ? (JSON.parse(s) as MoveSnapshot) : s;
}

const unsupported = () =>
  new IngestError(
    'INGEST_ERR_MOVE_UNSUPPORTED',
    'reassigning a stored reading needs InfluxQL SELECT and DELETE (InfluxDB 1.x)',
  );
