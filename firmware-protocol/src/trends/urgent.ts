import { ProtocolError } from '../errors.js';
import type { Reading } from '../wire/envelope.js';

/**
 * Thresholds of the urgent blood-pressure rule, in mm[Hg]. ACC/AHA 2017 guideline (Whelton et al.,
 * Hypertension 2018;71:e13–e115), Section 11.2, describes hypertensive crises as SBP >180 and/or DBP >120 mm Hg.
 * The product fires at ≥ instead of >: a reading of exactly 180 or 120 is one mmHg on the cautious side.
 */
export const URGENT_BP_THRESHOLDS = Object.freeze({ systolic: 180, diastolic: 120 });

/** The quality flag a gateway sets on wrist-estimated (cuffless) blood pressure. */
export const CUFFLESS_FLAG = 'cuffless';

/**
 * True when a blood-pressure pair reaches the urgent thresholds (systolic ≥180 and/or diastolic ≥120 mm[Hg]).
 * A product rule for raising an event to act on, not a diagnosis. Throws PROTO_ERR_OUT_OF_RANGE for a
 * non-finite value: NaN compares false against every threshold and would hide an urgent reading.
 */
export function isUrgentBloodPressure(systolic: number, diastolic: number): boolean {
  for (const [field, value] of [
    ['systolic', systolic],
    ['diastolic', diastolic],
  ] as const) {
    if (!Number.isFinite(value))
      throw new ProtocolError('PROTO_ERR_OUT_OF_RANGE', `${field} is not a finite number`, undefined, {
        field,
      });
  }
  return systolic >= URGENT_BP_THRESHOLDS.systolic || diastolic >= URGENT_BP_THRESHOLDS.diastolic;
}

/**
 * The pair of a stored blood-pressure reading that raises an urgent event, or undefined. Cuffless readings
 * never do: the 2025 AHA/ACC guideline (Section 3.1.4.1) recommends against cuffless devices for diagnosis
 * or management, and the trends classifiers leave them out for the same reason.
 */
export function urgentBloodPressureOf(
  reading: Pick<Reading, 'metric' | 'values' | 'quality'>,
): { systolic: number; diastolic: number } | undefined {
  if (reading.metric !== 'blood_pressure' || reading.quality.includes(CUFFLESS_FLAG)) return undefined;
  const { systolic, diastolic } = reading.values;
  if (systolic === undefined || diastolic === undefined) return undefined;
  return isUrgentBloodPressure(systolic, diastolic) ? { systolic, diastolic } : undefined;
}
