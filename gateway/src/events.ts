import { EventEmitter } from 'node:events';
import type { Reading } from '@linkwell/firmware-protocol';
import type { HistoryCursor } from './features/cursor-store.js';

/** Everything the gateway's parts tell each other; features subscribe here instead of calling each other. */
export interface GatewayEvents {
  'device.connected': [{ address: string; profile: string }];
  'device.disconnected': [{ address: string; reason: string }];
  /** Reconnecting after a drop or a failed connect; `attempt` counts since the last stable link. */
  'device.reconnecting': [{ address: string; attempt: number; delayMs: number }];
  /**
   * Current Time was written. `offsetMs` is gateway time minus the device's clock as read just before (null
   * when the device's time could not be read); readings the old clock stamped are shifted by it.
   */
  'device.time_synced': [{ address: string; offsetMs: number | null }];
  /** Battery Level and Device Information strings, as far as the device offers them. */
  'device.info': [
    {
      address: string;
      battery?: number;
      manufacturer?: string;
      model?: string;
      serial?: string;
      firmware?: string;
    },
  ];
  /** UDS Consent succeeded for this user index; the scale now replays that user's stored readings. */
  'device.user_consented': [{ address: string; index: number }];
  /**
   * A Record Access Control Point download completed: `records` new ones were relayed (older ones were
   * imported before), `stored` is what the device reported holding, `cursor` where the next download resumes.
   */
  'device.history_synced': [
    { address: string; records: number; stored: number | null; cursor: HistoryCursor | null },
  ];
  /** A device-manager feature failed on this link; the session went on without it. */
  'device.feature_failed': [{ address: string; feature: string; code: string; message: string }];
  'device.unsupported': [{ address: string; name?: string; services: string[] }];
  reading: [Reading];
  'frame.rejected': [
    { address: string; characteristic: string; code: string; offset?: number; raw: string; message: string },
  ];
  'envelope.published': [{ seq: number; readings: number }];
  'envelope.failed': [{ seq: number; code: string; message: string }];
  /** A reading is on stable storage in the outbox (durable mode); `seq` is its outbox sequence number. */
  'reading.taken': [{ seq: number; reading: Reading }];
  /** These outbox sequence numbers had their PUBACK and left the outbox. */
  'readings.acked': [{ seqs: number[] }];
  /** Readings refused because the outbox is at its bound (GATEWAY_ERR_OUTBOX_FULL); never silent. */
  'outbox.full': [OutboxRefusal];
  /** Readings not taken because the outbox could not write or sync (GATEWAY_ERR_OUTBOX_IO). */
  'outbox.error': [OutboxRefusal];
  'uplink.state': [{ connected: boolean }];
  /** Bonded on a pair command or a feature's pairing; stale-bond recovery relies on knowing this. */
  'device.paired': [{ address: string }];
  /** The device refused our bond (`signature` says how); the bond is removed and pairing tried once. */
  'device.bond_stale': [{ address: string; signature: string }];
  /** Outcome of that single re-pairing; on failure the device goes back to plain reconnects. */
  'device.bond_recovery': [{ address: string; ok: boolean; code?: string; message?: string }];
  /** A reset command was carried out: devices let go, state wiped; the gateway stops (the root exits). */
  'gateway.reset': [Record<string, never>];
  /** A command from lw/v1/gw/{gw}/cmd was answered (`cached`: a redelivered tid got the earlier result). */
  'command.completed': [{ tid: string; op: string; status: 'ok' | 'error'; code?: string; cached: boolean }];
  /** Watching advertisements failed (GATEWAY_ERR_ADVERT_WATCH_FAILED); it is tried again unless unsupported. */
  'advert.watch_failed': [{ code: string; message: string }];
}

export interface OutboxRefusal {
  code: 'GATEWAY_ERR_OUTBOX_FULL' | 'GATEWAY_ERR_OUTBOX_IO';
  /** Readings refused by this event. */
  refused: number;
  /** Readings refused since the gateway started. */
  total: number;
  items: number;
  bytes: number;
  maxItems: number;
  maxBytes: number;
  readings: { id: string; device: string; metric: string; t: number }[];
}

export class GatewayEventBus extends EventEmitter<GatewayEvents> {}
