import {
  type BloodPressureMeasurement,
  type BloodPressureStatus,
  encodeBloodPressureFeature,
  encodeBloodPressureMeasurement,
  encodeIntermediateCuffPressure,
  epochMsToDateTime,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import { SimGattError } from '../gatt/errors.js';
import type { CccdMode } from '../gatt/types.js';
import { SimPeripheral } from '../peripheral.js';
import { BatteryModel } from '../physiology/battery.js';
import { BloodPressureModel, type BloodPressureSample } from '../physiology/blood-pressure.js';
import { cuffPressureAt, planCuffCycle } from '../physiology/cuff-pressure.js';
import { seededStream } from '../physiology/random.js';
import { BatteryLevelReporter } from '../services/battery-level.js';
import { DeviceClock, UNSET_2000 } from '../services/device-clock.js';
import { StoredMeasurements } from '../services/stored-measurements.js';

const BLS = '1810';
const BP_MEASUREMENT = '2a35';
const INTERMEDIATE_CUFF_PRESSURE = '2a36';
const BP_FEATURE = '2a49';
const CTS = '1805';
const BAS = '180f';
const BATTERY_LEVEL = '2a19';

/** Intermediate Cuff Pressure goes out about once a second while the cuff works (BLS v1.1.1 §3.2). */
const ICP_PERIOD_MS = 1000;
/** Pulse-rate range limits for Measurement Status bits 3-4; BLS leaves the limits to the device. */
const PULSE_LOWER_LIMIT = 50;
const PULSE_UPPER_LIMIT = 100;

export type CuffUser = 1 | 2;

export interface BloodPressureCuffOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** Demo auto mode: user 1 takes a measurement every this many ms. Off unless given. */
  autoMeasureEveryMs?: number;
  /** Undelivered measurements the cuff keeps; the oldest is dropped when full. */
  capacity?: number;
  /** The users' time zone, minutes east of UTC; places the daily blood-pressure rhythm. */
  utcOffsetMinutes?: number;
}

/** One finished measurement, as the cuff produced it. */
export interface CuffReading extends BloodPressureSample {
  user: CuffUser;
  /** Simulation time the result was ready. */
  at: number;
  /** The cuff's own clock at that moment (2000-01-01 based until Current Time is written). */
  deviceTime: number;
  measurement: BloodPressureMeasurement;
  frame: Uint8Array;
}

/**
 * Blood Pressure Service cuff (BLS v1.1.1) with Current Time, Battery and Device Information. `measure()`
 * pumps and bleeds the cuff over 26-38 s, notifying Intermediate Cuff Pressure each second to a subscriber,
 * then indicates the result, or keeps it until a central enables indications and confirms it. Two user slots
 * hold two people with their own seeded blood pressure. The clock starts at 2000-01-01 until a central
 * writes Current Time, as after a battery change.
 */
export class BloodPressureCuff extends SimPeripheral {
  readonly deviceClock: DeviceClock;
  /** Every finished measurement, oldest first, delivered or not. */
  readonly readings: CuffReading[] = [];
  private readonly seed: number;
  private readonly offset: number;
  private readonly users = new Map<CuffUser, BloodPressureModel>();
  private readonly mechanics: () => number;
  private readonly memory: StoredMeasurements<Uint8Array>;
  private readonly battery: BatteryModel;
  private readonly batteryReporter: BatteryLevelReporter;
  private stopCycle: (() => void) | undefined;
  private stopAuto: (() => void) | undefined;

  constructor(opts: BloodPressureCuffOptions) {
    super({
      address: opts.address,
      name: opts.name ?? 'Linkwell Cuff',
      clock: opts.clock,
      advertisedServices: [BLS],
    });
    this.seed = opts.seed;
    this.offset = opts.utcOffsetMinutes ?? 0;
    this.mechanics = seededStream(opts.seed, 'cuff-mechanics');
    this.deviceClock = new DeviceClock({ clock: opts.clock, unsetEpochMs: UNSET_2000 });
    this.memory = new StoredMeasurements({
      capacity: opts.capacity ?? 100,
      listener: () => {
        const c = this.connection;
        return c && c.cccd(BLS, BP_MEASUREMENT) !== 'off' ? c : undefined;
      },
      send: (frame) => this.send(BLS, BP_MEASUREMENT, frame),
    });
    // Four AA cells: a slow standby drain plus the pump's share of every measurement.
    this.battery = new BatteryModel({ origin: opts.clock.now(), percentPerDay: 0.05 });
    this.batteryReporter = new BatteryLevelReporter({
      level: () => this.batteryLevel,
      notify: (v) => this.send(BAS, BATTERY_LEVEL, v),
    });

    // BLS v1.1.1 §3.1: Blood Pressure Measurement is indicated; §3.2: Intermediate Cuff Pressure notified.
    this.define(BLS, BP_MEASUREMENT, { properties: ['indicate'] });
    this.define(BLS, INTERMEDIATE_CUFF_PRESSURE, { properties: ['notify'] });
    this.define(BLS, BP_FEATURE, {
      read: () =>
        encodeBloodPressureFeature({
          supported: [
            'body_movement_detection',
            'cuff_fit_detection',
            'irregular_pulse_detection',
            'pulse_rate_range_detection',
            'measurement_position_detection',
            'multiple_bond',
          ],
          rfuBits: 0,
        }),
    });
    this.addService({ uuid: CTS, characteristics: [this.deviceClock.characteristic()] });
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Cuff 2',
      battery: () => this.batteryLevel,
    });

    if (opts.autoMeasureEveryMs)
      this.stopAuto = this.clock.setInterval(() => {
        if (!this.measuring) this.measure({ user: 1 });
      }, opts.autoMeasureEveryMs);
  }

  /** Measurements waiting for a central to confirm them. */
  get stored(): number {
    return this.memory.size;
  }

  get measuring(): boolean {
    return this.stopCycle !== undefined;
  }

  get batteryLevel(): number {
    return this.battery.levelAt(this.clock.now());
  }

  /** The seeded person behind a user slot. */
  person(user: CuffUser): BloodPressureModel {
    let model = this.users.get(user);
    if (!model) {
      model = new BloodPressureModel({ seed: this.seed, user, utcOffsetMinutes: this.offset });
      this.users.set(user, model);
    }
    return model;
  }

  /** Presses START for a user: inflate, deflate, then deliver or store the result. */
  measure(opts: { user?: CuffUser } = {}): void {
    const user = opts.user ?? 1;
    if (user !== 1 && user !== 2)
      throw new SimGattError(
        'SIM_ERR_INVALID_OPTION',
        `the cuff has user slots 1 and 2, not ${String(user)}`,
      );
    if (this.measuring) throw new SimGattError('SIM_ERR_BUSY', 'the cuff is already measuring');
    const sample = this.person(user).sample(this.clock.now());
    const cycle = planCuffCycle(this.mechanics, sample);
    let elapsed = 0;
    this.stopCycle = this.clock.setInterval(() => {
      elapsed += ICP_PERIOD_MS;
      const pressure = cuffPressureAt(cycle, elapsed);
      if (pressure === undefined) {
        this.stopCycle?.();
        this.stopCycle = undefined;
        this.finish(user, sample);
        return;
      }
      const icp = encodeIntermediateCuffPressure({
        unit: 'mmHg',
        currentCuffPressure: pressure,
        userId: user,
      });
      void this.send(BLS, INTERMEDIATE_CUFF_PRESSURE, icp);
    }, ICP_PERIOD_MS);
  }

  /** Stops the auto-mode timer and any measurement in progress. */
  dispose(): void {
    this.stopAuto?.();
    this.stopAuto = undefined;
    this.stopCycle?.();
    this.stopCycle = undefined;
  }

  protected override onCccdChanged(_conn: unknown, service: string, chr: string, mode: CccdMode): void {
    if (service === BLS && chr === BP_MEASUREMENT && mode !== 'off') this.memory.flush();
    if (service === BAS && chr === BATTERY_LEVEL && mode !== 'off') this.batteryReporter.sync();
  }

  private finish(user: CuffUser, sample: BloodPressureSample): void {
    const at = this.clock.now();
    const deviceTime = this.deviceClock.now();
    const measurement: BloodPressureMeasurement = {
      unit: 'mmHg',
      systolic: sample.systolic,
      diastolic: sample.diastolic,
      meanArterialPressure: sample.meanArterial,
      timestamp: epochMsToDateTime(deviceTime),
      pulseRateBpm: sample.pulseRate,
      userId: user,
      measurementStatus: statusOf(sample),
    };
    const frame = encodeBloodPressureMeasurement(measurement);
    this.readings.push({ ...sample, user, at, deviceTime, measurement, frame });
    this.battery.consume(0.2);
    this.memory.add(frame);
    this.batteryReporter.check();
  }
}

/** Measurement Status (BLS v1.1.1 §3.1, GSS "Blood Pressure Measurement"): one bit per detected artefact. */
export function statusOf(s: BloodPressureSample): BloodPressureStatus {
  let pulseRateRange: BloodPressureStatus['pulseRateRange'] = 'within_range';
  if (s.pulseRate > PULSE_UPPER_LIMIT) pulseRateRange = 'above_upper_limit';
  if (s.pulseRate < PULSE_LOWER_LIMIT) pulseRateRange = 'below_lower_limit';
  return {
    bodyMovementDetected: s.bodyMovement,
    cuffTooLoose: s.cuffTooLoose,
    irregularPulseDetected: s.irregularPulse,
    pulseRateRange,
    improperMeasurementPosition: s.improperPosition,
    rfuBits: 0,
  };
}
