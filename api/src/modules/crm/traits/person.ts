/**
 * Every trait one person's own inputs decide (the population-level ones, quintile scores, ABC classes, CLV
 * and next device, are set over everyone by the batch run). Pure: the batch and the incremental consumer
 * both call it, and the trait vectors test it.
 */
import { DEVICE_KINDS, type DeviceKind, type LifecycleStage } from '../catalog.js';
import { valueScore } from './abc.js';
import { BP_METRIC, bpAdherence7d, hasStage2, streakDays } from './adherence.js';
import { type ChurnReason, churnOf } from './churn.js';
import { msOfDay, within } from './days.js';
import { dormantDevices } from './dormancy.js';
import { readingsIn, readingsTotal, topMetric } from './generic.js';
import { engagementGrade, type Grade } from './grade.js';
import { deviceKindOf } from './kinds.js';
import { lifecycleStage } from './lifecycle.js';
import { activeDays, engagementOf, recencyDays } from './rfe.js';

export interface ActivityRow {
  day: number;
  metric: string;
  deviceId: string;
  readings: number;
}

export interface FlagRow {
  day: number;
  flag: string;
  count: number;
}

export interface OwnedDevice {
  deviceId: string;
  /** The registry's kind (its profile's), or null when unknown. */
  registryKind: string | null;
  linkedDay: number;
  /** Its battery or gateway went quiet (the devices context decides). */
  quiet: boolean;
}

export interface PersonInput {
  today: number;
  activity: readonly ActivityRow[];
  flags: readonly FlagRow[];
  devices: readonly OwnedDevice[];
  sessions30d: number;
  previous: { stage: LifecycleStage; since: number } | null;
}

export interface UsageTraits {
  recency_days: number | null;
  frequency_30d: number;
  frequency_90d: number;
  engagement: number;
  value_score: number;
  engagement_grade: Grade;
  lifecycle_stage: LifecycleStage;
  churn_risk: number;
  churn_reason: ChurnReason;
  dormant_devices: number;
  owns_scale: boolean;
  owns_cuff: boolean;
  owns_band: boolean;
  owns_oximeter: boolean;
  owns_thermometer: boolean;
  readings_30d: number;
  readings_total: number;
  first_reading_at: Date | null;
  last_reading_at: Date | null;
  top_metric: string | null;
}

export interface HealthTraits {
  bp_adherence_7d: number;
  measurement_streak_days: number;
  has_stage2_bp: boolean;
}

export interface PersonTraits {
  usage: UsageTraits;
  health: HealthTraits;
  kinds: Set<DeviceKind>;
}

export function personTraits(i: PersonInput): PersonTraits {
  const rows = i.activity.filter((r) => r.readings > 0 && r.day <= i.today);
  const days = rows.map((r) => r.day);
  const first = days.length ? Math.min(...days) : null;
  const last = days.length ? Math.max(...days) : null;

  const metricsByDevice = new Map<string, Set<string>>();
  const daysByDevice = new Map<string, number[]>();
  const lastByDevice = new Map<string, number>();
  for (const r of rows) {
    (metricsByDevice.get(r.deviceId) ?? metricsByDevice.set(r.deviceId, new Set()).get(r.deviceId)!).add(
      r.metric,
    );
    (daysByDevice.get(r.deviceId) ?? daysByDevice.set(r.deviceId, []).get(r.deviceId)!).push(r.day);
    lastByDevice.set(r.deviceId, Math.max(lastByDevice.get(r.deviceId) ?? r.day, r.day));
  }
  const kinds = new Set<DeviceKind>();
  for (const d of i.devices) {
    const k = deviceKindOf(d.registryKind, metricsByDevice.get(d.deviceId) ?? []);
    if (k) kinds.add(k);
  }

  const recency = recencyDays(last, i.today);
  const f30 = activeDays(days, i.today, 30);
  const f90 = activeDays(days, i.today, 90);
  const activeDevices = new Set(rows.filter((r) => within(r.day, i.today, 30)).map((r) => r.deviceId)).size;
  const quiet = new Set(i.devices.filter((d) => d.quiet).map((d) => d.deviceId));
  const churn = churnOf({ today: i.today, daysByDevice, quietDevices: quiet });
  const stage = lifecycleStage({
    today: i.today,
    hasDevice: i.devices.length > 0,
    firstReadingDay: first,
    lastReadingDay: last,
    firstDeviceDay: i.devices.length ? Math.min(...i.devices.map((d) => d.linkedDay)) : null,
    churnRisk: churn.risk,
    previous: i.previous,
  });
  const owns = Object.fromEntries(DEVICE_KINDS.map((k) => [`owns_${k}`, kinds.has(k)])) as Pick<
    UsageTraits,
    `owns_${DeviceKind}`
  >;

  const bpByDay = new Map<number, number>();
  for (const r of rows)
    if (r.metric === BP_METRIC) bpByDay.set(r.day, (bpByDay.get(r.day) ?? 0) + r.readings);

  return {
    usage: {
      recency_days: recency,
      frequency_30d: f30,
      frequency_90d: f90,
      engagement: engagementOf(kinds.size, i.sessions30d),
      value_score: valueScore(f90, kinds.size),
      engagement_grade: engagementGrade(activeDevices, f30, recency),
      lifecycle_stage: stage,
      churn_risk: churn.risk,
      churn_reason: churn.reason,
      dormant_devices: dormantDevices(i.devices, lastByDevice, i.today),
      ...owns,
      readings_30d: readingsIn(rows, i.today, 30),
      readings_total: readingsTotal(rows),
      first_reading_at: first === null ? null : new Date(msOfDay(first)),
      last_reading_at: last === null ? null : new Date(msOfDay(last)),
      top_metric: topMetric(rows, i.today),
    },
    health: {
      bp_adherence_7d: bpAdherence7d(bpByDay, i.today),
      measurement_streak_days: streakDays(new Set(days), i.today),
      has_stage2_bp: hasStage2(i.flags, i.today),
    },
    kinds,
  };
}
