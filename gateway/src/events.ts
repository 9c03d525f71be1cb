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
}

export class GatewayEventBus extends EventEmitter<GatewayEvents> {}
