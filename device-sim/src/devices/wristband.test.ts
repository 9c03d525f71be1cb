import {
  decodeBatteryLevel,
  decodeBodySensorLocation,
  decodeHeartRateMeasurement,
  type HeartRateMeasurement,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { Wristband } from './wristband.js';

const ADDR = 'D0:00:00:00:00:01';
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function run(seed: number, seconds: number) {
  const clock = new ManualClock(T0);
  const band = new Wristband({ address: ADDR, seed, clock });
  const link = await new InMemoryRadio().add(band).connect(ADDR);
  const got: number[] = [];
  await link.subscribe('180d', '2a37', (v) => got.push(decodeHeartRateMeasurement(v).heartRateBpm));
  clock.advance(seconds * 1000);
  return { band, got, link, clock };
}

/** A band fast-forwarded unsubscribed to `startAt`, then listened to for `seconds`. */
async function listen(seed: number, startAt: number, seconds: number) {
  const clock = new ManualClock(T0);
  const band = new Wristband({ address: ADDR, seed, clock });
  clock.advance(startAt - T0);
  const link = await new InMemoryRadio().add(band).connect(ADDR);
  const frames: HeartRateMeasurement[] = [];
  const off = await link.subscribe('180d', '2a37', (v) => frames.push(decodeHeartRateMeasurement(v)));
  clock.advance(seconds * 1000);
  return { band, frames, link, clock, off };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Wristband', () => {
  it('notifies one decodable frame per second while subscribed: 10 frames in 10 s', async () => {
    const { band, got } = await run(42, 10);
    expect(got).toHaveLength(10);
    expect(got).toEqual(band.sent.map((s) => s.bpm));
    expect(band.sent.map((s) => s.at)).toEqual(
      Array.from({ length: 10 }, (_, i) => Date.UTC(2026, 0, 1) + (i + 1) * 1000),
    );
  });

  it('replays the same heart rates for seed 42 and different ones for seed 43', async () => {
    const a = await run(42, 30);
    const b = await run(42, 30);
    const c = await run(43, 30);
    expect(a.got).toEqual(b.got);
    expect(a.got).not.toEqual(c.got);
    for (const bpm of a.got) expect(bpm).toBeGreaterThanOrEqual(35);
  });

  it('stops notifying after the link drops', async () => {
    const { band, link, clock } = await run(1, 3);
    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    await link.disconnect();
    clock.advance(5000);
    expect(band.sent).toHaveLength(3);
    expect(reasons).toEqual(['local host terminated connection']);
    expect(clock.pending).toBe(0);
    await expect(link.read('180f', '2a19')).rejects.toMatchObject({ code: 'SIM_ERR_DISCONNECTED' });
  });

  it('answers Body Sensor Location with 0x02 (wrist) and battery with 100 %', async () => {
    const { link } = await run(1, 0);
    expect([...(await link.read('180d', '2a38'))]).toEqual([2]);
    expect(decodeBodySensorLocation(await link.read('180d', '2a38'))).toBe('wrist');
    expect([...(await link.read('180f', '2a19'))]).toEqual([100]);
  });

  it('records in `sent` exactly the frames it notified, with their decoded fields', async () => {
    const clock = new ManualClock(T0);
    const band = new Wristband({ address: ADDR, seed: 5, clock });
    const link = await new InMemoryRadio().add(band).connect(ADDR);
    const raw: Uint8Array[] = [];
    await link.subscribe('180d', '2a37', (v) => raw.push(v));
    clock.advance(30_000);
    expect(raw.map(toHex)).toEqual(band.sent.map((s) => toHex(s.frame)));
    for (const [i, s] of band.sent.entries()) {
      const m = decodeHeartRateMeasurement(raw[i]!);
      expect(m.heartRateBpm).toBe(s.bpm);
      expect(m.sensorContact).toBe(s.sensorContact);
      expect(m.rrIntervals1024).toEqual(s.rrIntervals1024);
      expect(m.energyExpendedKj).toBe(s.energyExpendedKj);
    }
  });

  it('runs a circadian rhythm: rest at 04:00 is at least 6 bpm below rest in the afternoon', async () => {
    const probe = new Wristband({ address: ADDR, seed: 11, clock: new ManualClock(T0) });
    // An afternoon stretch with no bout in it or in the ten minutes before (the heart needs time to settle).
    let quiet = T0 + 14 * HOUR;
    while (probe.activity.boutsBetween(quiet - 15 * 60_000, quiet + 120_000).length > 0) quiet += 5 * 60_000;
    expect(quiet).toBeLessThan(T0 + 19 * HOUR);
    const night = await listen(11, T0 + 4 * HOUR, 120);
    const day = await listen(11, quiet, 120);
    expect(probe.activity.boutsBetween(T0 + 3 * HOUR, T0 + 5 * HOUR)).toEqual([]);
    const nightMean = mean(night.frames.map((f) => f.heartRateBpm));
    expect(mean(day.frames.map((f) => f.heartRateBpm)) - nightMean).toBeGreaterThan(6);
    expect(nightMean).toBeLessThan(62);
  });

  it('raises the rate during a seeded activity bout and never starts one at night', async () => {
    const probe = new Wristband({ address: ADDR, seed: 21, clock: new ManualClock(T0) });
    const bouts = probe.activity.boutsBetween(T0, T0 + 3 * DAY);
    expect(bouts.length).toBeGreaterThan(5);
    for (const b of bouts) expect(new Date(b.start).getUTCHours()).toBeGreaterThanOrEqual(7);
    const hard = bouts.find((b) => b.magnitude > 0.6 && b.end - b.start > 15 * 60_000)!;
    expect(hard).toBeDefined();
    const before = await listen(21, hard.start - 10 * 60_000, 120);
    const during = await listen(21, hard.start + 5 * 60_000, 120);
    expect(mean(during.frames.map((f) => f.heartRateBpm))).toBeGreaterThan(
      mean(before.frames.map((f) => f.heartRateBpm)) + 40,
    );
  });

  it('reports R-R intervals that add up to the elapsed time and match the rate', async () => {
    const { band, frames } = await listen(3, T0 + 10 * HOUR, 300);
    const contact = band.sent.filter((s) => s.sensorContact === 'detected');
    expect(contact.length).toBe(300);
    const rrMs = frames.flatMap((f) => f.rrIntervals1024.map((r) => (r * 1000) / 1024));
    // Beats fill the five minutes, give or take the first frame (no history) and the beat in progress.
    expect(rrMs.reduce((a, b) => a + b, 0)).toBeGreaterThan(297_000 - 2 * 1500);
    expect(rrMs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(300_000);
    const rateFromRr = 60_000 / mean(rrMs);
    expect(Math.abs(rateFromRr - mean(frames.map((f) => f.heartRateBpm)))).toBeLessThan(3);
  });

  it('flags lost skin contact in bits 1-2 and sends no R-R values meanwhile', async () => {
    const probe = new Wristband({ address: ADDR, seed: 8, clock: new ManualClock(T0) });
    let lost = T0;
    while (probe.skinContactAt(lost)) lost += 5_000;
    const { band, frames } = await listen(8, lost - 60_000, 300);
    const raw = band.sent.map((s) => s.frame[0]! & 0x06);
    const detected = band.sent.map((s) => band.skinContactAt(s.at));
    expect(detected).toContain(false);
    expect(detected).toContain(true);
    for (const [i, ok] of detected.entries()) {
      expect(raw[i]).toBe(ok ? 0x06 : 0x04);
      expect(frames[i]!.sensorContact).toBe(ok ? 'detected' : 'not_detected');
      if (!ok) expect(frames[i]!.rrIntervals1024).toEqual([]);
    }
  });

  it('includes Energy Expended in every 10th frame, growing faster during activity', async () => {
    const { frames } = await listen(4, T0 + 12 * HOUR, 60);
    expect(frames.map((f, i) => [i, f.energyExpendedKj !== undefined])).toEqual(
      frames.map((_, i) => [i, i % 10 === 0]),
    );
    const energy = frames.flatMap((f) => (f.energyExpendedKj === undefined ? [] : [f.energyExpendedKj]));
    // Half a day at ~7 MJ/day resting plus bouts.
    expect(energy[0]!).toBeGreaterThan(3400);
    for (let i = 1; i < energy.length; i++) expect(energy[i]!).toBeGreaterThanOrEqual(energy[i - 1]!);
  });

  it('resets Energy Expended on Heart Rate Control Point 0x01 and refuses other values with ATT 0x80', async () => {
    const { frames, link, clock } = await listen(4, T0 + 6 * HOUR, 5);
    expect(frames[0]!.energyExpendedKj).toBeGreaterThan(1000);
    await link.write('180d', '2a39', Uint8Array.of(0x01));
    clock.advance(1000);
    expect(frames).toHaveLength(6);
    expect(frames[5]!.energyExpendedKj).toBeLessThan(2);
    await expect(link.write('180d', '2a39', Uint8Array.of(0x02))).rejects.toMatchObject({
      code: 'SIM_ERR_VALUE_REJECTED',
      att: 0x80,
    });
    await expect(link.read('180d', '2a39')).rejects.toMatchObject({ code: 'SIM_ERR_NOT_PERMITTED' });
  });

  it('saturates Energy Expended at 0xFFFF after fast-forwarding twelve days', async () => {
    const started = performance.now();
    const { frames } = await listen(4, T0 + 12 * DAY, 1);
    expect(frames[0]!.energyExpendedKj).toBe(0xffff);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('drains its battery over days and notifies each whole-percent step to a subscriber', async () => {
    const clock = new ManualClock(T0);
    const band = new Wristband({ address: ADDR, seed: 2, clock });
    clock.advance(2 * DAY);
    const link = await new InMemoryRadio().add(band).connect(ADDR);
    const idle = decodeBatteryLevel(await link.read('180f', '2a19')).percent;
    expect(idle).toBe(92); // 4 % a day without streaming
    const levels: number[] = [];
    await link.subscribe('180f', '2a19', (v) => levels.push(decodeBatteryLevel(v).percent));
    await link.subscribe('180d', '2a37', () => {});
    clock.advance(6 * HOUR);
    expect(levels).toEqual([91, 90, 89, 88, 87]);
    expect(decodeBatteryLevel(await link.read('180f', '2a19')).percent).toBe(87);
  });

  it('gives a byte-identical wire log for the same seed and clock schedule, and a different one for another seed', async () => {
    const session = async (seed: number) => {
      const clock = new ManualClock(T0);
      const band = new Wristband({ address: ADDR, seed, clock });
      clock.advance(9 * HOUR);
      const link = await new InMemoryRadio().add(band).connect(ADDR);
      await link.read('180d', '2a38');
      await link.subscribe('180f', '2a19', () => {});
      const off = await link.subscribe('180d', '2a37', () => {});
      clock.advance(HOUR);
      await link.write('180d', '2a39', Uint8Array.of(1));
      clock.advance(10 * 60_000);
      await off();
      clock.advance(HOUR);
      await link.subscribe('180d', '2a37', () => {});
      clock.advance(5 * 60_000);
      return band.wire.map((w) => `${w.at} ${w.service}/${w.characteristic} ${w.kind} ${toHex(w.bytes)}`);
    };
    const a = await session(77);
    expect(a.length).toBeGreaterThan(4000);
    expect(await session(77)).toEqual(a);
    expect(await session(78)).not.toEqual(a);
  });
});

describe('InMemoryRadio', () => {
  it('filters scan results by advertised service', async () => {
    const clock = new ManualClock();
    const radio = new InMemoryRadio().add(new Wristband({ address: ADDR, seed: 1, clock }));
    expect(await radio.scan({ durationMs: 0, services: ['1810'] })).toEqual([]);
    expect((await radio.scan({ durationMs: 0, services: ['180d'] })).map((r) => r.address)).toEqual([ADDR]);
  });

  it('refuses to connect to an unknown address with SIM_ERR_UNKNOWN_DEVICE', async () => {
    await expect(new InMemoryRadio().connect('AA:AA:AA:AA:AA:AA')).rejects.toMatchObject({
      code: 'SIM_ERR_UNKNOWN_DEVICE',
    });
  });
});
