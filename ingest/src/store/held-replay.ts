import type { Reading } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { toLine } from '../influx/points.js';
import type { IngestMetrics } from '../metrics.js';
import type { DeviceAccountResolver } from '../registry/resolver.js';
import type { HeldItem, HeldStore } from './held-store.js';
import type { QuarantineEntry } from './quarantine.js';

export const DEFAULT_HELD_EXPIRY_DAYS = 30;
const DAY_MS = 86_400_000;

export interface HeldReplayDeps {
  held: HeldStore;
  resolver: Pick<DeviceAccountResolver, 'resolve' | 'preload'>;
  /** The durable sink: resolves once the lines are in InfluxDB or fsync'd in the spool. */
  sink: { add(lines: string[]): Promise<void> };
  deadLetters: { put(entries: QuarantineEntry[]): Promise<void> };
  metrics: Pick<IngestMetrics, 'heldReplayed' | 'heldExpired' | 'deadLettered'>;
  logger: Logger;
  notify: (gw: string, event: Record<string, unknown>) => void;
  now: () => number;
  /** Held readings older than this (from when they were first held) are dead-lettered. Default 30 days. */
  expiryMs?: number;
  /** Lines per sink write. Default 1000. */
  batchLines?: number;
}

export interface ReplayResult {
  replayed: number;
  expired: number;
  stillHeld: number;
}

/**
 * Re-resolves held readings and writes those that now have an account. A reading leaves the held store
 * only after the sink accepted it (at-least-once: a crash in between writes it again, and the same point
 * overwrites itself in InfluxDB). Readings held past the expiry go to the dead letters first, then leave.
 * Passes run one at a time; requests made during a pass are merged into the next one.
 */
export class HeldReplayer {
  private readonly expiryMs: number;
  private readonly batchLines: number;
  private wanted: Set<string> | 'all' | undefined;
  private loop: Promise<ReplayResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: HeldReplayDeps) {
    this.expiryMs = deps.expiryMs ?? DEFAULT_HELD_EXPIRY_DAYS * DAY_MS;
    this.batchLines = deps.batchLines ?? 1000;
  }

  /** Replays the held readings of `gateways` (null: of every gateway). Never rejects; failures are logged. */
  request(gateways: Iterable<string> | null): Promise<ReplayResult> {
    if (this.closed) return Promise.resolve({ replayed: 0, expired: 0, stillHeld: 0 });
    if (gateways === null || this.wanted === 'all') this.wanted = 'all';
    else this.wanted = new Set([...(this.wanted ?? []), ...gateways]);
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
    });
    return this.loop;
  }

  /** A full pass now and then every `intervalMs`: the safety net for missed change notifications. */
  start(intervalMs: number): void {
    void this.request(null);
    this.timer = setInterval(() => void this.request(null), intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.loop;
  }

  private async run(): Promise<ReplayResult> {
    const total: ReplayResult = { replayed: 0, expired: 0, stillHeld: 0 };
    while (this.wanted !== undefined && !this.closed) {
      const scope = this.wanted;
      this.wanted = undefined;
      try {
        const r = await this.pass(scope === 'all' ? null : scope);
        total.replayed += r.replayed;
        total.expired += r.expired;
        total.stillHeld = r.stillHeld;
      } catch (err) {
        // The readings stay held; the next notification or periodic pass tries again.
        this.deps.logger.warn(
          {
            code: (err as { code?: string }).code ?? 'INGEST_ERR_REGISTRY_UNAVAILABLE',
            err: (err as Error).message,
          },
          'held readings replay stopped; they stay held',
        );
      }
    }
    return total;
  }

  private async pass(gateways: ReadonlySet<string> | null): Promise<ReplayResult> {
    const now = this.deps.now();
    const items = this.deps.held.items(gateways);
    const result: ReplayResult = { replayed: 0, expired: 0, stillHeld: 0 };
    const expired = items.filter((i) => now - i.receivedAt >= this.expiryMs);
    for (let i = 0; i < expired.length; i += this.batchLines) {
      result.expired += await this.expire(expired.slice(i, i + this.batchLines), now);
    }
    // Load every gateway concerned at once: the read model merges them into a few queries.
    const gws = new Set(items.map((i) => i.gw));
    if (this.deps.resolver.preload) await Promise.all([...gws].map((gw) => this.deps.resolver.preload!(gw)));
    let batch: { item: HeldItem; line: string; id: string }[] = [];
    for (const item of items) {
      if (now - item.receivedAt >= this.expiryMs) continue;
      const who = await this.deps.resolver.resolve(item.gw, item.device, item.slot);
      if (!who) {
        result.stillHeld += 1;
        continue;
      }
      const reading = this.deps.held.entry(item.key)?.reading as Reading | undefined;
      if (!reading) continue; // removed meanwhile
      batch.push({ item, line: toLine(reading, who), id: reading.id });
      if (batch.length >= this.batchLines) {
        result.replayed += await this.write(batch, now);
        batch = [];
      }
    }
    if (batch.length > 0) result.replayed += await this.write(batch, now);
    if (result.replayed + result.expired > 0) {
      this.deps.logger.info(result, 'held readings replayed');
    }
    return result;
  }

  private async write(batch: { item: HeldItem; line: string; id: string }[], now: number): Promise<number> {
    await this.deps.sink.add(batch.map((b) => b.line));
    await this.deps.held.remove(
      batch.map((b) => b.item.key),
      'replayed',
      now,
    );
    this.deps.metrics.heldReplayed.inc(batch.length);
    this.tell(batch, { type: 'ingest.held_readings_stored' });
    return batch.length;
  }

  private async expire(items: HeldItem[], now: number): Promise<number> {
    const days = Math.round((this.expiryMs / DAY_MS) * 100) / 100;
    const dead: QuarantineEntry[] = [];
    const batch: { item: HeldItem; id: string }[] = [];
    for (const item of items) {
      const e = this.deps.held.entry(item.key);
      if (!e) continue;
      dead.push({
        ...e,
        kind: 'dead',
        code: 'INGEST_ERR_HELD_EXPIRED',
        message: `held since ${new Date(e.receivedAt).toISOString()} (${e.code}: ${e.message}); not resolvable within ${days} days`,
      });
      batch.push({ item, id: (e.reading as Reading).id });
    }
    await this.deps.deadLetters.put(dead);
    await this.deps.held.remove(
      batch.map((b) => b.item.key),
      'expired',
      now,
    );
    this.deps.metrics.heldExpired.inc(batch.length);
    this.deps.metrics.deadLettered.inc({ code: 'INGEST_ERR_HELD_EXPIRED' }, batch.length);
    this.tell(batch, { type: 'ingest.held_readings_expired', code: 'INGEST_ERR_HELD_EXPIRED' });
    return batch.length;
  }

  /** One event per gateway on its events topic, listing the reading ids concerned. */
  private tell(batch: { item: HeldItem; id: string }[], event: Record<string, unknown>): void {
    const byGw = new Map<string, string[]>();
    for (const b of batch) {
      const ids = byGw.get(b.item.gw);
      if (ids) ids.push(b.id);
      else byGw.set(b.item.gw, [b.id]);
    }
    for (const [gw, ids] of byGw) this.deps.notify(gw, { ...event, readings: ids });
  }
}
