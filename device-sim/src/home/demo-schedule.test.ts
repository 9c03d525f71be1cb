import {
  bloodPressureBlock,
  decodeHeartRateMeasurement,
  heartRateBlock,
  weightBlock,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import {
  demoHouseholdSchedule,
  demoSchedule,
  generateDemoHistory,
  scheduledOffsets,
} from './demo-schedule.js';
import { createSimulatedHome } from './home.js';

const END = Date.UTC(2026, 11, 7, 9, 30, 17);
const ADDR = { wristband: 'D0:00:00:00:00:01', bpCuff: 'D0:00:00:00:00:02', scale: 'D0:00:00:00:00:03' };

describe('demo schedule', () => {
  it('draws cuff gaps in 60–120 s and scale gaps in 90–150 s, the same for a seed', () => {
    const s = demoSchedule();
    expect(s).toEqual({
      bpCuff: { minMs: 60_000, maxMs: 120_000 },
      scale: { minMs: 90_000, maxMs: 150_000 },
    });
    const hour = 3_600_000;
    const cuff = scheduledOffsets(42, 'bpCuff', s.bpCuff, hour);
    const scale = scheduledOffsets(42, 'scale', s.scale, hour);
    const gaps = (xs: number[]) => xs.map((x, i) => x - (i === 0 ? 0 : xs[i - 1]!));
    for (const g of gaps(cuff)) {
      expect(g).toBeGreaterThanOrEqual(60_000);
      expect(g).toBeLessThanOrEqual(120_000);
    }
    for (const g of gaps(scale)) {
      expect(g).toBeGreaterThanOrEqual(90_000);
      expect(g).toBeLessThanOrEqual(150_000);
    }
    // An hour holds 30–60 cuff turns and 24–40 weighings; seed 42 gives exactly these.
    expect(cuff.length).toBe(40);
    expect(scale.length).toBe(30);
    expect(cuff.slice(0, 3)).toEqual([78_995, 172_436, 248_200]);
    expect(scheduledOffsets(42, 'bpCuff', s.bpCuff, hour)).toEqual(cuff);
    expect(scheduledOffsets(43, 'bpCuff', s.bpCuff, hour)).not.toEqual(cuff);
    expect(() => demoSchedule(0)).not.toThrow();
    expect(() => scheduledOffsets(1, 'scale', { minMs: 0, maxMs: 10 }, hour)).toThrow(RangeError);
  });

  it('makes the cuff and the scale measure on the clock, user 1 only', () => {
    const clock = new ManualClock(END);
    const every = demoSchedule(10);
    const { home, bpCuff, scale } = createSimulatedHome({ clock, seed: 7, addresses: ADDR, schedule: every });
    const tenMinutes = 600_000;
    for (let t = 0; t < tenMinutes; t += 1000) clock.advance(1000);
    const weighings = scheduledOffsets(7, 'scale', every.scale, tenMinutes).length;
    expect(scale.taken.length).toBe(weighings);
    expect(new Set(scale.taken.map((r) => r.userId))).toEqual(new Set([1]));
    // The cuff is busy 26–38 s per measurement, so turns 10–20 s apart are partly skipped.
    expect(bpCuff.readings.length).toBeGreaterThanOrEqual(Math.floor(tenMinutes / 58_000));
    expect(bpCuff.readings.length).toBeLessThanOrEqual(Math.ceil(tenMinutes / 26_000));
    expect(new Set(bpCuff.readings.map((r) => r.user))).toEqual(new Set([1]));
    home.dispose();
    const after = scale.taken.length;
    clock.advance(tenMinutes);
    expect(scale.taken.length).toBe(after);
  });
  it('takes turns between users 1 and 2 in the household schedule, and the dependent steps on the Mi scale', () => {
    const clock = new ManualClock(END);
    const every = demoHouseholdSchedule(10);
    const { home, bpCuff, scale, miScale } = createSimulatedHome({
      clock,
      seed: 7,
      addresses: { ...ADDR, miScale: 'D0:00:00:00:00:06' },
      schedule: every,
    });
    const tenMinutes = 600_000;
    for (let t = 0; t < tenMinutes; t += 1000) clock.advance(1000);
    const weighings = scheduledOffsets(7, 'scale', every.scale, tenMinutes).length;
    expect(scale.taken.map((r) => r.userId)).toEqual(
      Array.from({ length: weighings }, (_, i) => (i % 2 === 0 ? 1 : 2)),
    );
    // Turns alternate even when a busy cuff skips some: each result is the other user's.
    expect(bpCuff.readings.map((r) => r.user)).toEqual(bpCuff.readings.map((_, i) => (i % 2 === 0 ? 1 : 2)));
    const steps = scheduledOffsets(7, 'miScale', every.miScale!, tenMinutes).length;
    expect(steps).toBeGreaterThan(0);
    expect(miScale!.taken.length).toBe(steps);
    for (const r of miScale!.taken) expect(Math.abs(r.weightKg - 27)).toBeLessThan(2);
    home.dispose();
  });
});

describe('demo history', () => {
  const h = generateDemoHistory({ seed: 42, endMs: END });

  it('covers 30 days: a heart rate a minute, blood pressure twice a day, a weight every morning', () => {
    expect(h.toMs).toBe(Date.UTC(2026, 11, 7, 9, 30, 0));
    expect(h.fromMs).toBe(h.toMs - 30 * 86_400_000);
    expect(h.heartRate.length).toBe(30 * 24 * 60);
    // 30 days from 09:30: 30 evenings and 30 mornings (today's 07:30 ± 20 min is in, 30 days ago's is out).
    expect(h.bloodPressure.length).toBe(60);
    expect(h.weight.length).toBe(30);
    expect(h.records.length).toBe(43_200 + 60 + 30);
    for (const r of h.records) expect(r.at >= h.fromMs && r.at < h.toMs).toBe(true);
    expect(h.records.map((r) => r.at)).toEqual([...h.records.map((r) => r.at)].sort((a, b) => a - b));
  });

  it('is plausible by the physiology the devices use', () => {
    const bpm = h.heartRate.map((r) => r.bpm);
    // HeartRateModel: 58 bpm resting + circadian ±6, activity bouts towards 185, clamped to 35–220.
    expect(Math.min(...bpm)).toBeGreaterThanOrEqual(35);
    expect(Math.max(...bpm)).toBeLessThanOrEqual(185);
    const night = h.heartRate.filter((r) => new Date(r.at).getUTCHours() === 3).map((r) => r.bpm);
    const day = h.heartRate.filter((r) => new Date(r.at).getUTCHours() === 16).map((r) => r.bpm);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(night)).toBeGreaterThan(50);
    expect(mean(night)).toBeLessThan(mean(day)); // lowest around 04:00, highest around 16:00
    // BloodPressureModel: baseline 110–145 systolic, ×0.58–0.66 diastolic, circadian ±9/±5, clamps 85–230.
    for (const r of h.bloodPressure) {
      expect(r.systolic).toBeGreaterThanOrEqual(85);
      expect(r.systolic).toBeLessThanOrEqual(230);
      expect(r.diastolic).toBeLessThanOrEqual(r.systolic - 20);
      expect(r.pulseRate).toBeGreaterThanOrEqual(38);
    }
    const hours = h.bloodPressure.map((r) => new Date(r.at).getUTCHours());
    expect(new Set(hours)).toEqual(new Set([7, 20]));
    // SimulatedPerson: Alex at 82 kg, ±1.5 kg season, ±0.4 kg walk, morning low, 0.1 kg noise.
    for (const r of h.weight) {
      expect(r.weightKg).toBeGreaterThan(79);
      expect(r.weightKg).toBeLessThan(85);
      expect(new Date(r.at).getUTCHours()).toBeGreaterThanOrEqual(6);
      expect(new Date(r.at).getUTCHours()).toBeLessThanOrEqual(7);
    }
  });

  it('encodes frames the gateway decodes to the same values, user 1, at the measurement time', () => {
    const hr = h.records.find((r) => r.metric === 'heart_rate')!;
    expect(decodeHeartRateMeasurement(hr.frame).heartRateBpm).toBe(h.heartRate[0]!.bpm);
    expect(heartRateBlock.decode(hr.frame)[0]!.values).toEqual({ bpm: h.heartRate[0]!.bpm });
    const bp = h.records.find((r) => r.metric === 'blood_pressure')!;
    const bpDecoded = bloodPressureBlock.decode(bp.frame)[0]!;
    expect(bpDecoded.slot).toBe(1);
    expect(bpDecoded.deviceTime).toBe(bp.at);
    expect(bpDecoded.values.systolic).toBe(h.bloodPressure[0]!.systolic);
    const w = h.records.find((r) => r.metric === 'body_weight')!;
    const wDecoded = weightBlock.decode(w.frame)[0]!;
    expect(wDecoded.slot).toBe(1);
    expect(wDecoded.deviceTime).toBe(w.at);
    expect(wDecoded.values.weight).toBeCloseTo(h.weight[0]!.weightKg, 2);
  });

  it('is deterministic for a seed and an end', () => {
    const again = generateDemoHistory({ seed: 42, endMs: END });
    const hex = (x: typeof h) => x.records.map((r) => `${r.at}:${Buffer.from(r.frame).toString('hex')}`);
    expect(hex(again)).toEqual(hex(h));
    expect(hex(generateDemoHistory({ seed: 43, endMs: END }))).not.toEqual(hex(h));
  });

  it('adds user 2 (the second adult) without changing user 1, and user 2 decodes as slot 2', () => {
    const both = generateDemoHistory({ seed: 42, endMs: END, secondUser: true });
    const userOf = (r: (typeof both.records)[number]) =>
      r.metric === 'heart_rate'
        ? 1
        : (r.metric === 'blood_pressure' ? bloodPressureBlock : weightBlock).decode(r.frame)[0]!.slot;
    const hex = (rs: typeof both.records) => rs.map((r) => `${r.at}:${Buffer.from(r.frame).toString('hex')}`);
    expect(hex(both.records.filter((r) => userOf(r) === 1))).toEqual(hex(h.records));
    const second = both.records.filter((r) => userOf(r) === 2);
    expect(second.filter((r) => r.metric === 'blood_pressure')).toHaveLength(60);
    expect(second.filter((r) => r.metric === 'body_weight')).toHaveLength(30);
    expect(both.secondUser!.weight).toHaveLength(30);
    // Sam weighs 64 kg (DEMO_SCALE_USERS); a month of daily weighings stays near it.
    for (const w of both.secondUser!.weight) expect(Math.abs(w.weightKg - 64)).toBeLessThan(4);
    expect(both.bloodPressure).toEqual(h.bloodPressure);
  });
});
