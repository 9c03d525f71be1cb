import type { Logger } from 'pino';
import type { Attribution } from '../attribution/attribution.js';
import { slotAttribution } from '../attribution/attribution.js';
import type { Attributor } from '../attribution/attributor.js';
import { eventsOf, type HealthEventStore } from '../events/health-events.js';
import { toLine } from '../influx/points.js';
import type { IngestMetrics } from '../metrics.js';
import type { DeviceAccount } from '../registry/resolver.js';
import type { QuarantineEntry } from '../store/quarantine.js';
import type { InboxStore, OpenItem } from './inbox-store.js';
import { weightsOf } from './stored-weights.js';

export const DEFAULT_HELD_EXPIRY_DAYS = 30;
const REASON_CODE: Record<OpenItem['reason'], string> = {
  unknown_device: 'INGEST_ERR_UNKNOWN_DEVICE',
  unassigned_slot: 'INGEST_ERR_UNASSIGNED_SLOT',
  ambiguous: 'INGEST_ERR_AMBIGUOUS_READING',
};
const DAY_MS = 86_400_000;

export interface InboxReplayDeps {
  inbox: InboxStore;
  attributor: Attributor;
  /** The durable sink: resolves once the lines are in InfluxDB or fsync'd in the spool. */
  /** The durable sink; it also commits the filed readings' `reading.created` events before resolving. */
  sink: { add(lines: string[]): Promise<void> };
  deadLetters: { put(entries: QuarantineEntry[]): Promise<void> };
  /**
   * Health events of the readings replay stores, inserted before they are marked stored: a failure stops the
   * pass with the items still claimed, and the next pass writes them (and their events) again.
   */
  events?: Pick<HealthEventStore, 'add'>;
  /** Adds stored weights to member baselines; failures are logged, never block replay. */
  recordWeights: (w: { account: string; t: number; kg: number }[]) => Promise<void>;
  metrics: Pick<IngestMetrics, 'heldReplayed' | 'heldExpired' | 'deadLettered'>;
  logger: Logger;
  notify: (gw: string, event: Record<string, unknown>) => void;
  now: () => number;
  /** Items held longer than this (from when first held) are dead-lettered and marked expired. Default 30 days. */
  expiryMs?: number;
  /** Items per registry read and sink write. Default 1000. */
  batchSize?: number;
}

export interface ReplayResult {
  replayed: number;
  expired: number;
  stillHeld: number;
}

/**
 * Re-decides the inbox's held items and stores those a registry change (a claim, a slot mapping, a new
 * rule) now attributes. An item is marked stored only after the sink accepted its point: a crash in between
 * writes it again, and the same point overwrites itself in InfluxDB. Several ingest nodes may replay the same
 * item at once; they write the same point (same account, tags, time and fields, decided from the same
 * registry rows) and the conditional UPDATE (… AND state = 'held') lets one of them mark it, so the race is
 * harmless. Passes run one at a time; requests made during a pass are merged into the next one.
 */
export class InboxReplayer {
  private readonly expiryMs: number;
  private readonly batchSize: number;
  private wanted: Set<string> | 'all' | undefined;
  private loop: Promise<ReplayResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly deps: InboxReplayDeps) {
    this.expiryMs = deps.expiryMs ?? DEFAULT_HELD_EXPIRY_DAYS * DAY_MS;
    this.batchSize = deps.batchSize ?? 1000;
  }

  /** Replays the held items of `gateways` (null: of every gateway). Never rejects; failures are logged. */
  request(gateways: Iterable<string> | null): Promise<ReplayResult> {
    if (this.closed) return Promise.resolve({ replayed: 0, expired: 0, stillHeld: 0 });
    if (gateways === null || this.wanted === 'all') this.wanted = 'all';
    else this.wanted = new Set([...(this.wanted ?? []), ...gateways]);
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
      // A request made after the last pass checked `wanted` but before this ran would otherwise wait for
      // the next notification or timer.
      if (this.wanted !== undefined && !this.closed) void this.request([]);
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
        const r = await this.pass(scope === 'all' ? null : [...scope]);
        total.replayed += r.replayed;
        total.expired += r.expired;
        total.stillHeld = r.stillHeld;
      } catch (err) {
        // The items stay held; the next notification or periodic pass tries again.
        this.deps.logger.warn(
          {
            code: (err as { code?: string }).code ?? 'INGEST_ERR_INBOX_UNAVAILABLE',
            err: (err as Error).message,
          },
          'inbox replay stopped; the readings stay held',
        );
      }
      await this.deps.inbox.refreshStats().catch(() => {});
    }
    return total;
  }

  private async pass(gateways: string[] | null): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: 0, expired: 0, stillHeld: 0 };
    let after = '';
    for (;;) {
      const items = await this.deps.inbox.held(gateways, after, this.batchSize);
      if (items.length === 0) break;
      after = items[items.length - 1]!.id;
      // Pages go by id (a hash); within one, the oldest first, as the gateway sent them.
      items.sort((a, b) => a.receivedAt - b.receivedAt || a.reading.t - b.reading.t);
      const now = this.deps.now();
      // A claimed item is finished, never expired: its point may already be in InfluxDB.
      const expired = items.filter((i) => !i.claim && now - i.receivedAt >= this.expiryMs);
      if (expired.length > 0) result.expired += await this.expire(expired);
      const live = items.filter((i) => i.claim || now - i.receivedAt < this.expiryMs);
      const r = await this.replay(live);
      result.replayed += r.replayed;
      result.stillHeld += r.stillHeld;
    }
    if (result.replayed + result.expired > 0) this.deps.logger.info(result, 'inbox readings replayed');
    return result;
  }

  private async replay(items: OpenItem[]): Promise<{ replayed: number; stillHeld: number }> {
    const byGw = new Map<string, OpenItem[]>();
    for (const i of items) {
      const xs = byGw.get(i.gw);
      if (xs) xs.push(i);
      else byGw.set(i.gw, [i]);
    }
    const stored: { item: OpenItem; who: DeviceAccount; attr: Attribution }[] = [];
    const changed: Parameters<InboxStore['updateReasons']>[0][number][] = [];
    let stillHeld = 0;
    for (const [gw, xs] of byGw) {
      const decisions = await this.deps.attributor.decide(
        gw,
        xs.map((x) => x.reading),
      );
      decisions.forEach((d, k) => {
        const item = xs[k]!;
        if (item.claim) {
          // Finish what an earlier pass claimed, under the account it claimed for.
          const deviceId = d.kind === 'store' ? d.who.deviceId : (d.deviceId ?? item.claim.deviceId);
          if (!deviceId) return;
          const same = d.kind === 'store' && d.who.accountId === item.claim.account;
          const attr = same
            ? (d.attr ?? d.who.attr ?? slotAttribution(item.reading.metric))
            : ({
                method: (item.claim.method ?? 'manual') as Attribution['method'],
                confidence: 1,
                rule: 'replay-resume',
              } as const);
          stored.push({ item, who: { deviceId, accountId: item.claim.account }, attr });
          return;
        }
        if (d.kind === 'store') {
          stored.push({
            item,
            who: d.who,
            attr: d.attr ?? d.who.attr ?? slotAttribution(item.reading.metric),
          });
          return;
        }
        stillHeld += 1;
        if (d.reason !== item.reason || JSON.stringify(d.hint) !== JSON.stringify(item.hint)) {
          changed.push({ id: item.id, reason: d.reason, deviceId: d.deviceId, hint: d.hint });
        }
      });
    }
    await this.deps.inbox.updateReasons(changed);
    if (stored.length === 0) return { replayed: 0, stillHeld };
    // Claim first (held → filing), write, then mark stored: a crash after the claim leaves an item the next
    // pass finishes; a person filing the item meanwhile finds it no longer held.
    const claimed = new Set([
      ...stored.filter((s) => s.item.claim).map((s) => s.item.id),
      ...(await this.deps.inbox.claim(
        stored
          .filter((s) => !s.item.claim)
          .map((s) => ({
            id: s.item.id,
            method: s.attr.method,
            account: s.who.accountId,
            deviceId: s.who.deviceId,
          })),
      )),
    ]);
    const writing = stored.filter((s) => claimed.has(s.item.id));
    if (writing.length === 0) return { replayed: 0, stillHeld };
    const lines = writing.map((s) => toLine(s.item.reading, s.who, s.attr));
    await Promise.all([
      this.deps.sink.add(lines),
      this.deps.events?.add(
        eventsOf(
          writing.map((s) => ({
            reading: s.item.reading,
            account: s.who.accountId,
            deviceId: s.who.deviceId,
          })),
        ),
      ),
    ]);
    const marked = new Set(
      await this.deps.inbox.markStored(
        writing.map((s) => ({ id: s.item.id, method: s.attr.method, account: s.who.accountId })),
      ),
    );
    const mine = writing.filter((s) => marked.has(s.item.id));
    this.deps.metrics.heldReplayed.inc(mine.length);
    this.tell(
      mine.map((s) => s.item),
      { type: 'ingest.held_readings_stored' },
    );
    this.deps
      .recordWeights(weightsOf(mine.map((s) => ({ reading: s.item.reading, account: s.who.accountId }))))
      .catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'member baselines not updated'));
    return { replayed: mine.length, stillHeld };
  }

  private async expire(items: OpenItem[]): Promise<number> {
    const days = Math.round((this.expiryMs / DAY_MS) * 100) / 100;
    const dead: QuarantineEntry[] = items.map((i) => ({
      kind: 'dead',
      code: 'INGEST_ERR_HELD_EXPIRED',
      message: `held since ${new Date(i.receivedAt).toISOString()} (${REASON_CODE[i.reason]}); not attributed within ${days} days`,
      gw: i.gw,
      topic: `lw/v1/gw/${i.gw}/readings`,
      receivedAt: i.receivedAt,
      reading: i.reading,
    }));
    // Dead-lettered first, marked after: a crash in between dead-letters them again, never loses them.
    await this.deps.deadLetters.put(dead);
    const marked = new Set(await this.deps.inbox.markExpired(items.map((i) => i.id)));
    const mine = items.filter((i) => marked.has(i.id));
    this.deps.metrics.heldExpired.inc(mine.length);
    this.deps.metrics.deadLettered.inc({ code: 'INGEST_ERR_HELD_EXPIRED' }, mine.length);
    this.tell(mine, { type: 'ingest.held_readings_expired', code: 'INGEST_ERR_HELD_EXPIRED' });
    return mine.length;
  }

  /** One event per gateway on its events topic, listing the reading ids concerned. */
  private tell(items: OpenItem[], event: Record<string, unknown>): void {
    const byGw = new Map<string, string[]>();
    for (const i of items) {
      const ids = byGw.get(i.gw);
      if (ids) ids.push(i.reading.id);
      else byGw.set(i.gw, [i.reading.id]);
    }
    for (const [gw, ids] of byGw) this.deps.notify(gw, { ...event, readings: ids });
  }
}
