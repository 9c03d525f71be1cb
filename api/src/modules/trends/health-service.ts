import { TREND_METRICS, type ZoneSpan } from '@linkwell/firmware-protocol';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { editableSubject, readableSubject } from './access.js';
import {
  BMI_SCHEME_DATA,
  type BmiSchemeId,
  type BpClassifyOptions,
  type BpSchemeId,
  type BpSetting,
  BUILT_IN_BP_SCHEMES,
  ClassifyError,
  type CustomBpProgramme,
  classifyBloodPressure,
  classifyBmi,
  isUrgentBloodPressure,
  validateCustomBpProgramme,
} from './classify/index.js';
import { computeTrend } from './compute.js';
import {
  bmiFrom,
  type HrMaxFormula,
  heartRateZones,
  parseRestingMethod,
  parseSmoother,
  restingHeartRate,
  type SeriesPoint,
  weightTrend,
  type ZoneMethod,
  zoneMinutesPerDay,
} from './derived/index.js';
import { dedupeSpot, rankSources } from './reconcile.js';
import { createTrendsRepository } from './repository.js';
import { type AccountTagResolver, DEFAULT_ZONE } from './service.js';
import { createTrendStore } from './store.js';
import { convert, convertDelta, parseUnitPrefs, unitLabel } from './units.js';
import { resolveRange } from './window.js';

const DAY_MS = 86_400_000;

/** Classifier errors carry catalog codes; as ApiErrors they leave as problem details instead of a 500. */
function classified<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ClassifyError) throw new ApiError(err.code, err.message, err.details);
    throw err;
  }
}
/** Derived series read raw minutes; 92 days of per-minute heart rate is about 130k points. */
const MAX_DERIVED_RANGE_MS = 92 * DAY_MS;
const YEAR_MS = 365.2425 * DAY_MS;

export interface RangeQuery {
  from?: string;
  to?: string;
  account?: string;
}

const series = (
  points: readonly { t: number; source: string; values: Record<string, number> }[],
  field: string,
): SeriesPoint[] =>
  points.flatMap((p) =>
    p.values[field] === undefined ? [] : [{ t: p.t, v: p.values[field]!, source: p.source }],
  );

function derivedRange(q: RangeQuery, now: number) {
  const r = resolveRange(q.from, q.to, now);
  if (r.toMs - r.fromMs > MAX_DERIVED_RANGE_MS)
    throw new ApiError('API_ERR_BAD_TIME_RANGE', 'Derived series cover at most 92 days per request.', {
      from: new Date(r.fromMs).toISOString(),
      to: new Date(r.toMs).toISOString(),
      maxRangeDays: 92,
    });
  return r;
}

/** Derived series (resting heart rate, zones, smoothed weight, BMI) and guideline-versioned classifications. */
export function createHealthService(deps: {
  db: Database;
  influx: import('../../influx/client.js').InfluxClient;
  accountTags: AccountTagResolver;
  now: () => number;
}) {
  const store = createTrendStore(deps.influx);
  const repo = createTrendsRepository(deps.db);

  async function person(caller: string, account: string | undefined) {
    const subject = await readableSubject(deps.db, caller, account);
    const [tags, profile, spans] = await Promise.all([
      deps.accountTags(subject),
      repo.profile(subject),
      repo.zoneSpans(subject),
    ]);
    const zones: ZoneSpan[] = spans.length > 0 ? spans : [{ zone: DEFAULT_ZONE, fromMs: 0 }];
    const birth = profile?.birth_date ? Date.parse(`${profile.birth_date}T00:00:00Z`) : null;
    const age = birth === null ? null : (deps.now() - birth) / YEAR_MS;
    return { subject, tags, profile, zones, age };
  }

  /** Spot readings of a metric with cross-source duplicates removed, as the merged trend shows them. */
  async function reconciledSpot(
    subject: string,
    tags: readonly string[],
    metricName: 'blood_pressure' | 'body_weight',
    fromMs: number,
    toMs: number,
  ) {
    const metric = TREND_METRICS[metricName];
    // The trend's own raw read (spot metrics never use rollups): one window over the whole range.
    const { points, defaultRank } = await computeTrend({
      store,
      metric,
      accounts: tags,
      windows: [{ startMs: fromMs, endMs: toMs, alignedMs: fromMs }],
      spec: { kind: 'fixed', ms: toMs - fromMs, literal: 'range' },
      rollups: null,
      mergesSources: false,
    });
    const order = rankSources(
      defaultRank.keys(),
      await repo.sourcePriority(subject, metric.metric),
      (s) => defaultRank.get(s) ?? 99,
    );
    return dedupeSpot(metric, points, order).kept;
  }

  return {
    async resting(caller: string, q: RangeQuery & { method?: string; window_minutes?: number }) {
      const method = parseRestingMethod(q.method);
      const range = derivedRange(q, deps.now());
      const p = await person(caller, q.account);
      const hr = await store.raw('heart_rate', ['bpm', 'resting_bpm'], p.tags, range.fromMs, range.toMs);
      const cuff = await store.raw('blood_pressure', ['pulse'], p.tags, range.fromMs, range.toMs);
      const days = restingHeartRate(
        {
          heartRate: series(hr, 'bpm'),
          deviceResting: series(hr, 'resting_bpm'),
          spot: series(cuff, 'pulse'),
        },
        { fromMs: range.fromMs, toMs: range.toMs, zone: p.zones },
        { method, ...(q.window_minutes !== undefined ? { windowMinutes: q.window_minutes } : {}) },
      );
      return { account: p.subject, method, days };
    },

    async zones(caller: string, q: RangeQuery & { model?: string; hrmax?: string }) {
      const range = derivedRange(q, deps.now());
      const p = await person(caller, q.account);
      if (p.age === null)
        throw new ApiError(
          'API_ERR_PROFILE_INCOMPLETE',
          'Heart-rate zones need a birth date in the health profile.',
          {
            missing: ['birth_date'],
          },
        );
      const model = (q.model ?? 'pct-hrmax') as ZoneMethod;
      const hr = await store.raw('heart_rate', ['bpm'], p.tags, range.fromMs, range.toMs);
      const cuff =
        model === 'karvonen'
          ? await store.raw('blood_pressure', ['pulse'], p.tags, range.fromMs, range.toMs)
          : [];
      let restingBpm: number | undefined;
      if (model === 'karvonen') {
        const days = restingHeartRate(
          { heartRate: series(hr, 'bpm'), spot: series(cuff, 'pulse') },
          { fromMs: range.fromMs, toMs: range.toMs, zone: p.zones },
        );
        if (days.length === 0)
          throw new ApiError(
            'API_ERR_PROFILE_INCOMPLETE',
            'Karvonen zones need a resting heart rate in the range.',
            {
              missing: ['resting_heart_rate'],
            },
          );
        // The median of the daily resting values: one odd day does not move every zone.
        const sorted = days.map((d) => d.bpm).sort((a, b) => a - b);
        restingBpm = sorted[Math.floor((sorted.length - 1) / 2)]!;
      }
      const zones = heartRateZones({
        method: model,
        hrMax: (q.hrmax ?? 'tanaka') as HrMaxFormula,
        age: p.age,
        ...(restingBpm !== undefined ? { restingBpm } : {}),
      });
      const days = zoneMinutesPerDay(
        series(hr, 'bpm'),
        { fromMs: range.fromMs, toMs: range.toMs, zone: p.zones },
        zones,
      );
      return { account: p.subject, ...zones, days };
    },

    async smoothedWeight(caller: string, q: RangeQuery & { smoother?: string; units?: string }) {
      const smoother = parseSmoother(q.smoother ?? 'ema-tau-7d');
      const range = resolveRange(q.from, q.to, deps.now());
      const p = await person(caller, q.account);
      const prefs = {
        ...parseUnitPrefs(Object.values(p.profile?.units ?? {}).join(','), 'profile.units'),
        ...parseUnitPrefs(q.units),
      };
      const kept = await reconciledSpot(p.subject, p.tags, 'body_weight', range.fromMs, range.toMs);
      const trend = weightTrend(series(kept, 'weight'), smoother);
      const c = (v: number) => convert(v, 'mass', prefs);
      return {
        account: p.subject,
        smoother,
        unit: unitLabel('mass', prefs),
        points: trend.points.map((pt) => ({ t: pt.t, raw: c(pt.raw), smoothed: c(pt.smoothed) })),
        weekly_rate: trend.weekly_rate_kg === null ? null : convertDelta(trend.weekly_rate_kg, 'mass', prefs),
      };
    },

    async bmi(caller: string, q: { account?: string; scheme?: string }) {
      const p = await person(caller, q.account);
      const scheme = (q.scheme ?? p.profile?.bmi_scheme ?? 'who') as BmiSchemeId;
      const now = deps.now();
      // The latest weight and height within the last 400 days (the longest range InfluxDB is asked for).
      const from = Math.max(0, now - 400 * DAY_MS);
      const weights = series(await reconciledSpot(p.subject, p.tags, 'body_weight', from, now + 1), 'weight');
      const heights = [
        ...series(await store.raw('body_weight', ['height'], p.tags, from, now + 1), 'height'),
        ...series(await store.raw('body_composition', ['height'], p.tags, from, now + 1), 'height'),
      ];
      if (p.profile?.height_m != null)
        heights.push({ t: p.profile.updated_at.getTime(), v: p.profile.height_m, source: 'profile' });
      const bmi = bmiFrom(weights, heights);
      if (bmi === null)
        throw new ApiError(
          'API_ERR_PROFILE_INCOMPLETE',
          'BMI needs a weight and a height (from a scale or the profile).',
          {
            missing: [
              ...(weights.length === 0 ? ['weight'] : []),
              ...(heights.length === 0 ? ['height'] : []),
            ],
          },
        );
      const classification = classified(() =>
        classifyBmi({ weight_kg: bmi.weight.kg, height_m: bmi.height.m, age_years: p.age }, { scheme }),
      );
      return { account: p.subject, ...bmi, classification, bands: BMI_SCHEME_DATA[scheme].bands };
    },

    async bloodPressure(caller: string, q: RangeQuery & { scheme?: string; setting?: string }) {
      const range = resolveRange(q.from, q.to, deps.now());
      const p = await person(caller, q.account);
      const scheme = (q.scheme ?? p.profile?.bp_scheme ?? 'acc-aha-2017') as BpSchemeId;
      const setting = (q.setting ?? p.profile?.bp_setting ?? 'home') as BpSetting;
      const kept = await reconciledSpot(p.subject, p.tags, 'blood_pressure', range.fromMs, range.toMs);
      const readings = kept
        .filter((r) => r.values.systolic !== undefined && r.values.diastolic !== undefined)
        .map((r) => ({
          t: r.t,
          systolic: r.values.systolic!,
          diastolic: r.values.diastolic!,
          // Wrist-estimated values arrive flagged by the gateway (docs/trends.md): stored, never classified.
          cuffless: (r.quality ?? '').split(',').includes('cuffless'),
        }));
      let options: BpClassifyOptions;
      if (scheme === 'custom') {
        const programme = (await repo.bpProgramme(p.subject)) as CustomBpProgramme | undefined;
        if (programme === undefined)
          throw new ApiError(
            'API_ERR_PROFILE_INCOMPLETE',
            'No custom blood-pressure programme is set for this person.',
            {
              missing: ['bp_programme'],
            },
          );
        options = { scheme, setting, programme };
      } else options = { scheme, setting };
      const classification = classified(() => classifyBloodPressure(readings, options));
      const urgent = readings
        .filter((r) => !r.cuffless && isUrgentBloodPressure(r.systolic, r.diastolic))
        .map((r) => ({ t: new Date(r.t).toISOString(), systolic: r.systolic, diastolic: r.diastolic }));
      return { account: p.subject, ...classification, urgent_readings: urgent };
    },

    schemes() {
      return {
        blood_pressure: Object.values(BUILT_IN_BP_SCHEMES),
        bmi: Object.values(BMI_SCHEME_DATA),
      };
    },

    async setProgramme(caller: string, account: string | undefined, programme: CustomBpProgramme) {
      const subject = await editableSubject(deps.db, caller, account);
      const checked = validateCustomBpProgramme(programme);
      if (!checked.ok)
        throw new ApiError(
          'API_ERR_BAD_BP_PROGRAMME',
          'The programme breaks a rule its schema cannot express.',
          {
            issues: checked.issues,
          },
        );
      await repo.setBpProgramme(subject, checked.programme, deps.now());
      return { account: subject, programme: checked.programme };
    },

    async programme(caller: string, account: string | undefined) {
      const subject = await readableSubject(deps.db, caller, account);
      return { account: subject, programme: (await repo.bpProgramme(subject)) ?? null };
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
