import {
  currentTimeFromEpochMs,
  dateTimeToEpochMs,
  decodeCurrentTime,
  encodeCurrentTime,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import { SimGattError } from '../gatt/errors.js';
import type { CharacteristicDef } from '../gatt/types.js';

export interface DeviceClockOptions {
  clock: Clock;
  /**
   * Where the device's clock starts after a battery change when nobody has set it: 2000-01-01 (most
   * cuffs and scales) or 1970-01-01. Omit for a device whose clock is already right.
   */
  unsetEpochMs?: number;
  /** Drift in parts per million, so a long simulation shows the skew real quartz clocks have. */
  driftPpm?: number;
}

export const UNSET_2000 = Date.UTC(2000, 0, 1);
export const UNSET_1970 = 0;

/**
 * The device's own wall clock. Devices stamp measurements with it, so until a central writes Current
 * Time (CTS 0x2A2B) their timestamps are in 2000 or 1970, which is what the gateway must correct.
 */
export class DeviceClock {
  private readonly clock: Clock;
  private readonly drift: number;
  private base: number;
  private baseAt: number;
  private set_: boolean;

  constructor(opts: DeviceClockOptions) {
    this.clock = opts.clock;
    this.drift = (opts.driftPpm ?? 0) / 1e6;
    this.baseAt = opts.clock.now();
    this.set_ = opts.unsetEpochMs === undefined;
    this.base = opts.unsetEpochMs ?? this.baseAt;
  }

  get isSet(): boolean {
    return this.set_;
  }

  /** The device's idea of now, in epoch ms. */
  now(): number {
    const elapsed = this.clock.now() - this.baseAt;
    return Math.floor(this.base + elapsed * (1 + this.drift));
  }

  set(epochMs: number): void {
    this.base = epochMs;
    this.baseAt = this.clock.now();
    this.set_ = true;
  }

  /** Current Time characteristic (CTS 0x1805 / 0x2A2B): read, write and notify (CTS §3.1). */
  characteristic(): CharacteristicDef {
    return {
      uuid: '2a2b',
      properties: ['read', 'write', 'notify'],
      read: () => encodeCurrentTime(currentTimeFromEpochMs(this.now())),
      write: (value) => {
        let ms: number | undefined;
        try {
          ms = dateTimeToEpochMs(decodeCurrentTime(value).dateTime);
        } catch (e) {
          // CTS §3.1.2.1: a value the server cannot accept gets "Data field ignored" (0x80).
          throw new SimGattError('SIM_ERR_VALUE_REJECTED', `bad Current Time: ${(e as Error).message}`, 0x80);
        }
        if (ms === undefined)
          throw new SimGattError('SIM_ERR_VALUE_REJECTED', 'Current Time is incomplete', 0x80);
        this.set(ms);
      },
    };
  }
}
