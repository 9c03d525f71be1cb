import { encodeHeartRateMeasurement } from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
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
  private readonly clock: Clock;
  private battery = 100;

  constructor(opts: WristbandOptions) {
    super(opts.address, opts.name ?? 'Linkwell Band', [HRS, '180f']);
    this.clock = opts.clock;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.model = createHeartRateModel({
      seed: opts.seed,
      ...(opts.restingBpm ? { restingBpm: opts.restingBpm } : {}),
    });
    this.define(HRS, HRM, { notifies: true });
    this.define(HRS, BODY_SENSOR_LOCATION, { read: () => Uint8Array.of(2) }); // wrist
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Band 1',
      battery: () => this.battery,
    });
  }

  protected override onSubscribersChanged(key: string, count: number): void {
    if (key !== `${HRS}/${HRM}`) return;
    if (count > 0 && !this.stopTimer)
      this.stopTimer = this.clock.setInterval(() => this.tick(), this.intervalMs);
    if (count === 0 && this.stopTimer) {
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
    this.emit(HRS, HRM, frame);
  }
}
