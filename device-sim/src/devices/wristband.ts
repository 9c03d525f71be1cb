import {
  encodeBodySensorLocation,
  encodeHeartRateMeasurement,
  type HeartRateMeasurement,
  type SensorContact,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import { SimGattError } from '../gatt/errors.js';
import type { CccdMode } from '../gatt/types.js';
import { SimPeripheral } from '../peripheral.js';
import { ActivityModel } from '../physiology/activity.js';
import { BatteryModel } from '../physiology/battery.js';
import { BeatTrain, msTo1024 } from '../physiology/beats.js';
import { HOUR_MS } from '../physiology/circadian.js';
import { EnergyMeter } from '../physiology/energy.js';
import { EpisodeSchedule } from '../physiology/episodes.js';
import { HeartRateModel } from '../physiology/heart-rate.js';
import { seededStream } from '../physiology/random.js';
import { BatteryLevelReporter } from '../services/battery-level.js';

const HRS = '180d';
const HRM = '2a37';
const BODY_SENSOR_LOCATION = '2a38';
const HR_CONTROL_POINT = '2a39';
const BAS = '180f';
const BATTERY_LEVEL = '2a19';

/** HRS v1.0 §3.3: the only Heart Rate Control Point value, "Reset Energy Expended". */
const RESET_ENERGY_EXPENDED = 0x01;
/** HRS v1.0 §3.3: the ATT application error for any other value, "Control Point Not Supported". */
const CONTROL_POINT_NOT_SUPPORTED = 0x80;
/** Bands include Energy Expended in one frame out of ten rather than in every one. */
const ENERGY_EVERY_N_FRAMES = 10;
/** A notification at the default ATT_MTU of 23 carries at most 20 bytes of value. */
const DEFAULT_MTU_PAYLOAD = 20;
const BATTERY_CHECK_MS = 60_000;
/** `sent` keeps about a day of 1 Hz frames; the oldest tenth goes when it is full, as the wire log does. */
const SENT_LIMIT = 100_000;

export interface WristbandOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** Time between notifications; real bands notify about once a second. */
  intervalMs?: number;
  /** Lowest rate of the wearer's day (deep sleep); daytime rest is about 12 bpm higher. */
  restingBpm?: number;
  /** The wearer's time zone, minutes east of UTC; places the circadian rhythm and daytime activity. */
  utcOffsetMinutes?: number;
}

/** One notification as the band built it; `frame` is the encoded 0x2A37 value before any fault filter. */
export interface SentHeartRate {
  at: number;
  bpm: number;
  frame: Uint8Array;
  sensorContact: SensorContact;
  energyExpendedKj?: number;
  rrIntervals1024: number[];
}

/**
 * Heart Rate Service wristband (HRS v1.0) with Battery and Device Information. It notifies only while
 * someone is subscribed, like real firmware, and records what it sent so tests can compare end-to-end
 * aggregates with the truth. The wearer has a circadian rhythm, daytime activity bouts that raise the rate
 * and the Energy Expended count, R-R intervals that match the rate, and now and then a loose strap that
 * loses skin contact.
 */
export class Wristband extends SimPeripheral {
  readonly sent: SentHeartRate[] = [];
  readonly activity: ActivityModel;
  private readonly heart: HeartRateModel;
  private readonly beats: BeatTrain;
  private readonly contactLoss: EpisodeSchedule;
  private readonly energy: EnergyMeter;
  private readonly battery: BatteryModel;
  private readonly batteryReporter: BatteryLevelReporter;
  private readonly intervalMs: number;
  private stopStreaming: (() => void) | undefined;
  private stopBatteryWatch: (() => void) | undefined;
  private framesSinceEnergy = 0;
  private lastBpm: number | undefined;

  constructor(opts: WristbandOptions) {
    super({
      address: opts.address,
      name: opts.name ?? 'Linkwell Band',
      clock: opts.clock,
      advertisedServices: [HRS, BAS],
    });
    const origin = opts.clock.now();
    const offset = opts.utcOffsetMinutes ?? 0;
    this.intervalMs = opts.intervalMs ?? 1000;
    this.activity = new ActivityModel({ seed: opts.seed, origin, utcOffsetMinutes: offset });
    this.heart = new HeartRateModel({
      seed: opts.seed,
      utcOffsetMinutes: offset,
      activity: (t) => this.activity.intensityAt(t),
      ...(opts.restingBpm ? { restingBpm: opts.restingBpm } : {}),
    });
    this.beats = new BeatTrain(opts.seed);
    this.contactLoss = new EpisodeSchedule({
      rng: seededStream(opts.seed, 'skin-contact'),
      origin,
      meanGapMs: 3 * HOUR_MS,
      durationMs: [20_000, 180_000],
    });
    this.energy = new EnergyMeter({ origin, intensity: (t) => this.activity.intensityAt(t) });
    // About five days of continuous streaming, a few weeks idle.
    this.battery = new BatteryModel({ origin, percentPerDay: 4, percentPerActiveHour: 0.65 });
    this.batteryReporter = new BatteryLevelReporter({
      level: () => this.batteryLevel,
      notify: (v) => this.send(BAS, BATTERY_LEVEL, v),
    });

    this.define(HRS, HRM, { properties: ['notify'] });
    this.define(HRS, BODY_SENSOR_LOCATION, { read: () => encodeBodySensorLocation('wrist') });
    this.define(HRS, HR_CONTROL_POINT, {
      properties: ['write'],
      write: (value) => this.controlPoint(value),
    });
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Band 1',
      battery: () => this.batteryLevel,
    });
  }

  /** Whether the band touches the skin at an instant (HRS v1.0 §3.1.1.2 Sensor Contact). */
  skinContactAt(atMs: number): boolean {
    return this.contactLoss.at(atMs) === undefined;
  }

  /** Battery charge in percent, fractional; Battery Level reports it rounded. */
  get batteryLevel(): number {
    return this.battery.levelAt(this.clock.now());
  }

  /** kJ since the last reset through the Heart Rate Control Point. */
  get energyExpendedKj(): number {
    return this.energy.valueAt(this.clock.now());
  }

  /** Stops every timer the band runs (streaming, battery watch). */
  dispose(): void {
    this.setStreaming(false);
    this.setBatteryWatch(false);
  }

  protected override onCccdChanged(_conn: unknown, service: string, chr: string, mode: CccdMode): void {
    if (service === HRS && chr === HRM) this.setStreaming(mode !== 'off');
    if (service === BAS && chr === BATTERY_LEVEL) this.setBatteryWatch(mode !== 'off');
  }

  protected override onDisconnect(): void {
    this.dispose();
  }

  private controlPoint(value: Uint8Array): void {
    if (value.length !== 1 || value[0] !== RESET_ENERGY_EXPENDED)
      throw new SimGattError(
        'SIM_ERR_VALUE_REJECTED',
        `Heart Rate Control Point value ${[...value].join(',')} is not supported`,
        CONTROL_POINT_NOT_SUPPORTED,
      );
    this.energy.reset(this.clock.now());
    // The next frame carries the fresh count, so the client sees its reset take effect.
    this.framesSinceEnergy = 0;
  }

  private setStreaming(on: boolean): void {
    if (on && !this.stopStreaming) {
      this.framesSinceEnergy = 0;
      this.battery.setActive(true, this.clock.now());
      this.stopStreaming = this.clock.setInterval(() => this.tick(), this.intervalMs);
    }
    if (!on && this.stopStreaming) {
      this.stopStreaming();
      this.stopStreaming = undefined;
      this.battery.setActive(false, this.clock.now());
    }
  }

  private setBatteryWatch(on: boolean): void {
    if (on && !this.stopBatteryWatch) {
      this.batteryReporter.sync();
      this.stopBatteryWatch = this.clock.setInterval(() => this.batteryReporter.check(), BATTERY_CHECK_MS);
    }
    if (!on && this.stopBatteryWatch) {
      this.stopBatteryWatch();
      this.stopBatteryWatch = undefined;
    }
  }

  private tick(): void {
    const at = this.clock.now();
    const rate = this.heart.sample(at);
    const contact = this.skinContactAt(at);
    let rrMs: number[] = [];
    if (contact) {
      this.lastBpm = Math.round(rate);
      rrMs = this.beats.beatsUntil(at, rate);
    } else {
      // No beats are detected without skin contact; the band holds its last rate and sends no RR values.
      this.beats.lose();
    }
    const bpm = this.lastBpm ?? Math.round(rate);
    const withEnergy = this.framesSinceEnergy === 0;
    this.framesSinceEnergy = (this.framesSinceEnergy + 1) % ENERGY_EVERY_N_FRAMES;
    const m: Omit<HeartRateMeasurement, 'format'> = {
      heartRateBpm: bpm,
      sensorContact: contact ? 'detected' : 'not_detected',
      rrIntervals1024: rrMs.slice(-rrRoom(bpm, withEnergy)).map(msTo1024),
      ...(withEnergy ? { energyExpendedKj: this.energy.valueAt(at) } : {}),
    };
    const frame = encodeHeartRateMeasurement(m);
    if (this.sent.length >= SENT_LIMIT) this.sent.splice(0, SENT_LIMIT / 10);
    this.sent.push({
      at,
      bpm,
      frame,
      sensorContact: m.sensorContact,
      rrIntervals1024: m.rrIntervals1024,
      ...(m.energyExpendedKj === undefined ? {} : { energyExpendedKj: m.energyExpendedKj }),
    });
    void this.send(HRS, HRM, frame);
  }
}

/**
 * How many RR values fit beside the other fields in one default-MTU notification (HRS v1.0 §3.1.1.4: the
 * count follows from the frame length). The newest are kept; a band streaming at 1 Hz never needs more.
 */
function rrRoom(bpm: number, withEnergy: boolean): number {
  const used = 1 + (bpm > 0xff ? 2 : 1) + (withEnergy ? 2 : 0);
  return Math.floor((DEFAULT_MTU_PAYLOAD - used) / 2);
}
