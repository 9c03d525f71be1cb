import { describe, expect, it } from 'vitest';
import { dayOfDate, msOfDay } from './days.js';
import { type ActivityRow, personTraits } from './person.js';

const D = dayOfDate('2026-12-08');

describe('one person’s traits, worked by hand', () => {
  it('combines every per-person trait', () => {
    const activity: ActivityRow[] = [
      // Cuff: two BP readings on each of the last 7 days.
      ...[6, 5, 4, 3, 2, 1, 0].map((k) => ({
        day: D - k,
        metric: 'blood_pressure',
        deviceId: 'c1',
        readings: 2,
      })),
      // Scale: weekly weigh-ins that stopped 28 days ago.
      ...[42, 35, 28].map((k) => ({ day: D - k, metric: 'body_weight', deviceId: 's1', readings: 1 })),
      // A band the registry does not know, 60 days ago.
      { day: D - 60, metric: 'heart_rate', deviceId: 'u1', readings: 10 },
      // A row emptied by deletions counts for nothing.
      { day: D - 1, metric: 'spo2', deviceId: 'c1', readings: 0 },
    ];
    const t = personTraits({
      today: D,
      activity,
      flags: [{ day: D - 3, flag: 'bp_stage2', count: 1 }],
      devices: [
        { deviceId: 's1', registryKind: 'scale', linkedDay: D - 100, quiet: false },
        { deviceId: 'c1', registryKind: 'bp_cuff', linkedDay: D - 100, quiet: false },
        { deviceId: 'u1', registryKind: 'unknown', linkedDay: D - 50, quiet: false },
      ],
      sessions30d: 4,
      previous: { stage: 'active', since: D - 50 },
    });
    expect(t.usage).toEqual({
      recency_days: 0,
      frequency_30d: 8, // D−6…D and D−28
      frequency_90d: 11,
      engagement: 34, // 3 kinds × 10 + 4 sessions
      value_score: 33, // 11 × 3
      engagement_grade: 'B', // 2 active devices 25 + 8 days 20 + recency 0 25 = 70
      lifecycle_stage: 'at_risk', // rhythm_break at 0.5
      churn_risk: 0.5, // scale ratio 28/7 = 4 → 1, halved: the person still measures
      churn_reason: 'rhythm_break',
      dormant_devices: 1, // u1, 60 days
      owns_scale: true,
      owns_cuff: true,
      owns_band: true,
      owns_oximeter: false,
      owns_thermometer: false,
      readings_30d: 15, // 14 BP + 1 weight
      readings_total: 27,
      first_reading_at: new Date(msOfDay(D - 60)),
      last_reading_at: new Date(msOfDay(D)),
      top_metric: 'blood_pressure',
    });
    expect(t.health).toEqual({ bp_adherence_7d: 7, measurement_streak_days: 7, has_stage2_bp: true });
  });

  it('is a prospect with nothing, and has no reading traits', () => {
    const t = personTraits({
      today: D,
      activity: [],
      flags: [],
      devices: [],
      sessions30d: 0,
      previous: null,
    });
    expect(t.usage).toMatchObject({
      recency_days: null,
      frequency_90d: 0,
      lifecycle_stage: 'prospect',
      churn_reason: 'none',
      engagement_grade: 'F',
      top_metric: null,
      first_reading_at: null,
    });
  });
});
