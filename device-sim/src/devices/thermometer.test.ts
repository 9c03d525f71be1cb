import {
  dateTimeToEpochMs,
  decodeIntermediateTemperature,
  decodeMeasurementInterval,
  decodeTemperatureMeasurement,
  decodeTemperatureType,
  encodeMeasurementInterval,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { Thermometer, type ThermometerOptions } from './thermometer.js';

const ADDR = 'D0:00:00:00:00:04';
const T0 = Date.UTC(2026, 1, 1, 8);
const DAY = 86_400_000;
const settle = () => new Promise<void>((r) => setImmediate(r));

function setup(seed = 9, extra: Partial<ThermometerOptions> = {}) {
  const clock = new ManualClock(T0);
  const thermo = new Thermometer({ address: ADDR, seed, clock, ...extra });
  return { clock, thermo, radio: new InMemoryRadio().add(thermo) };
}

describe('Thermometer', () => {
  it('notifies warming intermediate temperatures, then indicates the final one with a time stamp', async () => {
    const { clock, thermo, radio } = setup();
    const link = await radio.connect(ADDR);
    expect(decodeTemperatureType(await link.read('1809', '2a1d'))).toBe('mouth');
    const warming: number[] = [];
    const finals: Uint8Array[] = [];
    await link.subscribe('1809', '2a1e', (v) =>
      warming.push(decodeIntermediateTemperature(v).temperature as number),
    );
    await link.subscribe('1809', '2a1c', (v) => finals.push(v));
    thermo.measure();
    clock.advance(20_000);
    expect(warming.length).toBeGreaterThanOrEqual(7);
    expect(warming.length).toBeLessThanOrEqual(13);
    for (let i = 1; i < warming.length; i++) expect(warming[i]!).toBeGreaterThanOrEqual(warming[i - 1]!);
    const m = decodeTemperatureMeasurement(finals[0]!);
    const truth = thermo.readings[0]!;
    expect(m.unit).toBe('celsius');
    expect(m.temperature).toBe(truth.celsius);
    expect(truth.celsius).toBeGreaterThan(36);
    expect(truth.celsius).toBeLessThan(37.5);
    expect(warming.at(-1)!).toBeLessThan(truth.celsius);
    expect(m.temperatureType).toBeUndefined();
    expect(dateTimeToEpochMs(m.timestamp!)).toBe(Math.floor(truth.at / 1000) * 1000);
  });

  it('reports in Fahrenheit when built so', async () => {
    const { clock, thermo, radio } = setup(9, { unit: 'fahrenheit', site: 'ear' });
    const link = await radio.connect(ADDR);
    const finals: Uint8Array[] = [];
    await link.subscribe('1809', '2a1c', (v) => finals.push(v));
    thermo.measure();
    clock.advance(5_000);
    const m = decodeTemperatureMeasurement(finals[0]!);
    expect(m.unit).toBe('fahrenheit');
    expect(m.temperature).toBe(Math.round(((thermo.readings[0]!.celsius * 9) / 5 + 32) * 10) / 10);
  });

  it('measures every Measurement Interval, keeps what nobody heard, and delivers it oldest first', async () => {
    const { clock, thermo, radio } = setup();
    const link = await radio.connect(ADDR);
    await link.write('1809', '2a21', encodeMeasurementInterval(600));
    expect(decodeMeasurementInterval(await link.read('1809', '2a21'))).toBe(600);
    await link.disconnect();
    clock.advance(3_600_000);
    expect(thermo.readings.map((r) => r.at - T0)).toEqual([1, 2, 3, 4, 5, 6].map((k) => k * 600_000));
    expect(thermo.stored).toBe(6);
    const again = await radio.connect(ADDR);
    const got: string[] = [];
    await again.subscribe('1809', '2a1c', (v) => got.push(toHex(v)));
    await settle();
    expect(got).toEqual(thermo.readings.map((r) => toHex(r.frame)));
    expect(thermo.stored).toBe(0);
    await again.write('1809', '2a21', encodeMeasurementInterval(0));
    clock.advance(3_600_000);
    expect(thermo.readings).toHaveLength(6);
  });

  it('refuses an interval outside its Valid Range with Out of Range and a wrong length with 0x0D', async () => {
    const { radio, thermo } = setup();
    const link = await radio.connect(ADDR);
    await expect(link.write('1809', '2a21', encodeMeasurementInterval(4000))).rejects.toMatchObject({
      code: 'SIM_ERR_VALUE_REJECTED',
      att: 0xff,
    });
    await expect(link.write('1809', '2a21', Uint8Array.of(1))).rejects.toMatchObject({ att: 0x0d });
    expect(thermo.measurementIntervalS).toBe(0);
    const chr = thermo.findCharacteristic('1809', '2a21')!;
    expect(chr.descriptors?.map((d) => [d.uuid, toHex(d.value)])).toEqual([['2906', '0100100e']]);
  });

  it('indicates an interval changed on the device to a subscribed central', async () => {
    const { radio, thermo } = setup();
    const link = await radio.connect(ADDR);
    const got: number[] = [];
    await link.subscribe('1809', '2a21', (v) => got.push(decodeMeasurementInterval(v)));
    thermo.setMeasurementInterval(300);
    expect(got).toEqual([300]);
    expect(thermo.wire.at(-1)).toMatchObject({ characteristic: '2a21', kind: 'indication' });
  });

  it('runs seeded fevers: fast-forwarding 200 days of hourly readings finds fevers above 38 °C and none outside them', () => {
    const started = performance.now();
    const { clock, thermo } = setup(31, { measurementIntervalS: 3600, capacity: 10 });
    clock.advance(200 * DAY);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(thermo.readings).toHaveLength(200 * 24);
    expect(thermo.stored).toBe(10);
    const fevers = thermo.body.feversBetween(T0, T0 + 200 * DAY);
    expect(fevers.length).toBeGreaterThanOrEqual(3);
    const inFever = (t: number) => fevers.some((f) => t >= f.start && t < f.end);
    const healthy = thermo.readings.filter((r) => !inFever(r.at)).map((r) => r.celsius);
    const feverish = thermo.readings.filter((r) => inFever(r.at)).map((r) => r.celsius);
    expect(Math.max(...healthy)).toBeLessThan(37.4);
    expect(Math.min(...healthy)).toBeGreaterThan(35.8);
    expect(Math.max(...feverish)).toBeGreaterThan(38);
    for (const f of fevers) {
      const peak = Math.max(
        ...thermo.readings.filter((r) => r.at >= f.start && r.at < f.end).map((r) => r.celsius),
      );
      expect(peak).toBeGreaterThan(37.6);
    }
  });

  it('gives a byte-identical wire log for the same seed and clock schedule, and a different one for another seed', async () => {
    const session = async (seed: number) => {
      const { clock, thermo, radio } = setup(seed, { measurementIntervalS: 900 });
      clock.advance(2 * 3_600_000);
      const link = await radio.connect(ADDR);
      await link.subscribe('1809', '2a1e', () => {});
      await link.subscribe('1809', '2a1c', () => {});
      await settle();
      thermo.measure();
      clock.advance(3_600_000);
      // One indication is outstanding at a time: the rest of the hour's results follow its confirmation.
      await settle();
      await link.read('1809', '2a21');
      return thermo.wire.map((w) => `${w.at} ${w.characteristic} ${w.kind} ${toHex(w.bytes)}`);
    };
    const a = await session(50);
    expect(a.filter((l) => l.includes(' 2a1c '))).toHaveLength(8 + 1 + 4);
    expect(await session(50)).toEqual(a);
    expect(await session(51)).not.toEqual(a);
  });
});
