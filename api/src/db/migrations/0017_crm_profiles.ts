import type { Migration } from './types.js';

/**
 * The CRM context's profile table (docs/crm.md, issue 16): one row per person, one column per trait of the
 * computed-trait catalog (`api/src/modules/crm/catalog.ts`, whose names are the column names; a test holds
 * the two together). A trait is NULL when it cannot be computed, or when the person has not consented to
 * its purpose and category: consent is checked when traits are computed, so nothing is stored without it.
 * `consents` is the snapshot taken at that time, as 'purpose/category' for the platform's own CRM
 * (recipient `linkwell`), e.g. {marketing/usage}. Segments compile to SQL on this table and on
 * `crm_activity_days`, the usage counts the traits are computed from.
 */
export const crmProfilesMigration: Migration = {
  id: '0017_crm_profiles',
  sql: `
CREATE TABLE crm_profiles (
  account_id text PRIMARY KEY,
  consents text[] NOT NULL DEFAULT '{}',
  signed_up_at timestamptz,
  computed_at timestamptz NOT NULL DEFAULT now(),
  recency_days integer,
  frequency_30d integer,
  frequency_90d integer,
  engagement integer,
  r_score integer,
  f_score integer,
  e_score integer,
  rfe_code text,
  value_score double precision,
  abc_class text,
  clv double precision,
  engagement_grade text,
  lifecycle_stage text,
  churn_risk double precision,
  churn_reason text,
  dormant_devices integer,
  owns_scale boolean,
  owns_cuff boolean,
  owns_band boolean,
  owns_oximeter boolean,
  owns_thermometer boolean,
  next_device text,
  bp_adherence_7d integer,
  measurement_streak_days integer,
  has_stage2_bp boolean,
  readings_30d integer,
  readings_total integer,
  first_reading_at timestamptz,
  last_reading_at timestamptz,
  top_metric text
);

-- The CRM's usage input, kept from the event log by the activity feed (docs/crm.md): readings per person, UTC
-- day, metric and device. Counts only, never values; the frequency and recency rules of segments read it.
CREATE TABLE crm_activity_days (
  account_id text NOT NULL,
  day date NOT NULL,
  metric text NOT NULL,
  device_id text NOT NULL,
  readings integer NOT NULL CHECK (readings >= 0),
  PRIMARY KEY (account_id, day, metric, device_id)
);
CREATE INDEX crm_activity_days_day ON crm_activity_days (day, account_id);
`,
};
