import {
  encodePlxContinuous,
  encodePlxFeatures,
  encodePlxSpotCheck,
  epochMsToDateTime,
  type PlxDeviceAndSensorStatusFlag,
  type PlxMeasurementStatusFlag,
  type PlxSpotCheckMeasurement,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import type { CccdMode } from '../gatt/types.js';
import { SimPeripheral } from '../peripheral.js';
import { BatteryModel } from '../physiology/battery.js';
import { OximetryModel, type OximetrySample } from '../physiology/oxygen-saturation.js';
import { BatteryLevelReporter } from '../services/battery-level.js';
import { DeviceClock, UNSET_2000 } from '../services/device-clock.js';
import { RacpServer } from '../services/racp-server.js';
import { RecordStore, type StoredRecord } from '../services/record-store.js';

const PLXS = '1822';
const SPOT_CHECK = '2a5e';
const CONTINUOUS = '2a5f';
const PLX_FEATURES = '2a60';
const RACP = '2a52';
const CTS = '1805';
const BAS = '180f';
const BATTERY_LEVEL = '2a19';

/** Below this perfusion index the signal is weak enough to flag (Device and Sensor Status bit 5). */
const LOW_PERFUSION_PERCENT = 0.6;
/** Continuous values are early estimates until the averaging window has filled. */
const SETTLING_MS = 5_000;

export interface PulseOximeterOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** Spot-check memory; the oldest record is dropped when full. */
  capacity?: number;
  /** Period of PLX Continuous Measurement notifications. */
  continuousIntervalMs?: number;
  utcOffsetMinutes?: number;
  /** Serve only the RACP operators PLXS defines (all records); others get "operator not supported". */
  strictRacp?: boolean;
}

/** A stored spot-check: the reading and the device clock's state when it was taken. */
export interface SpotCheck {
  at: number;
  deviceTime: number;
  clockSet: boolean;
  sample: OximetrySample;
}

const MEASUREMENT_STATUS_SUPPORT: PlxMeasurementStatusFlag[] = [
  'measurement_ongoing',
  'early_estimated_data',
  'validated_data',
  'data_from_measurement_storage',
  'questionable_measurement_detected',
];
const DEVICE_STATUS_SUPPORT: PlxDeviceAndSensorStatusFlag[] = ['low_perfusion_detected', 'sensor_displaced'];

/**
 * Pulse Oximeter Service finger clip (PLXS v1.0.1) with Current Time, Battery and Device Information.
 * Continuous measurements are notified once a second while subscribed. `spotCheck()` takes a spot-check: it
 * is kept in a record store reachable through the Record Access Control Point, and indicated at once if a
 * central listens. The clock starts at 2000-01-01 until Current Time is written, and spot-checks say so
 * (Table 3.3 bit 4, "device clock is not set"). Beyond PLXS, whose RACP defines only "all records", the store
 * also answers the GSS sequence-number operators; `strictRacp` limits it to what PLXS defines.
 */
export class PulseOximeter extends SimPeripheral {
  readonly deviceClock: DeviceClock;
  readonly model: OximetryModel;
  readonly records: RecordStore<SpotCheck>;
  readonly racp: RacpServer<SpotCheck>;
  private readonly continuousMs: number;
  private readonly battery: BatteryModel;
  private readonly batteryReporter: BatteryLevelReporter;
  private stopContinuous: (() => void) | undefined;
  private streamingSince = 0;

  constructor(opts: PulseOximeterOptions) {
    super({
      address: opts.address,
      name: opts.name ?? 'Linkwell Oximeter',
      clock: opts.clock,
      advertisedServices: [PLXS],
    });
    this.continuousMs = opts.continuousIntervalMs ?? 1000;
    this.deviceClock = new DeviceClock({ clock: opts.clock, unsetEpochMs: UNSET_2000 });
    this.model = new OximetryModel({
      seed: opts.seed,
      origin: opts.clock.now(),
      ...(opts.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: opts.utcOffsetMinutes }),
    });
    this.records = new RecordStore({ capacity: opts.capacity ?? 100 });
    this.racp = new RacpServer({
      store: this.records,
      sendRecord: (r) => this.send(PLXS, SPOT_CHECK, spotCheckFrame(r.value, true)),
      indicate: (frame) => this.send(PLXS, RACP, frame),
      indicationsEnabled: () => this.connection?.cccd(PLXS, RACP) === 'indicate',
      ...(opts.strictRacp ? { operators: ['all_records'] as const } : {}),
    });
    this.battery = new BatteryModel({
      origin: opts.clock.now(),
      percentPerDay: 0.5,
      percentPerActiveHour: 1.5,
    });
    this.batteryReporter = new BatteryLevelReporter({
      level: () => this.batteryLevel,
      notify: (v) => this.send(BAS, BATTERY_LEVEL, v),
    });

    this.define(PLXS, SPOT_CHECK, { properties: ['indicate'] });
    this.define(PLXS, CONTINUOUS, { properties: ['notify'] });
    this.define(PLXS, PLX_FEATURES, {
      read: () =>
        encodePlxFeatures({
          supportedFeatures: {
            flags: [
              'measurement_status',
              'device_and_sensor_status',
              'spot_check_measurement_storage',
              'spot_check_timestamp',
              'pulse_amplitude_index',
            ],
            rfuBits: 0,
          },
          measurementStatusSupport: { flags: MEASUREMENT_STATUS_SUPPORT, rfuBits: 0 },
          deviceAndSensorStatusSupport: { flags: DEVICE_STATUS_SUPPORT, rfuBits: 0 },
        }),
    });
    // PLXS v1.0.1 §3.5: storing spot-checks makes the Record Access Control Point mandatory.
    this.addService({ uuid: PLXS, characteristics: [this.racp.characteristic()] });
    this.addService({ uuid: CTS, characteristics: [this.deviceClock.characteristic()] });
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Oxi 1',
      battery: () => this.batteryLevel,
    });
  }

  get stored(): number {
    return this.records.size;
  }

  get batteryLevel(): number {
    return this.battery.levelAt(this.clock.now());
  }

  /** Takes a spot-check: stored for RACP, and indicated live when a central listens and no download runs. */
  spotCheck(): StoredRecord<SpotCheck> {
    const at = this.clock.now();
    const sample = this.model.sample(at, { steady: true });
    const value: SpotCheck = {
      at,
      deviceTime: this.deviceClock.now(),
      clockSet: this.deviceClock.isSet,
      sample,
    };
    const record = this.records.add(value, value.deviceTime);
    this.battery.consume(0.02);
    if (!this.racp.busy) void this.send(PLXS, SPOT_CHECK, spotCheckFrame(value, false));
    this.batteryReporter.check();
    return record;
  }

  dispose(): void {
    this.setStreaming(false);
  }

  protected override onCccdChanged(_conn: unknown, service: string, chr: string, mode: CccdMode): void {
    if (service === PLXS && chr === CONTINUOUS) this.setStreaming(mode !== 'off');
    if (service === BAS && chr === BATTERY_LEVEL && mode !== 'off') this.batteryReporter.sync();
  }

  protected override onDisconnect(): void {
    this.setStreaming(false);
    this.racp.cancel();
  }

  private setStreaming(on: boolean): void {
    if (on && !this.stopContinuous) {
      this.streamingSince = this.clock.now();
      this.battery.setActive(true, this.streamingSince);
      this.stopContinuous = this.clock.setInterval(() => this.continuousTick(), this.continuousMs);
    }
    if (!on && this.stopContinuous) {
      this.stopContinuous();
      this.stopContinuous = undefined;
      this.battery.setActive(false, this.clock.now());
    }
  }

  private continuousTick(): void {
    const at = this.clock.now();
    const s = this.model.sample(at);
    const settling = at - this.streamingSince < SETTLING_MS;
    const status: PlxMeasurementStatusFlag[] = [
      'measurement_ongoing',
      settling ? 'early_estimated_data' : 'validated_data',
    ];
    if (s.displaced) status.push('questionable_measurement_detected');
    const frame = encodePlxContinuous({
      spo2Percent: s.spo2Percent,
      pulseRateBpm: s.pulseRateBpm,
      measurementStatus: { flags: status, rfuBits: 0 },
      deviceAndSensorStatus: { flags: sensorFlags(s), rfuBits: 0 },
      pulseAmplitudeIndexPercent: s.perfusionIndex,
    });
    void this.send(PLXS, CONTINUOUS, frame);
    this.batteryReporter.check();
  }
}

function sensorFlags(s: OximetrySample): PlxDeviceAndSensorStatusFlag[] {
  const flags: PlxDeviceAndSensorStatusFlag[] = [];
  if (s.perfusionIndex < LOW_PERFUSION_PERCENT) flags.push('low_perfusion_detected');
  if (s.displaced) flags.push('sensor_displaced');
  return flags;
}

/** PLXS v1.0.1 Table 3.4: a record sent in answer to RACP carries "Data from Measurement Storage". */
function spotCheckFrame(v: SpotCheck, fromStorage: boolean): Uint8Array {
  const m: PlxSpotCheckMeasurement = {
    spo2Percent: v.sample.spo2Percent,
    pulseRateBpm: v.sample.pulseRateBpm,
    timestamp: epochMsToDateTime(v.deviceTime),
    deviceClockNotSet: !v.clockSet,
    measurementStatus: {
      flags: fromStorage ? ['validated_data', 'data_from_measurement_storage'] : ['validated_data'],
      rfuBits: 0,
    },
    deviceAndSensorStatus: { flags: sensorFlags(v.sample), rfuBits: 0 },
    pulseAmplitudeIndexPercent: v.sample.perfusionIndex,
  };
  return encodePlxSpotCheck(m);
}
