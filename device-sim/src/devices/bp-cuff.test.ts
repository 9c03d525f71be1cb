import {
  currentTimeFromEpochMs,
  dateTimeToEpochMs,
  decodeBloodPressureFeature,
  decodeBloodPressureMeasurement,
  decodeIntermediateCuffPressure,
  encodeCurrentTime,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { BloodPressureCuff } from './bp-cuff.js';

const ADDR = 'D0:00:00:00:00:02';
const T0 = Date.UTC(2026, 2, 10, 7, 30);
const HOUR = 3_600_000;
const settle = () => new Promise<void>((r) => setImmediate(r));

function setup(seed = 7, extra: { autoMeasureEveryMs?: number; capacity?: number } = {}) {
  const clock = new ManualClock(T0);
  const cuff = new BloodPressureCuff({ address: ADDR, seed, clock, ...extra });
  const radio = new InMemoryRadio().add(cuff);
  return { clock, cuff, radio };
}

describe('BloodPressureCuff', () => {
  it('notifies cuff pressure each second while pumping and bleeding, then indicates the result', async () => {
    const { clock, cuff, radio } = setup();
    const link = await radio.connect(ADDR);
    const icp: number[] = [];
    const bpm: Uint8Array[] = [];
    await link.subscribe('1810', '2a36', (v) => {
      const m = decodeIntermediateCuffPressure(v);
      expect(m.userId).toBe(1);
      icp.push(m.currentCuffPressure as number);
    });
    await link.subscribe('1810', '2a35', (v) => bpm.push(v));
    cuff.measure();
    expect(cuff.measuring).toBe(true);
    clock.advance(60_000);
    expect(cuff.measuring).toBe(false);
    expect(icp.length).toBeGreaterThanOrEqual(25);
    expect(icp.length).toBeLessThanOrEqual(40);
    const peakAt = icp.indexOf(Math.max(...icp));
    expect(peakAt).toBeGreaterThan(3);
    expect(icp.slice(0, peakAt).every((p, i) => i === 0 || p > icp[i - 1]!)).toBe(true);
    expect(icp.at(-1)!).toBeLessThan(icp[peakAt]! - 60);

    expect(bpm).toHaveLength(1);
    const m = decodeBloodPressureMeasurement(bpm[0]!);
    const truth = cuff.readings[0]!;
    expect(m).toMatchObject({
      unit: 'mmHg',
      systolic: truth.systolic,
      diastolic: truth.diastolic,
      meanArterialPressure: Math.round(truth.diastolic + (truth.systolic - truth.diastolic) / 3),
      pulseRateBpm: truth.pulseRate,
      userId: 1,
    });
    expect(Math.max(...icp)).toBeGreaterThanOrEqual(truth.systolic + 20);
    // Nobody set the clock: the cuff counts from 2000-01-01.
    expect(m.timestamp).toMatchObject({ year: 2000, month: 1, day: 1, hours: 0 });
    // Kept until the confirmation comes back, which the in-memory central sends right away.
    expect(cuff.stored).toBe(1);
    await settle();
    expect(cuff.stored).toBe(0);
    expect(cuff.wire.filter((w) => w.characteristic === '2a35').map((w) => w.kind)).toEqual(['indication']);
  });

  it('stamps measurements with the time a central wrote to Current Time', async () => {
    const { clock, cuff, radio } = setup();
    const link = await radio.connect(ADDR);
    await link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
    const got: Uint8Array[] = [];
    await link.subscribe('1810', '2a35', (v) => got.push(v));
    cuff.measure({ user: 2 });
    clock.advance(60_000);
    const m = decodeBloodPressureMeasurement(got[0]!);
    expect(m.userId).toBe(2);
    expect(dateTimeToEpochMs(m.timestamp!)).toBe(Math.floor(cuff.readings[0]!.at / 1000) * 1000);
  });

  it('keeps results taken while disconnected and indicates them oldest first once a central subscribes', async () => {
    const { clock, cuff, radio } = setup();
    cuff.measure({ user: 1 });
    clock.advance(60_000);
    cuff.measure({ user: 2 });
    clock.advance(60_000);
    expect(cuff.stored).toBe(2);
    const link = await radio.connect(ADDR);
    const got: Uint8Array[] = [];
    await link.subscribe('1810', '2a35', (v) => got.push(v));
    await settle();
    expect(got.map(toHex)).toEqual(cuff.readings.map((r) => toHex(r.frame)));
    expect(got.map((v) => decodeBloodPressureMeasurement(v).userId)).toEqual([1, 2]);
    expect(cuff.stored).toBe(0);
  });

  it('drops a stored result only once its indication is confirmed, surviving a link lost mid-indication', async () => {
    const { clock, cuff, radio } = setup();
    cuff.measure();
    clock.advance(60_000);
    // A central that holds its confirmation back, then goes away.
    const conn = cuff.connect('slow-central');
    let confirm = () => {};
    const seen: string[] = [];
    conn.onValue((_s, _c, v) => {
      seen.push(toHex(v));
      return new Promise<void>((r) => {
        confirm = r;
      });
    });
    await conn.setCccd('1810', '2a35', 'indicate');
    await settle();
    expect(seen).toEqual([toHex(cuff.readings[0]!.frame)]);
    expect(cuff.stored).toBe(1);
    conn.disconnect();
    confirm();
    await settle();
    expect(cuff.stored).toBe(1);

    const link = await radio.connect(ADDR);
    const got: string[] = [];
    await link.subscribe('1810', '2a35', (v) => got.push(toHex(v)));
    await settle();
    expect(got).toEqual(seen);
    expect(cuff.stored).toBe(0);
  });

  it('gives each user slot its own seeded baseline', async () => {
    const { clock, cuff } = setup(19);
    for (let i = 0; i < 12; i++) {
      cuff.measure({ user: 1 });
      clock.advance(HOUR);
      cuff.measure({ user: 2 });
      clock.advance(HOUR);
    }
    const systolic = (u: number) => {
      const xs = cuff.readings.filter((r) => r.user === u).map((r) => r.systolic);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const [a, b] = [cuff.person(1).baseline.systolic, cuff.person(2).baseline.systolic];
    expect(Math.abs(a - b)).toBeGreaterThan(8);
    expect(Math.abs(systolic(1) - a)).toBeLessThan(8);
    expect(Math.abs(systolic(2) - b)).toBeLessThan(8);
    expect(cuff.readings.map((r) => decodeBloodPressureMeasurement(r.frame).userId)).toEqual(
      cuff.readings.map((r) => r.user),
    );
  });

  it('measures on its own in auto mode and flags artefacts in Measurement Status now and then', async () => {
    const { clock, cuff } = setup(3, { autoMeasureEveryMs: HOUR / 2, capacity: 500 });
    clock.advance(7 * 24 * HOUR + 60_000);
    expect(cuff.readings).toHaveLength(7 * 48);
    expect(cuff.stored).toBe(7 * 48);
    const status = cuff.readings.map((r) => decodeBloodPressureMeasurement(r.frame).measurementStatus!);
    const count = (pick: (s: (typeof status)[number]) => boolean) => status.filter(pick).length;
    expect(count((s) => s.bodyMovementDetected)).toBeGreaterThan(3);
    expect(count((s) => s.irregularPulseDetected)).toBeGreaterThan(0);
    expect(count((s) => s.cuffTooLoose)).toBeGreaterThan(0);
    expect(count((s) => s.bodyMovementDetected)).toBeLessThan(status.length / 5);
    expect(status.every((s) => s.rfuBits === 0)).toBe(true);
    cuff.dispose();
    expect(clock.pending).toBe(0);
  });

  it('drops the oldest stored result when its memory is full', async () => {
    const { clock, cuff } = setup(3, { autoMeasureEveryMs: HOUR, capacity: 5 });
    clock.advance(8 * HOUR + 60_000);
    expect(cuff.readings).toHaveLength(8);
    expect(cuff.stored).toBe(5);
  });

  it('refuses a second START while measuring and an unknown user slot', () => {
    const { cuff } = setup();
    expect(() => cuff.measure({ user: 3 as 1 })).toThrow(
      expect.objectContaining({ code: 'SIM_ERR_INVALID_OPTION' }),
    );
    cuff.measure();
    expect(() => cuff.measure()).toThrow(expect.objectContaining({ code: 'SIM_ERR_BUSY' }));
  });

  it('advertises the features it implements in Blood Pressure Feature', async () => {
    const { radio } = setup();
    const link = await radio.connect(ADDR);
    expect(decodeBloodPressureFeature(await link.read('1810', '2a49'))).toEqual({
      supported: [
        'body_movement_detection',
        'cuff_fit_detection',
        'irregular_pulse_detection',
        'pulse_rate_range_detection',
        'measurement_position_detection',
        'multiple_bond',
      ],
      rfuBits: 0,
    });
    expect((await link.characteristics('1810')).map((c) => [c.uuid, c.properties])).toEqual([
      ['2a35', ['indicate']],
      ['2a36', ['notify']],
      ['2a49', ['read']],
    ]);
    expect(await link.services()).toEqual(['1810', '1805', '180f', '180a']);
  });

  it('gives a byte-identical wire log for the same seed and clock schedule, and a different one for another seed', async () => {
    const session = async (seed: number) => {
      const { clock, cuff, radio } = setup(seed);
      cuff.measure({ user: 2 });
      clock.advance(HOUR);
      const link = await radio.connect(ADDR);
      await link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
      await link.subscribe('1810', '2a36', () => {});
      await link.subscribe('1810', '2a35', () => {});
      await settle();
      cuff.measure({ user: 1 });
      clock.advance(HOUR);
      await link.read('180f', '2a19');
      return cuff.wire.map((w) => `${w.at} ${w.characteristic} ${w.kind} ${toHex(w.bytes)}`);
    };
    const a = await session(100);
    expect(a.filter((l) => l.includes(' 2a35 '))).toHaveLength(2);
    expect(await session(100)).toEqual(a);
    expect(await session(101)).not.toEqual(a);
  });
});
