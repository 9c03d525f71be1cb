import { encodeHeartRateMeasurement } from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import type { SimConnection } from '../gatt/connection.js';
import type { CccdMode } from '../gatt/types.js';
import { SimPeripheral } from '../peripheral.js';
import { createHeartRateModel, rrFromBpm } from '../physiology/heart-rate.js';

const HRS = '180d';
const HRM = '2a37';
const BODY_SENSOR_LOCATION = '2a38';

export interface WristbandOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** Time between notifications; real bands notify about once a second. */
  intervalMs?: number;
  restingBpm?: number;
}

export interface SentHeartRate {
  at: number;
  bpm: number;
  frame: Uint8Array;
}

/**
 * Heart Rate Service wristband. It notifies only while someone is subscribed, like real firmware,
 * and records what it sent so tests can compare end-to-end aggregates with the truth.
 */
export class Wristband extends SimPeripheral {
  readonly sent: SentHeartRate[] = [];
  private stopTimer: (() => void) | undefined;
  private readonly model: (atMs: number) => number;
  private readonly intervalMs: number;
  private battery = 100;

  constructor(opts: WristbandOptions) {
    super({
      address: opts.address,
      name: opts.name ?? 'Linkwell Band',
      clock: opts.clock,
      advertisedServices: [HRS, '180f'],
    });
    this.intervalMs = opts.intervalMs ?? 1000;
    this.model = createHeartRateModel({
      seed: opts.seed,
      ...(opts.restingBpm ? { restingBpm: opts.restingBpm } : {}),
    });
    this.define(HRS, HRM, { properties: ['notify'] });
    this.define(HRS, BODY_SENSOR_LOCATION, { read: () => Uint8Array.of(2) }); // wrist
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Band 1',
      battery: () => this.battery,
    });
  }

  protected override onCccdChanged(_conn: SimConnection, service: string, chr: string, mode: CccdMode): void {
    if (service !== HRS || chr !== HRM) return;
    this.setStreaming(mode !== 'off');
  }

  protected override onDisconnect(): void {
    this.setStreaming(false);
  }

  private setStreaming(on: boolean): void {
    if (on && !this.stopTimer) this.stopTimer = this.clock.setInterval(() => this.tick(), this.intervalMs);
    if (!on && this.stopTimer) {
      this.stopTimer();
      this.stopTimer = undefined;
    }
  }

  private tick(): void {
    const at = this.clock.now();
    const bpm = this.model(at);
    const frame = encodeHeartRateMeasurement({
      heartRateBpm: bpm,
      sensorContact: 'detected',
      rrIntervals1024: [rrFromBpm(bpm)],
    });
    this.battery = Math.max(5, this.battery - 0.001);
    this.sent.push({ at, bpm, frame });
    void this.send(HRS, HRM, frame);
  }
}
