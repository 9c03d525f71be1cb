/**
 * Per-person traits for a set of people, from their activity rows, flags and devices: the part of a run
 * that is per person (traits/person.ts), shared by the batch and the incremental consumer.
 */
import { TRAIT_CATALOG } from '../catalog.js';
import type { ActivityRepository } from '../repository/activity.js';
import type { TraitsRepository } from '../repository/traits.js';
import { dayOfDate, dayOfMs } from '../traits/days.js';
import { type ActivityRow, type FlagRow, type OwnedDevice, personTraits } from '../traits/person.js';
import { CONSENT_PAIRS } from './consent.js';
import type { DeviceOwnership, SessionCounts } from './ports.js';

const PERSON_COLUMNS = new Set([
  'recency_days',
  'frequency_30d',
  'frequency_90d',
  'engagement',
  'value_score',
  'engagement_grade',
  'lifecycle_stage',
  'churn_risk',
  'churn_reason',
  'dormant_devices',
  'owns_scale',
  'owns_cuff',
  'owns_band',
  'owns_oximeter',
  'owns_thermometer',
  'readings_30d',
  'readings_total',
  'first_reading_at',
  'last_reading_at',
  'top_metric',
  'bp_adherence_7d',
  'measurement_streak_days',
  'has_stage2_bp',
]);

/** The columns a run of this mode writes per person: incremental passes leave batch-refreshed traits alone. */
export function personColumns(mode: 'batch' | 'incremental'): string[] {
  return TRAIT_CATALOG.filter(
    (t) => PERSON_COLUMNS.has(t.name) && (mode === 'batch' || t.refresh === 'incremental'),
  ).map((t) => t.name);
}

export interface PeopleDeps {
  activity: ActivityRepository;
  traits: TraitsRepository;
  devices?: DeviceOwnership;
  sessions?: SessionCounts;
}

function group<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) (m.get(key(r)) ?? m.set(key(r), []).get(key(r))!).push(r);
  return m;
}

/**
 * Computes and writes the per-person traits of `accounts` (each with its consent snapshot) and records their
 * lifecycle transitions. Returns how many people were written.
 */
export async function computePeople(
  deps: PeopleDeps,
  consents: ReadonlyMap<string, readonly string[]>,
  now: Date,
  mode: 'batch' | 'incremental',
  runId: string,
): Promise<number> {
  const accounts = [...consents.keys()];
  if (accounts.length === 0) return 0;
  const today = dayOfMs(now.getTime());
  const [activity, flags, devices, sessions, previous] = await Promise.all([
    deps.activity.activityOf(accounts),
    deps.activity.flagsOf(accounts),
    deps.devices ? deps.devices.devicesOf(accounts) : Promise.resolve([]),
    deps.sessions
      ? deps.sessions.sessionsSince(accounts, new Date(now.getTime() - 30 * 86_400_000))
      : Promise.resolve(new Map<string, number>()),
    deps.traits.previousStages(accounts),
  ]);
  const activityBy = group(activity, (r) => r.account_id);
  const flagsBy = group(flags, (r) => r.account_id);
  const devicesBy = group(devices, (r) => r.accountId);
  const columns = personColumns(mode);
  const rows: Record<string, unknown>[] = [];
  const changes: Parameters<typeof deps.traits.recordTransitions>[0][number][] = [];
  for (const accountId of accounts) {
    const held = new Set(consents.get(accountId) ?? []);
    const prev = previous.get(accountId);
    const t = personTraits({
      today,
      activity: (activityBy.get(accountId) ?? []).map(
        (r): ActivityRow => ({
          day: dayOfDate(r.day),
          metric: r.metric,
          deviceId: r.device_id,
          readings: r.readings,
        }),
      ),
      flags: (flagsBy.get(accountId) ?? []).map(
        (r): FlagRow => ({ day: dayOfDate(r.day), flag: r.flag, count: r.count }),
      ),
      devices: (devicesBy.get(accountId) ?? []).map(
        (d): OwnedDevice => ({
          deviceId: d.deviceId,
          registryKind: d.kind,
          linkedDay: dayOfMs(d.linkedAt.getTime()),
          quiet: d.quiet,
        }),
      ),
      sessions30d: sessions.get(accountId) ?? 0,
      previous: prev ? { stage: prev.stage, since: dayOfMs(prev.at.getTime()) } : null,
    });
    const values: Record<string, unknown> = { ...t.usage, ...t.health };
    const row: Record<string, unknown> = { account_id: accountId };
    for (const c of columns) {
      const pair = CONSENT_PAIRS.find((p) => p.columns.includes(c));
      row[c] = pair && held.has(pair.key) ? values[c] : null;
    }
    rows.push(row);
    const usagePair = CONSENT_PAIRS.find((p) => p.columns.includes('lifecycle_stage'));
    if (usagePair && held.has(usagePair.key) && prev?.stage !== t.usage.lifecycle_stage)
      changes.push({ accountId, from: prev?.stage ?? null, to: t.usage.lifecycle_stage });
  }
  await deps.traits.writeTraits(rows, columns, now);
  await deps.traits.recordTransitions(changes, now, runId);
  return rows.length;
}
