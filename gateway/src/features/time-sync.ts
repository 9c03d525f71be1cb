import {
  currentTimeFromEpochMs,
  type DateTime,
  decodeCurrentTime,
  encodeCurrentTime,
} from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus } from '../events.js';
import type { DeviceFeature, LinkSession } from './types.js';

const CTS = '1805';
const CURRENT_TIME = '2a2b';

export interface TimeSyncOptions {
  /** Offsets smaller than this are clock noise, not a wrong clock: nothing is corrected. Default 2 min. */
  toleranceMs?: number;
}

/** What the gateway learnt about a device's old clock when it set it. */
interface ClockCorrection {
  /** The device's (wrong) time when it was set, raw epoch ms. */
  deviceAtSync: number;
  /** Gateway time minus device time at that moment. */
  offsetMs: number;
}

/**
 * Epoch ms of a device DateTime read as UTC, including the years before 2001 that `dateTimeToEpochMs`
 * treats as "clock not set": those are exactly the stamps this feature corrects.
 */
export function rawDateTimeMs(dt: DateTime): number | undefined {
  if (dt.year === 0 || dt.month === 0 || dt.day === 0) return undefined;
  return Date.UTC(dt.year, dt.month - 1, dt.day, dt.hours, dt.minutes, dt.seconds);
}

/**
 * Time sync on connect. When the GATT table offers a writable Current Time (CTS 0x1805/0x2A2B) the device's
 * clock is read, then set to gateway time (write with response) before any measurement is subscribed, so
 * stored measurements it replays afterwards are stamped by the old clock and those taken later by the new one.
 * A stamp from the old clock (at or before the device time read at sync) becomes `t = deviceTime + offset`
 * with `time_source: 'corrected'`; later stamps stay `device`. Offsets within the tolerance are not
 * corrections, so plausible history from a right clock stays `device`. The correction is remembered per
 * device, so a stored reading that arrives only on a later link is still corrected (in memory: a restart
 * forgets it). Limitation: a clock that ran ahead can stamp old-clock readings later than the sync point's
 * new time, and those cannot be told apart.
 */
export function timeSyncFeature(opts: TimeSyncOptions = {}): DeviceFeature {
  const tolerance = opts.toleranceMs ?? 120_000;
  const corrections = new Map<string, ClockCorrection>();
  let bus: GatewayEventBus | undefined;

  async function sync(s: LinkSession): Promise<void> {
    if (!s.gatt.has(CTS, CURRENT_TIME, 'write')) return;
    let deviceMs: number | undefined;
    try {
      if (s.gatt.has(CTS, CURRENT_TIME, 'read')) {
        const ct = decodeCurrentTime(await s.link.read(CTS, CURRENT_TIME));
        const whole = rawDateTimeMs(ct.dateTime);
        deviceMs = whole === undefined ? undefined : whole + Math.floor((ct.fractions256 * 1000) / 256);
      }
      const at = s.now();
      await s.link.write(CTS, CURRENT_TIME, encodeCurrentTime(currentTimeFromEpochMs(at)), {
        withResponse: true,
      });
      const offsetMs = deviceMs === undefined ? null : at - deviceMs;
      if (offsetMs !== null && deviceMs !== undefined && Math.abs(offsetMs) > tolerance)
        corrections.set(s.address, { deviceAtSync: deviceMs, offsetMs });
      (bus ?? s.bus).emit('device.time_synced', { address: s.address, offsetMs });
    } catch (err) {
      throw new GatewayError('GATEWAY_ERR_TIME_SYNC_FAILED', `${s.address}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  return {
    name: 'time-sync',
    start(b) {
      bus = b;
    },
    async prepare(s) {
      // Installed first so a failed sync still corrects with what an earlier link learnt.
      s.addTransform((r, d) => {
        const c = corrections.get(s.address);
        const raw = d.deviceDateTime ? rawDateTimeMs(d.deviceDateTime) : undefined;
        // One second of slack: stamps have whole seconds, the read at sync had fractions.
        if (!c || raw === undefined || raw > c.deviceAtSync + 1000) return r;
        return { ...r, t: raw + c.offsetMs, time_source: 'corrected' };
      });
      await sync(s);
    },
  };
}
