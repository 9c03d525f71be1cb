/**
 * The computed-trait catalog (issue 16, docs/crm.md): every trait a marketer can see, declared as data. The
 * name is also the `crm_profiles` column that holds it, and this list is the only allow-list the segment
 * compiler takes field names from, so no name reaches SQL unless it is declared here.
 *
 * Traits are derived, never raw vitals: counts, days, scores and classes. Sensitivity says what a trait
 * reveals (`health`: it reveals monitoring or a health state, GDPR Art. 9) and decides which consent
 * category it needs and which destinations may take it.
 */

export const SENSITIVITIES = ['none', 'usage', 'health'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

/** The fixed purposes; `share:<partner>` purposes name a partner organisation (docs/consents.md). */
export const BASE_PURPOSES = [
  'service',
  'product_analytics',
  'marketing',
  'research',
  'care_programme',
] as const;
export type BasePurpose = (typeof BASE_PURPOSES)[number];
export type Purpose = BasePurpose | `share:${string}`;

export const CONSENT_CATEGORIES = ['usage', 'health', 'contact'] as const;
export type ConsentCategory = (typeof CONSENT_CATEGORIES)[number];

/** The consent category a trait of this sensitivity needs: `none` and `usage` need `usage`. */
export const categoryOf = (s: Sensitivity): ConsentCategory => (s === 'health' ? 'health' : 'usage');

export type TraitType = 'integer' | 'number' | 'boolean' | 'text' | 'enum' | 'timestamp';

export const LIFECYCLE_STAGES = [
  'prospect',
  'onboarding',
  'active',
  'at_risk',
  'dormant',
  'churned',
  'reactivated',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Device kinds, from the GATT service a device implements (firmware-protocol's metric catalog). */
export const DEVICE_KINDS = ['scale', 'cuff', 'band', 'oximeter', 'thermometer'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export type TraitMethod =
  | 'rfe'
  | 'abc'
  | 'clv'
  | 'grade'
  | 'lifecycle'
  | 'churn'
  | 'dormancy'
  | 'propensity'
  | 'adherence'
  | 'generic';

export interface TraitDef {
  /** snake_case; the `crm_profiles` column. */
  name: string;
  type: TraitType;
  /** The allowed values of an `enum` trait, in order (for A–F grades, best first). */
  values?: readonly string[];
  /** Inclusive bounds of a numeric trait, for the segment builder and for validation of rule values. */
  range?: readonly [number, number];
  sensitivity: Sensitivity;
  /** The purpose it is computed for; a person without that purpose's consent gets no value at all. */
  purpose: Purpose;
  /** `incremental`: updated as readings and devices change; `batch`: only by the recompute run. */
  refresh: 'incremental' | 'batch';
  method: TraitMethod;
  /** The formula, in words precise enough to compute it by hand (the trait vectors do). */
  formula: string;
  /** One line for the catalog browser. */
  doc: string;
}

const usage = { sensitivity: 'usage', purpose: 'marketing' } as const;
const health = { sensitivity: 'health', purpose: 'care_programme' } as const;

export const TRAIT_CATALOG: readonly TraitDef[] = [
  // Usage RFM ("RFE"), after RFM analysis: recency, frequency and engagement instead of monetary value.
  {
    name: 'recency_days',
    type: 'integer',
    range: [0, 36500],
    ...usage,
    refresh: 'incremental',
    method: 'rfe',
    formula: 'whole days from the last reading (any metric) to the run date; null with no reading',
    doc: 'Days since the last reading',
  },
  {
    name: 'frequency_30d',
    type: 'integer',
    range: [0, 30],
    ...usage,
    refresh: 'incremental',
    method: 'rfe',
    formula: 'distinct UTC days with at least one reading in the 30 days ending on the run date',
    doc: 'Active measuring days in the last 30 days',
  },
  {
    name: 'frequency_90d',
    type: 'integer',
    range: [0, 90],
    ...usage,
    refresh: 'incremental',
    method: 'rfe',
    formula: 'distinct UTC days with at least one reading in the 90 days ending on the run date',
    doc: 'Active measuring days in the last 90 days',
  },
  {
    name: 'engagement',
    type: 'integer',
    range: [0, 1000],
    ...usage,
    refresh: 'incremental',
    method: 'rfe',
    formula: 'device kinds linked × 10 + console and app sessions in the last 30 days, capped at 1000',
    doc: 'Engagement: device kinds linked and sessions',
  },
  {
    name: 'r_score',
    type: 'integer',
    range: [1, 5],
    ...usage,
    refresh: 'batch',
    method: 'rfe',
    formula:
      '⌈5 × cume_dist⌉ of recency_days over the people with marketing consent and a reading, 5 = most recent (ties share a score)',
    doc: 'Recency quintile score',
  },
  {
    name: 'f_score',
    type: 'integer',
    range: [1, 5],
    ...usage,
    refresh: 'batch',
    method: 'rfe',
    formula:
      '⌈5 × cume_dist⌉ of frequency_90d over the same population, 5 = most frequent (ties share a score)',
    doc: 'Frequency quintile score',
  },
  {
    name: 'e_score',
    type: 'integer',
    range: [1, 5],
    ...usage,
    refresh: 'batch',
    method: 'rfe',
    formula: '⌈5 × cume_dist⌉ of engagement over the same population, 5 = most engaged (ties share a score)',
    doc: 'Engagement quintile score',
  },
  {
    name: 'rfe_code',
    type: 'text',
    ...usage,
    refresh: 'batch',
    method: 'rfe',
    formula: 'the three scores as digits, recency first, e.g. 545',
    doc: 'RFE code',
  },
  {
    name: 'value_score',
    type: 'number',
    range: [0, 1_000_000],
    ...usage,
    refresh: 'batch',
    method: 'abc',
    formula: 'active measuring days in 90 days × device kinds linked (the usage value the ABC Pareto ranks)',
    doc: 'Usage value score',
  },
  {
    name: 'abc_class',
    type: 'enum',
    values: ['A', 'B', 'C'],
    ...usage,
    refresh: 'batch',
    method: 'abc',
    formula:
      'people ranked by value_score, descending; A while the share of the total held by those ranked strictly above is below 80 %, B below 95 %, C the rest; equal values share a class, 0 is C (thresholds configurable)',
    doc: 'ABC class (Pareto on value)',
  },
  {
    name: 'clv',
    type: 'number',
    range: [0, 1_000_000],
    ...usage,
    refresh: 'batch',
    method: 'clv',
    formula:
      'Σ over t = 1..H months of margin × r_c^t ÷ (1 + d)^(t/12); r_c = (active_c ÷ size_c)^(1/age_c), the geometric monthly retention of the person’s signup-month cohort (active: a measuring day in 30 days; age in months, at least 1); margin, annual discount d and horizon H configurable (defaults 1, 10 %, 36)',
    doc: 'Customer lifetime value (cohort retention)',
  },
  {
    name: 'engagement_grade',
    type: 'enum',
    values: ['A', 'B', 'C', 'D', 'E', 'F'],
    ...usage,
    refresh: 'batch',
    method: 'grade',
    formula:
      'points for active devices, sync frequency and recency (like a bank’s A–F grades from active accounts, frequency and recency of use); bands in docs/crm.md',
    doc: 'Engagement grade A–F',
  },
  {
    name: 'lifecycle_stage',
    type: 'enum',
    values: LIFECYCLE_STAGES,
    ...usage,
    refresh: 'incremental',
    method: 'lifecycle',
    formula: 'state machine over signup, first reading, recency and churn risk; transitions in docs/crm.md',
    doc: 'Lifecycle stage',
  },
  {
    name: 'churn_risk',
    type: 'number',
    range: [0, 1],
    ...usage,
    refresh: 'batch',
    method: 'churn',
    formula:
      'how far the current silence exceeds the person’s own usual gap between measuring days, 0..1; 0 when a silent device explains it',
    doc: 'Churn risk from the person’s own rhythm',
  },
  {
    name: 'churn_reason',
    type: 'enum',
    values: ['none', 'rhythm_break', 'lapsed', 'silent_device'],
    ...usage,
    refresh: 'batch',
    method: 'churn',
    formula:
      'silent_device when every device whose habit broke has itself gone quiet (battery or gateway): risk 0; rhythm_break when one habit broke but the person still measures; lapsed when the person’s own rhythm broke; none otherwise',
    doc: 'Why churn risk is what it is',
  },
  {
    name: 'dormant_devices',
    type: 'integer',
    range: [0, 1000],
    ...usage,
    refresh: 'incremental',
    method: 'dormancy',
    formula: 'linked devices with no reading for more than 30 days',
    doc: 'Dormant devices',
  },
  ...DEVICE_KINDS.map(
    (kind): TraitDef => ({
      name: `owns_${kind}`,
      type: 'boolean',
      ...usage,
      refresh: 'incremental',
      method: 'propensity',
      formula: `a linked device of kind ${kind} (by its GATT service)`,
      doc: `Owns a ${kind}`,
    }),
  ),
  {
    name: 'next_device',
    type: 'enum',
    values: [...DEVICE_KINDS, 'none'],
    ...usage,
    refresh: 'batch',
    method: 'propensity',
    formula:
      'the kind not yet owned that most often comes next among people who own the same kinds; none when all are owned',
    doc: 'Next-device propensity',
  },
  {
    name: 'bp_adherence_7d',
    type: 'integer',
    range: [0, 7],
    ...health,
    refresh: 'incremental',
    method: 'adherence',
    formula: 'days of the last 7 with at least two blood-pressure readings (home monitoring, ESH 2023 §6)',
    doc: 'Blood-pressure adherence (days of 7)',
  },
  {
    name: 'measurement_streak_days',
    type: 'integer',
    range: [0, 36500],
    ...health,
    refresh: 'incremental',
    method: 'adherence',
    formula:
      'consecutive days with at least one reading, ending on the run date (or the day before while the run date has none yet)',
    doc: 'Measurement streak',
  },
  {
    name: 'has_stage2_bp',
    type: 'boolean',
    ...health,
    refresh: 'incremental',
    method: 'adherence',
    formula: 'any blood-pressure reading in 30 days the trends classifier puts at stage 2 or above',
    doc: 'Had stage 2 blood pressure in 30 days',
  },
  {
    name: 'readings_30d',
    type: 'integer',
    range: [0, 10_000_000],
    ...usage,
    refresh: 'incremental',
    method: 'generic',
    formula: 'count of readings in the last 30 days',
    doc: 'Readings in 30 days',
  },
  {
    name: 'readings_total',
    type: 'integer',
    range: [0, 1_000_000_000],
    ...usage,
    refresh: 'incremental',
    method: 'generic',
    formula: 'count of readings ever',
    doc: 'Readings in total',
  },
  {
    name: 'first_reading_at',
    type: 'timestamp',
    ...usage,
    refresh: 'incremental',
    method: 'generic',
    formula:
      'UTC day of the first reading, as that day’s midnight (the activity input keeps days, not times)',
    doc: 'First reading',
  },
  {
    name: 'last_reading_at',
    type: 'timestamp',
    ...usage,
    refresh: 'incremental',
    method: 'generic',
    formula: 'UTC day of the last reading, as that day’s midnight',
    doc: 'Last reading',
  },
  {
    name: 'top_metric',
    type: 'text',
    ...usage,
    refresh: 'batch',
    method: 'generic',
    formula: 'the metric with most readings in 90 days (ties: alphabetical)',
    doc: 'Most frequent metric',
  },
];

export const TRAITS_BY_NAME: ReadonlyMap<string, TraitDef> = new Map(TRAIT_CATALOG.map((t) => [t.name, t]));

/** The trait, or undefined for any name the catalog does not declare (the segment compiler's allow-list). */
export function traitNamed(name: string): TraitDef | undefined {
  return TRAITS_BY_NAME.get(name);
}
