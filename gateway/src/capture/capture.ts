import type { BleCentral, BleLink, ScanResult, Unsubscribe } from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';
import type { CapturedCharacteristic, CapturedFrame, CaptureError, DeviceCapture } from './schema.js';

export interface CaptureOptions {
  /** How long to record notifications and indications after subscribing. */
  durationMs: number;
  /** How long to scan for the device's advertisement first (default 2000; 0 skips the scan). */
  scanMs?: number;
  /** Frames kept at most; later ones are counted in `frames_dropped` (default 10 000). */
  maxFrames?: number;
  /** Recorded in the document, e.g. "node-ble". */
  transport?: string;
  now?: () => number;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Texts by which BlueZ and noble report ATT errors without a number. */
const ATT_BY_TEXT: [RegExp, number][] = [
  [/ATT error: 0x([0-9a-f]{2})/i, -1],
  [/Not paired|Insufficient Authentication|connection-key-missing/i, 0x05],
  [/Insufficient Encryption/i, 0x0f],
  [/Read not permitted/i, 0x02],
  [/Write not permitted/i, 0x03],
];

function attOf(e: unknown, depth = 0): number | undefined {
  if (e === null || typeof e !== 'object' || depth > 4) return undefined;
  const o = e as { att?: unknown; message?: unknown; text?: unknown; cause?: unknown };
  if (typeof o.att === 'number') return o.att;
  for (const text of [o.text, o.message]) {
    if (typeof text !== 'string') continue;
    for (const [re, att] of ATT_BY_TEXT) {
      const m = re.exec(text);
      if (m) return att >= 0 ? att : Number.parseInt(m[1]!, 16);
    }
  }
  return attOf(o.cause, depth + 1);
}

/** The code, ATT error and message of a failed operation; the capture records it and goes on. */
export function toCaptureError(e: unknown): CaptureError {
  const o = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown };
  const att = attOf(e);
  return {
    code: typeof o.code === 'string' && o.code !== '' ? o.code.slice(0, 64) : 'UNKNOWN',
    ...(att !== undefined ? { att } : {}),
    message: String(typeof o.message === 'string' ? o.message : e).slice(0, 1024),
  };
}

function advertisement(r: ScanResult): NonNullable<DeviceCapture['advertisement']> {
  const serviceData = r.serviceData ? Object.entries(r.serviceData) : [];
  const manufacturerData = r.manufacturerData ? Object.entries(r.manufacturerData) : [];
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    ...(r.rssi !== undefined ? { rssi: r.rssi } : {}),
    ...(r.connectable !== undefined ? { connectable: r.connectable } : {}),
    services: [...r.services],
    ...(serviceData.length
      ? { service_data: Object.fromEntries(serviceData.map(([k, v]) => [k, hex(v)])) }
      : {}),
    ...(manufacturerData.length
      ? { manufacturer_data: Object.fromEntries(manufacturerData.map(([k, v]) => [k, hex(v)])) }
      : {}),
  };
}

/**
 * Records one device: its advertisement (from a scan), its GATT table, one read of every readable
 * characteristic, and every notification and indication for `durationMs`. Failures on single
 * characteristics (an ATT error such as "bond needed") are recorded, not thrown; only a device that cannot
 * be connected to at all fails the capture.
 */
export async function captureDevice(
  central: BleCentral,
  address: string,
  opts: CaptureOptions,
): Promise<DeviceCapture> {
  const now = opts.now ?? Date.now;
  const maxFrames = opts.maxFrames ?? 10_000;
  const target = address.toUpperCase();
  if (!/^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/.test(target))
    throw new GatewayError('GATEWAY_ERR_CONFIG', `${address} is not a Bluetooth address (AA:BB:CC:DD:EE:FF)`);
  const startedAt = now();
  const scanMs = opts.scanMs ?? 2000;
  const seen =
    scanMs > 0
      ? (await central.scan({ durationMs: scanMs })).find((r) => r.address.toUpperCase() === target)
      : undefined;

  const link: BleLink = await central.connect(target);
  let disconnected: DeviceCapture['disconnected'];
  let wake: (() => void) | undefined;
  let ending = false;
  link.onDisconnect((reason) => {
    if (ending) return;
    disconnected ??= { t: now(), reason: String(reason).slice(0, 1024) };
    wake?.();
  });

  const services: DeviceCapture['services'] = [];
  const frames: CapturedFrame[] = [];
  let dropped = 0;
  const unsubscribes: Unsubscribe[] = [];
  let recordStart = now();
  try {
    for (const service of await link.services()) {
      const entry: DeviceCapture['services'][number] = { uuid: service, characteristics: [] };
      services.push(entry);
      try {
        for (const c of await link.characteristics(service)) {
          entry.characteristics.push({ uuid: c.uuid, properties: [...c.properties] });
        }
      } catch (e) {
        entry.error = toCaptureError(e);
      }
    }
    for (const s of services) {
      for (const c of s.characteristics) {
        if (!c.properties.includes('read') || disconnected) continue;
        c.read = await link.read(s.uuid, c.uuid).then(
          (v): CapturedCharacteristic['read'] => ({ value: hex(v) }),
          (e: unknown) => ({ error: toCaptureError(e) }),
        );
      }
    }
    recordStart = now();
    for (const s of services) {
      for (const c of s.characteristics) {
        if (disconnected || !(c.properties.includes('notify') || c.properties.includes('indicate'))) continue;
        const service = s.uuid;
        const char = c.uuid;
        try {
          unsubscribes.push(
            await link.subscribe(service, char, (v) => {
              if (frames.length < maxFrames) frames.push({ t: now(), service, char, hex: hex(v) });
              else dropped += 1;
            }),
          );
          c.subscribe = { ok: true };
        } catch (e) {
          c.subscribe = { error: toCaptureError(e) };
        }
      }
    }
    if (!disconnected) {
      const left = Math.max(0, opts.durationMs - (now() - recordStart));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    wake = undefined;
    ending = true;
    if (!disconnected) {
      for (const u of unsubscribes) await u().catch(() => {});
      await link.disconnect().catch(() => {});
    }
  }
  const endedAt = now();
  return {
    v: 1,
    address: target,
    ...(opts.transport ? { transport: opts.transport } : {}),
    started_at: startedAt,
    ended_at: endedAt,
    duration_ms: Math.max(0, endedAt - recordStart),
    advertisement: seen ? advertisement(seen) : null,
    services,
    frames,
    frames_dropped: dropped,
    ...(disconnected ? { disconnected } : {}),
  };
}
