import {
  decodeMeasurementInterval,
  encodeIntermediateTemperature,
  encodeMeasurementInterval,
  encodeTemperatureMeasurement,
  encodeTemperatureType,
  epochMsToDateTime,
  type TemperatureMeasurement,
  type TemperatureType,
  type TemperatureUnit,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import { ATT, SimGattError } from '../gatt/errors.js';
import type { CccdMode } from '../gatt/types.js';
import { SimPeripheral } from '../peripheral.js';
import { BatteryModel } from '../physiology/battery.js';
import { BodyTemperatureModel, SITE_OFFSET_C } from '../physiology/body-temperature.js';
import { roundTo, seededStream, uniform } from '../physiology/random.js';
import { normal } from '../prng.js';
import { BatteryLevelReporter } from '../services/battery-level.js';
import { DeviceClock } from '../services/device-clock.js';
import { StoredMeasurements } from '../services/stored-measurements.js';

const HTS = '1809';
const TEMPERATURE_MEASUREMENT = '2a1c';
const TEMPERATURE_TYPE = '2a1d';
const INTERMEDIATE_TEMPERATURE = '2a1e';
const MEASUREMENT_INTERVAL = '2a21';
const VALID_RANGE = '2906';
const BAS = '180f';
const BATTERY_LEVEL = '2a19';

/** Measurement Interval bounds advertised in its Valid Range descriptor; 0 (no periodic measurement) is always allowed. */
const MIN_INTERVAL_S = 1;
const MAX_INTERVAL_S = 3600;
/** ATT "Invalid Attribute Value Length" (Core Vol 3 Part F §3.4.1.1). */
const INVALID_LENGTH = 0x0d;

export interface ThermometerOptions {
  address: string;
  seed: number;
  clock: Clock;
  name?: string;
  /** The fixed measurement site, exposed as Temperature Type 0x2A1D. */
  site?: TemperatureType;
  unit?: TemperatureUnit;
  /** Initial Measurement Interval in seconds; 0 (the default) means measurements only on `measure()`. */
  measurementIntervalS?: number;
  /** Undelivered measurements kept; the oldest is dropped when full. */
  capacity?: number;
  utcOffsetMinutes?: number;
  /** Mean healthy stretch between seeded fevers. */
  meanDaysBetweenFevers?: number;
}

export interface ThermometerReading {
  at: number;
  deviceTime: number;
  celsius: number;
  /** `measure()` (with intermediate values) or the periodic Measurement Interval mode. */
  trigger: 'button' | 'interval';
  frame: Uint8Array;
}

/**
 * Health Thermometer Service (HTS v1.0) with Battery and Device Information. `measure()` is a predictive
 * reading: Intermediate Temperature notifications once a second while the probe warms up, then the
 * Temperature Measurement indication. A non-zero Measurement Interval makes it measure periodically. Results
 * nobody confirmed are kept and indicated, oldest first, once a central enables indications.
 */
export class Thermometer extends SimPeripheral {
  readonly body: BodyTemperatureModel;
  readonly deviceClock: DeviceClock;
  /** Every final measurement, oldest first, delivered or not. */
  readonly readings: ThermometerReading[] = [];
  readonly site: TemperatureType;
  readonly unit: TemperatureUnit;
  private readonly rng: () => number;
  private readonly memory: StoredMeasurements<Uint8Array>;
  private readonly battery: BatteryModel;
  private readonly batteryReporter: BatteryLevelReporter;
  private intervalS = 0;
  private stopInterval: (() => void) | undefined;
  private stopProbe: (() => void) | undefined;

  constructor(opts: ThermometerOptions) {
    super({
      address: opts.address,
      name: opts.name ?? 'Linkwell Thermo',
      clock: opts.clock,
      advertisedServices: [HTS],
    });
    this.site = opts.site ?? 'mouth';
    this.unit = opts.unit ?? 'celsius';
    this.rng = seededStream(opts.seed, 'thermometer');
    this.body = new BodyTemperatureModel({
      seed: opts.seed,
      origin: opts.clock.now(),
      ...(opts.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: opts.utcOffsetMinutes }),
      ...(opts.meanDaysBetweenFevers === undefined
        ? {}
        : { meanDaysBetweenFevers: opts.meanDaysBetweenFevers }),
    });
    this.deviceClock = new DeviceClock({ clock: opts.clock });
    this.memory = new StoredMeasurements({
      capacity: opts.capacity ?? 200,
      listener: () => {
        const c = this.connection;
        return c && c.cccd(HTS, TEMPERATURE_MEASUREMENT) !== 'off' ? c : undefined;
      },
      send: (frame) => this.send(HTS, TEMPERATURE_MEASUREMENT, frame),
    });
    this.battery = new BatteryModel({ origin: opts.clock.now(), percentPerDay: 0.1 });
    this.batteryReporter = new BatteryLevelReporter({
      level: () => this.batteryLevel,
      notify: (v) => this.send(BAS, BATTERY_LEVEL, v),
    });

    this.define(HTS, TEMPERATURE_MEASUREMENT, { properties: ['indicate'] });
    // HTS v1.0 §3.2: a fixed site is exposed here rather than repeated in every measurement.
    this.define(HTS, TEMPERATURE_TYPE, { read: () => encodeTemperatureType(this.site) });
    this.define(HTS, INTERMEDIATE_TEMPERATURE, { properties: ['notify'] });
    this.define(HTS, MEASUREMENT_INTERVAL, {
      properties: ['read', 'write', 'indicate'],
      read: () => encodeMeasurementInterval(this.intervalS),
      write: (value) => this.writeInterval(value),
      // HTS v1.0 §3.4: a writable Measurement Interval carries a Valid Range descriptor.
      descriptors: [
        {
          uuid: VALID_RANGE,
          value: Uint8Array.of(MIN_INTERVAL_S, 0, MAX_INTERVAL_S & 0xff, MAX_INTERVAL_S >> 8),
        },
      ],
    });
    this.defineStandardServices({
      manufacturer: 'Linkwell Sim',
      model: 'Thermo 1',
      battery: () => this.batteryLevel,
    });
    if (opts.measurementIntervalS) this.applyInterval(checkedInterval(opts.measurementIntervalS));
  }

  get measurementIntervalS(): number {
    return this.intervalS;
  }

  get stored(): number {
    return this.memory.size;
  }

  get measuring(): boolean {
    return this.stopProbe !== undefined;
  }

  get batteryLevel(): number {
    return this.battery.levelAt(this.clock.now());
  }

  /** Presses the button: the probe warms up for a few seconds, then the result is indicated or kept. */
  measure(): void {
    if (this.measuring) throw new SimGattError('SIM_ERR_BUSY', 'the thermometer is already measuring');
    const final = this.readSite(this.clock.now());
    const tympanic = this.site === 'ear' || this.site === 'tympanum';
    const steps = tympanic ? 2 : Math.round(uniform(this.rng, 8, 14));
    const start = final - uniform(this.rng, 2, 4);
    let step = 0;
    this.stopProbe = this.clock.setInterval(() => {
      step += 1;
      if (step >= steps) {
        this.stopProbe?.();
        this.stopProbe = undefined;
        this.record(final, 'button');
        return;
      }
      // A probe warms up exponentially towards the tissue temperature.
      const warming = final - (final - start) * Math.exp((-4 * step) / steps);
      const frame = encodeIntermediateTemperature({ unit: this.unit, temperature: this.inUnit(warming) });
      void this.send(HTS, INTERMEDIATE_TEMPERATURE, frame);
    }, 1000);
  }

  /** Changes the interval from the device's own menu; a subscribed central is told by indication (HTS v1.0 §3.4). */
  setMeasurementInterval(seconds: number): void {
    this.applyInterval(checkedInterval(seconds));
    void this.send(HTS, MEASUREMENT_INTERVAL, encodeMeasurementInterval(this.intervalS));
  }

  dispose(): void {
    this.stopInterval?.();
    this.stopInterval = undefined;
    this.stopProbe?.();
    this.stopProbe = undefined;
  }

  protected override onCccdChanged(_conn: unknown, service: string, chr: string, mode: CccdMode): void {
    if (service === HTS && chr === TEMPERATURE_MEASUREMENT && mode !== 'off') this.memory.flush();
    if (service === BAS && chr === BATTERY_LEVEL && mode !== 'off') this.batteryReporter.sync();
  }

  private writeInterval(value: Uint8Array): void {
    let seconds: number;
    try {
      seconds = decodeMeasurementInterval(value);
    } catch (e) {
      throw new SimGattError('SIM_ERR_VALUE_REJECTED', (e as Error).message, INVALID_LENGTH);
    }
    this.applyInterval(checkedInterval(seconds));
  }

  private applyInterval(seconds: number): void {
    this.stopInterval?.();
    this.stopInterval = undefined;
    this.intervalS = seconds;
    if (seconds > 0)
      this.stopInterval = this.clock.setInterval(
        () => this.record(this.readSite(this.clock.now()), 'interval'),
        seconds * 1000,
      );
  }

  /** Temperature at the site in °C to 0.1, as the display shows it. */
  private readSite(atMs: number): number {
    return roundTo(this.body.coreAt(atMs) + SITE_OFFSET_C[this.site] + 0.05 * normal(this.rng), 1);
  }

  private inUnit(celsius: number): number {
    return this.unit === 'celsius' ? roundTo(celsius, 1) : roundTo((celsius * 9) / 5 + 32, 1);
  }

  private record(celsius: number, trigger: ThermometerReading['trigger']): void {
    const at = this.clock.now();
    const deviceTime = this.deviceClock.now();
    const m: TemperatureMeasurement = {
      unit: this.unit,
      temperature: this.inUnit(celsius),
      timestamp: epochMsToDateTime(deviceTime),
    };
    const frame = encodeTemperatureMeasurement(m);
    this.readings.push({ at, deviceTime, celsius, trigger, frame });
    this.battery.consume(0.01);
    this.memory.add(frame);
    this.batteryReporter.check();
  }
}

/** HTS v1.0 §3.4: a value outside the Valid Range is refused with Out of Range (0xFF); 0 switches periodic mode off. */
function checkedInterval(seconds: number): number {
  if (seconds === 0 || (Number.isInteger(seconds) && seconds >= MIN_INTERVAL_S && seconds <= MAX_INTERVAL_S))
    return seconds;
  throw new SimGattError(
    'SIM_ERR_VALUE_REJECTED',
    `measurement interval ${seconds} s is outside ${MIN_INTERVAL_S}-${MAX_INTERVAL_S}`,
    ATT.OUT_OF_RANGE,
  );
}
