import {
  encodeBloodPressureMeasurement,
  encodeHeartRateMeasurement,
  epochMsToDateTime,
} from '@linkwell/firmware-protocol';
import type { Clock } from '../clock.js';
import { statusOf } from '../devices/bp-cuff.js';
import { ActivityModel } from '../physiology/activity.js';
import { BloodPressureModel, type BloodPressureSample } from '../physiology/blood-pressure.js';
import { HeartRateModel } from '../physiology/heart-rate.js';
import { seededStream, uniform } from '../physiology/random.js';
import { roundWeightKg } from '../scales/body-composition-model.js';
import { weightFrame } from '../scales/measurement-frames.js';
import { mixSeed, SimulatedPerson } from '../scales/person.js';
import { DEMO_SCALE_USERS } from './catalog.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A measurement every `minMs`–`maxMs` of wall time, each gap drawn uniformly from a seeded stream. */
export interface MeasureWindow {
  minMs: number;
  maxMs: number;
}

/** The compressed daily schedule of the demo home's cuff and scale while `linkwell up` runs. */
export interface DemoSchedule {
  bpCuff: MeasureWindow;
  scale: MeasureWindow;
  /** The dependent's advertisement-only scale, when the home has one. */
  miScale?: MeasureWindow;
  /**
   * Which users of the cuff and the scale take turns: [1] (the default) or [1, 2] for a household of two
   * adults sharing them. Turns go round in order.
   */
  users?: readonly number[];
}

/**
 * The schedule for a base period of `everySeconds` (default 60): the cuff measures every 1–2 periods, the
 * scale every 1.5–2.5 periods (60–120 s and 90–150 s by default). A cuff measurement itself takes 26–38 s, so
 * a turn that comes while the cuff is still measuring is skipped.
 */
export function demoSchedule(everySeconds = 60): DemoSchedule {
  const ms = everySeconds * 1000;
  return { bpCuff: { minMs: ms, maxMs: 2 * ms }, scale: { minMs: 1.5 * ms, maxMs: 2.5 * ms } };
}

/**
 * The schedule of the demo household `linkwell up` shows: the cuff and the scale alternate between users 1
 * and 2, and the dependent steps on the Mi scale every 2–3 periods.
 */
export function demoHouseholdSchedule(everySeconds = 60): DemoSchedule {
  const ms = everySeconds * 1000;
  return { ...demoSchedule(everySeconds), miScale: { minMs: 2 * ms, maxMs: 3 * ms }, users: [1, 2] };
}

/** The devices that measure on the schedule; each has its own seeded stream of gaps. */
export type ScheduledDevice = 'bpCuff' | 'scale' | 'miScale';

/** The seeded stream of gaps (ms, whole) for one device of the schedule. */
export function measurementGaps(seed: number, device: ScheduledDevice, w: MeasureWindow): () => number {
  if (!(w.minMs > 0 && w.maxMs >= w.minMs))
    throw new RangeError(`measurement window ${w.minMs}–${w.maxMs} ms is not a positive range`);
  const rng = seededStream(seed, `demo-schedule:${device}`);
  return () => Math.round(uniform(rng, w.minMs, w.maxMs));
}

/** Times (relative to the start) of the measurements that fall within `durationMs`: a pure view of the schedule. */
export function scheduledOffsets(
  seed: number,
  device: ScheduledDevice,
  w: MeasureWindow,
  durationMs: number,
): number[] {
  const gap = measurementGaps(seed, device, w);
  const out: number[] = [];
  for (let t = gap(); t <= durationMs; t += gap()) out.push(t);
  return out;
}

/** Runs `act` at the schedule's times on the clock until the returned stop is called. */
export function runSchedule(clock: Clock, gaps: () => number, act: () => void): () => void {
  let cancel: (() => void) | undefined;
  let stopped = false;
  const arm = () => {
    cancel = clock.setTimeout(() => {
      if (stopped) return;
      arm();
      act();
    }, gaps());
  };
  arm();
  return () => {
    stopped = true;
    cancel?.();
  };
}

export interface DemoHistoryOptions {
  /** The home seed, as given to `createSimulatedHome`. */
  seed: number;
  /** History ends before this instant (ms since epoch); it starts `days` earlier, on a whole minute. */
  endMs: number;
  days?: number;
  /** Heart rate once per this many ms (default one a minute). */
  heartRateEveryMs?: number;
  utcOffsetMinutes?: number;
  /**
   * Also the cuff's and the scale's user 2 (Sam, 64 kg): the household's second adult. Drawn from streams
   * of their own, so user 1's history is the same with or without them.
   */
  secondUser?: boolean;
}

/** One past measurement as its device would have sent it, with the time it was taken. */
export interface HistoryRecord {
  metric: 'heart_rate' | 'blood_pressure' | 'body_weight';
  device: 'wristband' | 'bpCuff' | 'scale';
  /** When it was measured (ms since epoch, whole seconds). */
  at: number;
  /** The GATT value: Heart Rate Measurement, Blood Pressure Measurement or Weight Measurement (with its user). */
  frame: Uint8Array;
}

export interface DemoHistory {
  fromMs: number;
  toMs: number;
  heartRate: { at: number; bpm: number }[];
  bloodPressure: ({ at: number } & BloodPressureSample)[];
  weight: { at: number; weightKg: number }[];
  /** Every record, oldest first. */
  records: HistoryRecord[];
  /** User 2's measurements, with `secondUser`. */
  secondUser?: { bloodPressure: DemoHistory['bloodPressure']; weight: DemoHistory['weight'] };
}

/** Morning and evening blood pressure, local time, and the morning weighing. */
const BP_TIMES_MIN = [7 * 60 + 30, 20 * 60 + 30];
const WEIGH_TIME_MIN = 7 * 60;
/** Each daily measurement wanders up to this much either side of its time. */
const JITTER_MIN = 20;

/**
 * Thirty days (by default) of the demo account's history from the same physiology the live devices use:
 * the wristband's heart rate (circadian baseline, seeded activity bouts, lag and noise: `HeartRateModel` and
 * `ActivityModel`) once a minute, the cuff's user 1 (`BloodPressureModel`, with its daily rhythm and status
 * bits) twice a day, and the scale's user 1 (`SimulatedPerson`, Alex at 82 kg, 181 cm) every morning. Seeds
 * are derived as `SimHome` derives them (wristband = seed, cuff = seed + 1009, scale = seed + 2018), so the
 * history is the same person as the live devices. Pure and deterministic for a seed and `endMs`.
 */
export function generateDemoHistory(opts: DemoHistoryOptions): DemoHistory {
  const days = opts.days ?? 30;
  const every = opts.heartRateEveryMs ?? MINUTE_MS;
  const offsetMs = (opts.utcOffsetMinutes ?? 0) * MINUTE_MS;
  const toMs = Math.floor(opts.endMs / MINUTE_MS) * MINUTE_MS;
  const fromMs = toMs - days * DAY_MS;
  const wristSeed = opts.seed >>> 0;
  const cuffSeed = (opts.seed + 1009) >>> 0;
  const scaleSeed = (opts.seed + 2 * 1009) >>> 0;

  const activity = new ActivityModel({
    seed: wristSeed,
    origin: fromMs,
    utcOffsetMinutes: opts.utcOffsetMinutes ?? 0,
  });
  const heart = new HeartRateModel({
    seed: wristSeed,
    utcOffsetMinutes: opts.utcOffsetMinutes ?? 0,
    activity: (t) => activity.intensityAt(t),
  });
  const records: HistoryRecord[] = [];
  const heartRate: DemoHistory['heartRate'] = [];
  let secondUser: DemoHistory['secondUser'];
  for (let at = fromMs; at < toMs; at += every) {
    const bpm = Math.round(heart.sample(at));
    heartRate.push({ at, bpm });
    records.push({
      metric: 'heart_rate',
      device: 'wristband',
      at,
      frame: encodeHeartRateMeasurement({
        heartRateBpm: bpm,
        sensorContact: 'detected',
        rrIntervals1024: [],
      }),
    });
  }

  const bloodPressure: DemoHistory['bloodPressure'] = [];
  const weight: DemoHistory['weight'] = [];
  const firstLocalDay = Math.floor((fromMs + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
  const users = opts.secondUser ? [1, 2] : [1];
  for (const user of users) {
    const daily = dailyMeasurements({
      user,
      cuffSeed,
      scaleSeed,
      fromMs,
      toMs,
      firstLocalDay,
      ...(opts.utcOffsetMinutes ? { utcOffsetMinutes: opts.utcOffsetMinutes } : {}),
    });
    records.push(...daily.records);
    if (user === 1) {
      bloodPressure.push(...daily.bloodPressure);
      weight.push(...daily.weight);
    } else {
      secondUser = { bloodPressure: daily.bloodPressure, weight: daily.weight };
    }
  }
  records.sort((a, b) => a.at - b.at);
  return { fromMs, toMs, heartRate, bloodPressure, weight, records, ...(secondUser ? { secondUser } : {}) };
}

interface DailyInput {
  user: number;
  cuffSeed: number;
  scaleSeed: number;
  fromMs: number;
  toMs: number;
  firstLocalDay: number;
  utcOffsetMinutes?: number;
}

/**
 * One user's morning and evening blood pressure and morning weighing. User 1 keeps the streams it always had
 * (`demo-history:times`, BloodPressureModel user 1), so adding user 2 changes nothing of user 1's history.
 */
function dailyMeasurements(o: DailyInput) {
  const jitter = seededStream(
    o.cuffSeed,
    o.user === 1 ? 'demo-history:times' : `demo-history:times:${o.user}`,
  );
  const cuff = new BloodPressureModel({
    seed: o.cuffSeed,
    user: o.user,
    ...(o.utcOffsetMinutes ? { utcOffsetMinutes: o.utcOffsetMinutes } : {}),
  });
  const who = DEMO_SCALE_USERS.find((u) => u.index === o.user)!;
  const person = new SimulatedPerson({
    seed: mixSeed(o.scaleSeed, 100 + who.index),
    baseWeightKg: who.weightKg,
    originMs: o.fromMs,
  });
  const records: HistoryRecord[] = [];
  const bloodPressure: DemoHistory['bloodPressure'] = [];
  const weight: DemoHistory['weight'] = [];
  const onTime = (dayStart: number, minute: number) => {
    const t = dayStart + (minute + uniform(jitter, -JITTER_MIN, JITTER_MIN)) * MINUTE_MS;
    return Math.round(t / 1000) * 1000;
  };
  // User 2 measures a quarter of an hour after user 1, as two people sharing a cuff and a scale would.
  const later = (o.user - 1) * 15;
  for (let day = o.firstLocalDay; day < o.toMs; day += DAY_MS) {
    // Drawn every day, in or out of range, so a day's times never depend on where the window starts.
    const weighAt = onTime(day, WEIGH_TIME_MIN + later);
    const bpAt = BP_TIMES_MIN.map((m) => onTime(day, m + later));
    const inRange = (t: number) => t >= o.fromMs && t < o.toMs;
    if (inRange(weighAt)) {
      const kg = roundWeightKg(person.weighKg(weighAt));
      weight.push({ at: weighAt, weightKg: kg });
      records.push({
        metric: 'body_weight',
        device: 'scale',
        at: weighAt,
        frame: weightFrame({
          userId: who.index,
          timestamp: epochMsToDateTime(weighAt),
          weightKg: kg,
          heightCm: who.heightCm,
          withBodyComposition: false,
        }),
      });
    }
    for (const at of bpAt) {
      if (!inRange(at)) continue;
      const sample = cuff.sample(at);
      bloodPressure.push({ at, ...sample });
      records.push({
        metric: 'blood_pressure',
        device: 'bpCuff',
        at,
        frame: encodeBloodPressureMeasurement({
          unit: 'mmHg',
          systolic: sample.systolic,
          diastolic: sample.diastolic,
          meanArterialPressure: sample.meanArterial,
          timestamp: epochMsToDateTime(at),
          pulseRateBpm: sample.pulseRate,
          userId: o.user,
          measurementStatus: statusOf(sample),
        }),
      });
    }
  }
  return { records, bloodPressure, weight };
}
