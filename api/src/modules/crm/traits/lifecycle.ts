/**
 * The lifecycle stage, a state machine over the person's first and last activity, churn risk and previous
 * stage (docs/crm.md "Lifecycle"). In order, the first rule that holds:
 * 1. `prospect`: no device linked and no reading ever;
 * 2. `onboarding`: the first reading (or, with none yet, the first device) is less than 14 days old;
 * 3. `churned`: silent (days since the last reading, or since the first device when there is none) > 90;
 * 4. `dormant`: silent > 30;
 * 5. `at_risk`: churn risk ≥ 0.5 (the person's own rhythm broke);
 * 6. `reactivated`: the previous stage was `dormant` or `churned`, or it was `reactivated` and was entered
 *    less than 30 days ago;
 * 7. `active`.
 * The 30/90-day silences are the CRM convention for dormant and lost customers at a monthly and a quarterly
 * cycle (windows configurable in spirit; the catalog fixes them so segments mean the same everywhere).
 */
import type { LifecycleStage } from '../catalog.js';

export const ONBOARDING_DAYS = 14;
export const DORMANT_AFTER = 30;
export const CHURNED_AFTER = 90;
export const AT_RISK_FROM = 0.5;
export const REACTIVATED_FOR = 30;

export interface LifecycleInput {
  today: number;
  hasDevice: boolean;
  firstReadingDay: number | null;
  lastReadingDay: number | null;
  /** The earliest day a linked device was added, or null. */
  firstDeviceDay: number | null;
  churnRisk: number;
  previous: { stage: LifecycleStage; since: number } | null;
}

export function lifecycleStage(i: LifecycleInput): LifecycleStage {
  if (!i.hasDevice && i.firstReadingDay === null) return 'prospect';
  const start = i.firstReadingDay ?? i.firstDeviceDay ?? i.today;
  if (i.today - start < ONBOARDING_DAYS) return 'onboarding';
  const silent = i.today - (i.lastReadingDay ?? start);
  if (silent > CHURNED_AFTER) return 'churned';
  if (silent > DORMANT_AFTER) return 'dormant';
  if (i.churnRisk >= AT_RISK_FROM) return 'at_risk';
  const prev = i.previous;
  if (prev && (prev.stage === 'dormant' || prev.stage === 'churned')) return 'reactivated';
  if (prev?.stage === 'reactivated' && i.today - prev.since < REACTIVATED_FOR) return 'reactivated';
  return 'active';
}

/** The transition to record, or undefined when the stage did not change. */
export function transitionOf(
  previous: LifecycleStage | null,
  next: LifecycleStage,
): { from: LifecycleStage | null; to: LifecycleStage } | undefined {
  return previous === next ? undefined : { from: previous, to: next };
}
