import {
  type MeasurementBlock,
  type RacpMessage,
  racpReportAll,
  racpReportNumberOfRecords,
  uuid16,
} from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import { type CursorStore, FileCursorStore, type HistoryCursor, MemoryCursorStore } from './cursor-store.js';
import { historyError, RACP, RacpControlPoint } from './racp-sync-control-point.js';
import { cursorAt, newRecords, type RecordFrame, recordFrame } from './racp-sync-records.js';
import type { DecodedFrame, DeviceFeature, FrameDecoder, LinkSession } from './types.js';

/** Op codes the answers echo (GSS RACP Op Code table). */
const REPORT_STORED_RECORDS = 0x01;
const REPORT_NUMBER_OF_RECORDS = 0x04;

export interface RacpSyncOptions {
  /** Directory for `history-cursors.json`; without it (and without `cursors`) cursors live in memory only. */
  stateDir?: string;
  /** A cursor store of your own (tests, another medium); wins over `stateDir`. */
  cursors?: CursorStore;
  /** Longest wait for a RACP answer, restarted by every record of a download. Default 10 s. */
  responseTimeoutMs?: number;
}

export interface HistorySyncResult {
  address: string;
  /** Records relayed by this download (those after the cursor). */
  records: number;
  /** What the device said it holds (Report Number of Stored Records), null when it would not say. */
  stored: number | null;
  cursor: HistoryCursor | null;
}

interface LinkState {
  session: LinkSession;
  /** The RACP service and the indicated blocks its records arrive on; undefined: the device has no RACP. */
  target: { service: string; blocks: MeasurementBlock[] } | undefined;
  control?: Promise<RacpControlPoint>;
  cp?: RacpControlPoint;
  /** Records of the download under way, held back until its Response Code says success. */
  download?: RecordFrame[];
  running?: Promise<HistorySyncResult>;
  /** A download succeeded on this link, so the cursor is level with the device's memory. */
  synced: boolean;
  ended: boolean;
}

/**
 * The RACP target of a link: a Record Access Control Point (0x2A52, write + indicate) in the service of one of
 * the profile's indicated blocks. Indicated blocks are where stored records arrive (PLXS v1.0.1 §3.1 and §3.5:
 * spot-checks; GLS likewise); notified ones (PLX Continuous) are live only.
 */
function racpTarget(s: LinkSession): LinkState['target'] {
  const indicated = s.profile.blocks.filter((b) => b.delivery === 'indicate');
  const first = indicated.find((b) => s.gatt.has(uuid16(b.service), RACP, 'write', 'indicate'));
  if (!first) return undefined;
  const service = uuid16(first.service);
  return { service, blocks: indicated.filter((b) => uuid16(b.service) === service) };
}

/**
 * History download over the Record Access Control Point, with a persisted cursor per device. Once a link
 * is up (after time sync and the measurement subscriptions) it enables RACP indications, asks for the number
 * of stored records (op 0x04), then for the records themselves (op 0x01, operator "all records": PLXS
 * v1.0.1 §3.5 defines no other operator, and spot-check records carry no sequence number to filter on), and
 * waits for the Response Code. Records are held back until that says success; then those after the cursor
 * are relayed (see `newRecords`) and the cursor moves to the last record, saved after the relay, so a crash
 * in between repeats records instead of losing them. A failed download relays nothing and leaves the cursor;
 * it is reported as `device.feature_failed` with GATEWAY_ERR_HISTORY_SYNC_FAILED.
 *
 * Another download can be started on a connected device with `syncNow(address)` (or `sync(session)`); a call
 * while one runs joins it. Devices without RACP are left alone (WSS/BLS 1.0 replay stored indications on
 * reconnect instead, which the history feature classifies).
 */
export class RacpSync implements DeviceFeature {
  readonly name = 'racp-sync';
  private readonly links = new Map<string, LinkState>();
  private readonly background = new Set<Promise<unknown>>();
  private store: Promise<CursorStore> | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly opts: RacpSyncOptions = {}) {
    this.timeoutMs = opts.responseTimeoutMs ?? 10_000;
  }

  async prepare(s: LinkSession): Promise<void> {
    const key = s.address.toUpperCase();
    const st: LinkState = { session: s, target: racpTarget(s), synced: false, ended: false };
    this.links.set(key, st);
    s.addCleanup(() => {
      st.ended = true;
      if (this.links.get(key) === st) this.links.delete(key);
    });
    for (const block of st.target?.blocks ?? [])
      s.wrapDecoder(block.id, (inner) => (frame) => this.onRecord(st, block, frame, inner));
  }

  ready(s: LinkSession): void {
    if (!this.links.get(s.address.toUpperCase())?.target) return;
    const run = this.sync(s).then(
      () => {},
      (err: unknown) => this.report(s, err),
    );
    this.background.add(run);
    void run.finally(() => this.background.delete(run));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  /** Downloads what is new on this link now (joining a download under way). */
  async sync(s: LinkSession): Promise<HistorySyncResult> {
    const st = this.links.get(s.address.toUpperCase());
    if (!st || st.session !== s || st.ended)
      throw new GatewayError('GATEWAY_ERR_NOT_CONNECTED', `${s.address} is not connected`);
    if (!st.target)
      throw new GatewayError('GATEWAY_ERR_UNSUPPORTED', `${s.address} has no Record Access Control Point`);
    st.running ??= this.download(st).finally(() => {
      st.running = undefined;
    });
    return st.running;
  }

  /** `sync` for the device's current link; GATEWAY_ERR_NOT_CONNECTED when it has none. */
  async syncNow(address: string): Promise<HistorySyncResult> {
    const st = this.links.get(address.toUpperCase());
    if (!st) throw new GatewayError('GATEWAY_ERR_NOT_CONNECTED', `${address} is not connected`);
    return this.sync(st.session);
  }

  private onRecord(
    st: LinkState,
    block: MeasurementBlock,
    frame: Uint8Array,
    inner: FrameDecoder,
  ): DecodedFrame[] {
    const decoded = inner(frame);
    const record = recordFrame(block, frame, decoded);
    if (st.download) {
      st.download.push(record);
      st.cp?.touch();
      return [];
    }
    // A live record is relayed at once. Once a download brought the cursor level with the device's memory,
    // the cursor moves past it too, so the next download skips its stored copy (whose bytes differ: PLXS
    // Table 3.4 marks it "from storage", so its stamp decides). Before that, older unread records must not
    // be skipped because of it.
    if (st.synced)
      void this.cursors(st.session.logger)
        .then((store) => store.set(st.session.address, cursorAt(record)))
        .catch((err: unknown) => this.report(st.session, err));
    return decoded;
  }

  private async download(st: LinkState): Promise<HistorySyncResult> {
    const s = st.session;
    const store = await this.cursors(s.logger);
    const cp = await this.controlPoint(st);
    const count = await cp.request(
      racpReportNumberOfRecords(),
      (m) => m.opCode === 'number_of_stored_records_response' || answers(m, REPORT_NUMBER_OF_RECORDS),
    );
    const stored = count.opCode === 'number_of_stored_records_response' ? count.numberOfRecords : null;
    const before = (await store.get(s.address)) ?? null;
    if (stored === 0) return this.done(st, { address: s.address, records: 0, stored, cursor: before });

    st.download = [];
    let records: RecordFrame[] = [];
    let answer: RacpMessage;
    try {
      answer = await cp.request(racpReportAll(), (m) => answers(m, REPORT_STORED_RECORDS));
    } catch (err) {
      cp.abort();
      throw err;
    } finally {
      records = st.download;
      st.download = undefined;
    }
    const code = answer.opCode === 'response_code' ? answer.responseCode : answer.opCode;
    if (code !== 'success' && code !== 'no_records_found')
      throw historyError(
        s.address,
        `Report Stored Records answered ${code} after ${records.length} record(s)`,
      );

    const fresh = newRecords(records, before ?? undefined);
    for (const r of fresh) s.deliver(r.blockId, r.decoded.map(asHistory));
    const last = records.at(-1);
    const cursor = last ? cursorAt(last) : before;
    if (last) await store.set(s.address, cursorAt(last));
    return this.done(st, { address: s.address, records: fresh.length, stored, cursor });
  }

  private done(st: LinkState, result: HistorySyncResult): HistorySyncResult {
    st.synced = true;
    st.session.logger.info(
      { device: result.address, records: result.records, stored: result.stored },
      'history download complete',
    );
    st.session.bus.emit('device.history_synced', { ...result });
    return result;
  }

  private async controlPoint(st: LinkState): Promise<RacpControlPoint> {
    st.control ??= RacpControlPoint.enable(st.session, st.target!.service, this.timeoutMs);
    try {
      st.cp = await st.control;
      return st.cp;
    } catch (err) {
      st.control = undefined;
      throw historyError(
        st.session.address,
        `cannot enable RACP indications: ${(err as Error).message}`,
        err,
      );
    }
  }

  /** The configured store, else a cursor file under `stateDir`, else memory; opened on first use. */
  private cursors(log: Logger): Promise<CursorStore> {
    this.store ??= (async () => {
      if (this.opts.cursors) return this.opts.cursors;
      if (!this.opts.stateDir) return new MemoryCursorStore();
      try {
        const file = await FileCursorStore.open(this.opts.stateDir);
        if (file.damaged)
          log.error(
            { code: 'GATEWAY_ERR_CURSOR_IO' },
            `${file.damaged}; stored records will be imported again`,
          );
        return file;
      } catch (err) {
        // Without a place for cursors, importing again after a restart beats not importing at all.
        log.error(
          { code: 'GATEWAY_ERR_CURSOR_IO' },
          `${(err as Error).message}; cursors kept in memory only`,
        );
        return new MemoryCursorStore();
      }
    })();
    return this.store;
  }

  /** A background failure becomes `device.feature_failed`, unless the link ended (nothing to report then). */
  private report(s: LinkSession, err: unknown): void {
    const st = this.links.get(s.address.toUpperCase());
    if (!st || st.session !== s || st.ended || st.cp?.ended) return;
    const code = err instanceof GatewayError ? err.code : 'GATEWAY_ERR_HISTORY_SYNC_FAILED';
    const message = (err as Error).message;
    s.logger.warn({ code, device: s.address, feature: this.name }, message);
    s.bus.emit('device.feature_failed', { address: s.address, feature: this.name, code, message });
  }
}

/**
 * Downloaded records came from the device's memory, so they are history whatever their stamp says (a PLXS
 * record from an unset clock carries gateway time, which the history feature cannot judge).
 */
function asHistory(d: DecodedFrame): DecodedFrame {
  const q = d.reading.quality;
  return q.includes('history') ? d : { ...d, reading: { ...d.reading, quality: [...q, 'history'] } };
}

function answers(m: RacpMessage, requestOpCode: number): boolean {
  return m.opCode === 'response_code' && m.requestOpCode === requestOpCode;
}

/** The history download feature (see RacpSync). */
export function racpSyncFeature(opts: RacpSyncOptions = {}): RacpSync {
  return new RacpSync(opts);
}
