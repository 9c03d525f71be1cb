import { EventEmitter } from 'node:events';
import type { Reading } from '@linkwell/firmware-protocol';

/** Everything the gateway's parts tell each other; features subscribe here instead of calling each other. */
export interface GatewayEvents {
  'device.connected': [{ address: string; profile: string }];
  'device.disconnected': [{ address: string; reason: string }];
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
