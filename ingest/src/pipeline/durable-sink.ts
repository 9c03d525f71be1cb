import type { Logger } from 'pino';
import { IngestError } from '../errors.js';
import { WriteBatcher } from '../influx/write-batcher.js';
import type { PointWriter } from '../influx/writer.js';
import type { IngestMetrics } from '../metrics.js';
import type { Spool, SpooledBatch, SpoolStats } from '../spool/spool.js';
import type { QuarantineEntry } from '../store/quarantine.js';
import { InfluxHealth } from './influx-health.js';

export interface DurableSinkOptions {
  maxLines: number;
  lingerMs: number;
  maxConcurrent: number;
  /** Lines per replayed write; defaults to `maxLines`. */
  replayMaxLines?: number;
  /** Resolves true when InfluxDB answers; polled while it is marked down. */
  probe: () => Promise<boolean>;
  probeIntervalMs?: number;
  /**
   * The event outbox (docs/events.md): each batch's events are committed beside its InfluxDB write (or
   * spool append), from the same joined body, and the batch's `add`s resolve only when both are done.
   * Absent: no events (the bench's baseline, `events.enabled = false`).
   */
  outbox?: { record(lines: readonly string[], body?: Buffer): Promise<void> };
  /** The fsync'd dead-letter store, for batches InfluxDB refuses because of their content. */
  deadLetter: (entries: QuarantineEntry[]) => Promise<void>;
  metrics: IngestMetrics;
  logger: Logger;
  now?: () => number;
}

export interface DurableSinkStats {
  influx: 'up' | 'down';
  replaying: boolean;
  spool: SpoolStats;
}

/**
 * The pipeline's end: `add` resolves once its lines are in InfluxDB (2xx) or fsync'd in the spool, and
 * rejects (INGEST_ERR_SPOOL_FULL / _SPOOL_IO) when neither happened, so the broker withholds the PUBACK.
 * A replay loop drains the spool in order whenever InfluxDB is up; direct writes go on meanwhile, which
 * is safe because a point rewritten with the same series and timestamp overwrites itself.
 */
export class DurableSink {
  private readonly batcher: WriteBatcher;
  private readonly health: InfluxHealth;
  private readonly replayMaxLines: number;
  private replayRun: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private lastDownLog: { code: string | undefined; at: number } | undefined;

  constructor(
    private readonly writer: PointWriter,
    private readonly spool: Spool,
    private readonly opts: DurableSinkOptions,
  ) {
    this.replayMaxLines = opts.replayMaxLines ?? opts.maxLines;
    this.health = new InfluxHealth({
      probe: opts.probe,
      probeIntervalMs: opts.probeIntervalMs ?? 1000,
      onChange: (up, reason) => this.onHealth(up, reason),
    });
    this.batcher = new WriteBatcher(
      { version: writer.version, api: writer.api, write: (lines) => this.writeBatch(lines) },
      { maxLines: opts.maxLines, lingerMs: opts.lingerMs, maxConcurrent: opts.maxConcurrent },
    );
    opts.metrics.influxUp.set(1);
    this.updateGauges();
    this.kickReplay();
  }

  add(lines: string[]): Promise<void> {
    if (this.closing) return Promise.reject(new IngestError('INGEST_ERR_SPOOL_IO', 'the sink is closing'));
    return this.batcher.add(lines);
  }

  stats(): DurableSinkStats {
    return {
      influx: this.health.up ? 'up' : 'down',
      replaying: this.replayRun !== undefined,
      spool: this.spool.stats(),
    };
  }

  /** Resolves once every batch accepted so far is in InfluxDB, spooled, or refused. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /** Drains, lets the replay finish its current batch, and closes the spool; the rest replays on next start. */
  async close(): Promise<void> {
    await this.drain();
    this.closing = true;
    this.health.stop();
    clearTimeout(this.retryTimer);
    await this.replayRun;
    await this.spool.close();
  }

  /**
   * One batch: stored (InfluxDB or spool) and, with events on, its outbox row, side by side. A batch whose
   * row failed is refused as a whole even if InfluxDB took it: the gateway resends, InfluxDB overwrites the
   * same points and the events keep their stable ids (docs/events.md). A row committed for a batch the
   * spool then refused names readings the gateway still holds and will send again.
   */
  private async writeBatch(lines: string[]): Promise<void> {
    const outbox = this.opts.outbox;
    if (!outbox) return this.writeOrSpool(lines);
    // Joined and encoded once: InfluxDB is sent these bytes and the outbox compresses them.
    const body = Buffer.from(lines.join('\n'));
    await Promise.all([this.writeOrSpool(lines, body), outbox.record(lines, body)]);
  }

  private async writeOrSpool(lines: string[], body?: Buffer): Promise<void> {
    if (this.health.up) {
      try {
        await this.deliver(lines, body);
        return;
      } catch (err) {
        this.health.markDown(err);
      }
    }
    const wasFull = this.spool.stats().full;
    try {
      await this.spool.append(lines);
    } catch (err) {
      if ((err as IngestError).code === 'INGEST_ERR_SPOOL_FULL') {
        this.opts.metrics.spoolRefusals.inc();
        if (!wasFull)
          this.opts.logger.warn({ code: 'INGEST_ERR_SPOOL_FULL', ...this.spool.stats() }, 'spool full');
      } else {
        this.opts.logger.error(
          { code: (err as IngestError).code, err: (err as Error).message },
          'spool failed',
        );
      }
      throw err;
    }
    this.opts.metrics.spooledLines.inc(lines.length);
    this.updateGauges();
    this.kickReplay();
  }

  /**
   * Writes `lines`, resolving also when InfluxDB refused them for their content and they were
   * dead-lettered instead. Throws when InfluxDB is unavailable (the caller spools or keeps them).
   */
  private async deliver(lines: string[], body?: Buffer): Promise<void> {
    const m = this.opts.metrics;
    const started = performance.now();
    try {
      await this.writer.write(lines, {
        ...(body !== undefined ? { body } : {}),
        signal: this.health.signal,
        onAttemptFailed: ({ error, unreachable }) => {
          if (unreachable) this.health.markDown(error);
        },
      });
      m.batchLines.observe(lines.length);
      m.writeSeconds.observe((performance.now() - started) / 1000);
    } catch (err) {
      m.writeFailures.inc();
      const code = (err as IngestError).code;
      if (code === 'INGEST_ERR_WRITE_TOO_LARGE' && lines.length > 1) {
        const half = Math.ceil(lines.length / 2);
        await this.deliver(lines.slice(0, half));
        await this.deliver(lines.slice(half));
        return;
      }
      if (code === 'INGEST_ERR_LINES_REJECTED' || code === 'INGEST_ERR_WRITE_TOO_LARGE') {
        await this.deadLetter(code, (err as Error).message, lines.join('\n'), lines.length);
        return;
      }
      throw err;
    }
  }

  private async deadLetter(code: string, message: string, payload: string, lines: number): Promise<void> {
    const entry: QuarantineEntry = {
      kind: 'dead',
      code,
      message,
      gw: null,
      topic: 'influx/write',
      receivedAt: (this.opts.now ?? Date.now)(),
      payload,
    };
    await this.opts.deadLetter([entry]);
    this.opts.metrics.deadLettered.inc({ code }, lines);
    this.opts.logger.warn({ code, lines }, message);
  }

  private onHealth(up: boolean, reason?: IngestError): void {
    this.opts.metrics.influxUp.set(up ? 1 : 0);
    const log = this.opts.logger;
    if (up) {
      log.info({ spool: this.spool.stats() }, 'InfluxDB answers again; replaying the spool');
      this.kickReplay();
      return;
    }
    // A setup error (e.g. 404: database dropped) flaps once per probe while /ping is fine: warn once a minute.
    const cause = (reason?.cause as IngestError | undefined)?.code;
    const now = Date.now();
    const last = this.lastDownLog;
    const repeat = last !== undefined && last.code === cause && now - last.at < 60_000;
    if (!repeat) this.lastDownLog = { code: cause, at: now };
    log[repeat ? 'debug' : 'warn'](
      { code: 'INGEST_ERR_INFLUX_DOWN', cause, err: reason?.message },
      'spooling writes',
    );
  }

  private kickReplay(): void {
    if (this.replayRun || this.closing || !this.health.up || this.spool.stats().batches === 0) return;
    this.replayRun = this.replay().then(
      () => {
        this.replayRun = undefined;
        // An append may have committed after the last peek found nothing; this catches it.
        this.kickReplay();
      },
      (err: Error) => {
        this.replayRun = undefined;
        this.opts.logger.error({ code: (err as IngestError).code, err: err.message }, 'spool replay failed');
        this.retryTimer = setTimeout(() => this.kickReplay(), this.opts.probeIntervalMs ?? 1000);
      },
    );
  }

  /** Replays batches in spool order while InfluxDB is up and the spool is not empty. */
  private async replay(): Promise<void> {
    while (this.health.up && !this.closing) {
      const batch = await this.spool.peek(this.replayMaxLines);
      if (!batch) return;
      await this.deadLetterCorrupt(batch);
      if (batch.lines.length > 0) {
        try {
          await this.deliver(batch.lines);
        } catch (err) {
          this.health.markDown(err);
          return;
        }
      }
      await this.spool.ack(batch);
      this.opts.metrics.replayedLines.inc(batch.lines.length);
      this.updateGauges();
    }
  }

  private async deadLetterCorrupt(batch: SpooledBatch): Promise<void> {
    for (const c of batch.corrupt) {
      const where = `segment ${c.segment} offset ${c.offset}`;
      await this.deadLetter(
        'INGEST_ERR_SPOOL_CORRUPT',
        `spooled batch at ${where} failed its checksum`,
        c.raw.toString('base64'),
        0,
      );
    }
  }

  private updateGauges(): void {
    const s = this.spool.stats();
    const m = this.opts.metrics;
    m.spoolLines.set(s.lines);
    m.spoolBytes.set(s.bytes);
    m.spoolSegments.set(s.segments);
    m.spoolOldestSeconds.set((s.oldestAgeMs ?? 0) / 1000);
  }
}
