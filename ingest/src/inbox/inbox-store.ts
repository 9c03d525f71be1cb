import type { Reading } from '@linkwell/firmware-protocol';
import type { Candidate, InboxReason } from '../attribution/attribution.js';
import { IngestError } from '../errors.js';
import type { SqlClient } from '../registry/resolver.js';
import { inboxId } from './inbox-id.js';

export interface InboxStoreOptions {
  /** Open (held) readings in total; at the bound new ones are refused (INGEST_ERR_HELD_FULL). Default 100 000. */
  maxReadings?: number;
  /** Open readings per gateway, so one gateway cannot fill the inbox for all. Default 10 000. */
  maxPerGateway?: number;
  /** Called with the number of open readings whenever this node learns it, e.g. to set the depth gauge. */
  onChange?: (readings: number) => void;
}

/** A reading for the inbox, as the readings handler decided it. */
export interface InboxEntry {
  reading: Reading;
  reason: InboxReason;
  deviceId: string | null;
  hint: Candidate[];
  receivedAt: number;
}

/** An open inbox item as replay reads it. */
export interface OpenItem {
  id: string;
  gw: string;
  reading: Reading;
  reason: InboxReason;
  hint: Candidate[];
  receivedAt: number;
  /** Set when an earlier replay claimed the item for this account and may have died before storing it. */
  claim?: { account: string; method: string | null; deviceId: string | null };
}

export interface InboxStats {
  readings: number;
  gateways: number;
  oldestReceivedAt: number | null;
}

const OPEN = `state IN ('held', 'filing')`;

// One statement per publish. The household comes from the gateway's row (a gateway belongs to one household
// for life), the device id from the registry when the device is claimed.
const INSERT = `
INSERT INTO inbox_items (id, gateway_id, household_id, device_address, device_id, slot, metric, measured_at,
                         reading, reason, hint, received_at)
SELECT x.id, x.gateway_id, (SELECT g.household_id FROM gateways g WHERE g.id = x.gateway_id), x.device_address,
       x.device_id, x.slot, x.metric, x.measured_at, x.reading, x.reason, x.hint,
       to_timestamp(x.received_at / 1000.0)
FROM jsonb_to_recordset($1::jsonb) AS x(id text, gateway_id text, device_address text, device_id text,
     slot smallint, metric text, measured_at bigint, reading jsonb, reason text, hint jsonb, received_at bigint)
ON CONFLICT (id) DO NOTHING`;

const COUNTS = `
SELECT (SELECT count(*) FROM inbox_items WHERE ${OPEN})::int AS total,
       (SELECT count(*) FROM inbox_items WHERE ${OPEN} AND gateway_id = $1)::int AS gw,
       (SELECT count(*) FROM inbox_items WHERE id = ANY($2::text[]))::int AS existing`;

/**
 * The household inbox in the registry database (inbox_items, migration 0006): readings ingest could not
 * attribute, shared by every ingest node and the API. `put` resolves once the INSERT has committed, which
 * the readings handler awaits before the PUBACK (docs/attribution.md, "Durability").
 */
export class InboxStore {
  private readonly maxReadings: number;
  private readonly maxPerGateway: number;
  private last: InboxStats = { readings: 0, gateways: 0, oldestReceivedAt: null };
  private refreshing: Promise<InboxStats> | undefined;
  private refreshAgain = false;

  constructor(
    private readonly db: SqlClient,
    private readonly opts: InboxStoreOptions = {},
  ) {
    this.maxReadings = opts.maxReadings ?? 100_000;
    this.maxPerGateway = opts.maxPerGateway ?? 10_000;
  }

  /**
   * Holds a gateway's readings; all or nothing. Rejects with INGEST_ERR_HELD_FULL (holding none) past a
   * bound, counting readings already in the inbox as held, and INGEST_ERR_INBOX_UNAVAILABLE when the
   * database did not commit. The bound is checked, then the rows inserted: nodes holding at the same moment
   * may pass it by one publish each, which the bound's purpose (a gateway cannot fill the store) tolerates.
   */
  async put(gw: string, entries: readonly InboxEntry[], opts: { unbounded?: boolean } = {}): Promise<void> {
    const rows = new Map<string, Record<string, unknown>>();
    for (const e of entries) {
      const id = inboxId(gw, e.reading.id);
      rows.set(id, {
        id,
        gateway_id: gw,
        device_address: e.reading.device,
        device_id: e.deviceId,
        slot: e.reading.slot,
        metric: e.reading.metric,
        measured_at: e.reading.t,
        reading: e.reading,
        reason: e.reason,
        hint: e.hint,
        received_at: e.receivedAt,
      });
    }
    if (rows.size === 0) return;
    const counts = await this.query<{ total: number; gw: number; existing: number }>(COUNTS, [
      gw,
      [...rows.keys()],
    ]);
    const { total, gw: ofGw, existing } = counts.rows[0]!;
    const fresh = rows.size - existing;
    if (!opts.unbounded && fresh > 0 && total + fresh > this.maxReadings) {
      throw new IngestError(
        'INGEST_ERR_HELD_FULL',
        `inbox full: ${total} of ${this.maxReadings} readings held`,
      );
    }
    if (!opts.unbounded && fresh > 0 && ofGw + fresh > this.maxPerGateway) {
      throw new IngestError(
        'INGEST_ERR_HELD_FULL',
        `inbox full for ${gw}: ${ofGw} of ${this.maxPerGateway} readings held`,
      );
    }
    await this.query(INSERT, [JSON.stringify([...rows.values()])]);
    this.opts.onChange?.(total + Math.max(0, fresh));
    if (fresh > 0) this.scheduleRefresh();
  }

  /**
   * Refreshes the /healthz figures after new rows, without holding up the PUBACK: one refresh at a time, and
   * a burst of holds while one runs costs one more, not one each.
   */
  private scheduleRefresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = this.refreshStats()
      .catch(() => this.last)
      .finally(() => {
        this.refreshing = undefined;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          this.scheduleRefresh();
        }
      });
  }

  /**
   * Items replay should look at, of `gateways` (null: all), `limit` at a time after `afterId` (keyset on
   * id): those 'held', and those an earlier replay claimed ('filing' with no move: the API files only with a
   * move in the same transaction) and did not finish. Items a person is filing are the move executor's.
   */
  async held(gateways: readonly string[] | null, afterId: string, limit: number): Promise<OpenItem[]> {
    const { rows } = await this.query<{
      id: string;
      gateway_id: string;
      reading: Reading | string;
      reason: InboxReason;
      hint: Candidate[] | string;
      received_ms: number | string;
      state: string;
      target_account_id: string | null;
      method: string | null;
      device_id: string | null;
    }>(
      `SELECT i.id, i.gateway_id, i.reading, i.reason, i.hint, i.state, i.target_account_id, i.method, i.device_id,
              (extract(epoch FROM i.received_at) * 1000)::float8 AS received_ms
       FROM inbox_items i
       WHERE (i.state = 'held'
              OR (i.state = 'filing' AND NOT EXISTS (SELECT 1 FROM reading_moves m WHERE m.inbox_item_id = i.id)))
         AND ($1::text[] IS NULL OR i.gateway_id = ANY($1::text[])) AND i.id > $2
       ORDER BY i.id LIMIT $3`,
      [gateways, afterId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      gw: r.gateway_id,
      reading: typeof r.reading === 'string' ? (JSON.parse(r.reading) as Reading) : r.reading,
      reason: r.reason,
      hint: typeof r.hint === 'string' ? (JSON.parse(r.hint) as Candidate[]) : r.hint,
      receivedAt: Math.round(Number(r.received_ms)),
      ...(r.state === 'filing' && r.target_account_id
        ? { claim: { account: r.target_account_id, method: r.method, deviceId: r.device_id } }
        : {}),
    }));
  }

  /**
   * Claims 'held' items for replay (state 'filing', the account and method it will store them with) before
   * their points are written, so a person filing the same item at that moment (the API files only 'held'
   * items) and replay cannot both store it. Resolves with the ids claimed.
   */
  async claim(
    items: readonly { id: string; method: string; account: string; deviceId: string }[],
  ): Promise<string[]> {
    if (items.length === 0) return [];
    const { rows } = await this.query<{ id: string }>(
      `UPDATE inbox_items i SET state = 'filing', method = x.method, target_account_id = x.account,
              device_id = COALESCE(i.device_id, x.device_id)
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, method text, account text, device_id text)
       WHERE i.id = x.id AND i.state = 'held' RETURNING i.id`,
      [
        JSON.stringify(
          items.map((i) => ({ id: i.id, method: i.method, account: i.account, device_id: i.deviceId })),
        ),
      ],
    );
    return rows.map((r) => r.id);
  }

  /** Marks items replay claimed for `account` stored; resolves with the ids it marked. */
  async markStored(items: readonly { id: string; method: string; account: string }[]): Promise<string[]> {
    if (items.length === 0) return [];
    const { rows } = await this.query<{ id: string }>(
      `UPDATE inbox_items i SET state = 'stored', method = x.method, stored_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, method text, account text)
       WHERE i.id = x.id AND i.state = 'filing' AND i.target_account_id = x.account
         AND NOT EXISTS (SELECT 1 FROM reading_moves m WHERE m.inbox_item_id = i.id)
       RETURNING i.id`,
      [JSON.stringify(items)],
    );
    return rows.map((r) => r.id);
  }

  /** Marks items expired (after they were dead-lettered), only those still 'held'. */
  async markExpired(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query<{ id: string }>(
      `UPDATE inbox_items SET state = 'expired' WHERE id = ANY($1::text[]) AND state = 'held' RETURNING id`,
      [ids],
    );
    return rows.map((r) => r.id);
  }

  /** Updates why items wait, when replay finds a new reason or new candidates (e.g. a device now claimed). */
  async updateReasons(
    items: readonly { id: string; reason: InboxReason; deviceId: string | null; hint: Candidate[] }[],
  ): Promise<void> {
    if (items.length === 0) return;
    await this.query(
      `UPDATE inbox_items i SET reason = x.reason, hint = x.hint, device_id = COALESCE(x.device_id, i.device_id)
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, reason text, device_id text, hint jsonb)
       WHERE i.id = x.id AND i.state = 'held'`,
      [
        JSON.stringify(
          items.map((i) => ({ id: i.id, reason: i.reason, device_id: i.deviceId, hint: i.hint })),
        ),
      ],
    );
  }

  /** Counts the open items now (for the gauge and /healthz); O(open items). */
  async refreshStats(): Promise<InboxStats> {
    const { rows } = await this.query<{ readings: number; gateways: number; oldest: number | string | null }>(
      `SELECT count(*)::int AS readings, count(DISTINCT gateway_id)::int AS gateways,
              (extract(epoch FROM min(received_at)) * 1000)::float8 AS oldest
       FROM inbox_items WHERE ${OPEN}`,
    );
    const r = rows[0]!;
    this.last = {
      readings: r.readings,
      gateways: r.gateways,
      oldestReceivedAt: r.oldest === null ? null : Math.round(Number(r.oldest)),
    };
    this.opts.onChange?.(r.readings);
    return this.last;
  }

  /** The counts as of the last refresh (synchronous, for /healthz). */
  stats(): InboxStats {
    return this.last;
  }

  private async query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    try {
      return await this.db.query<T>(sql, params);
    } catch (err) {
      throw new IngestError('INGEST_ERR_INBOX_UNAVAILABLE', `inbox: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
