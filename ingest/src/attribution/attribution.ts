/** How a stored reading was attributed to its account (docs/attribution.md). */
export type AttributionMethod =
  | 'uds-user-index'
  | 'bls-user-id'
  | 'single-owner'
  | 'weight-proximity'
  | 'manual';

/** Stored with every reading as the fields attr_method, attr_confidence and attr_rule. */
export interface Attribution {
  readonly method: AttributionMethod;
  /** 0..1. */
  readonly confidence: number;
  /** What decided: `device-owner`, `slot-map`, `rule:<id> …`, `inbox-file`, `reassign`. */
  readonly rule: string;
}

/** Why a reading waits in the household inbox (inbox_items.reason). */
export type InboxReason = 'unknown_device' | 'unassigned_slot' | 'ambiguous';

/** A candidate member for an inbox reading, best first in `inbox_items.hint`. */
export interface Candidate {
  account: string;
  confidence: number;
  rule: string;
}

// Constant objects: points.ts caches each one's line-protocol suffix, so the hot path builds it once.
export const SINGLE_OWNER: Attribution = Object.freeze({
  method: 'single-owner',
  confidence: 1,
  rule: 'device-owner',
});
const BLS_SLOT: Attribution = Object.freeze({ method: 'bls-user-id', confidence: 1, rule: 'slot-map' });
const UDS_SLOT: Attribution = Object.freeze({ method: 'uds-user-index', confidence: 1, rule: 'slot-map' });
export const MANUAL_FILE: Attribution = Object.freeze({
  method: 'manual',
  confidence: 1,
  rule: 'inbox-file',
});
export const MANUAL_REASSIGN: Attribution = Object.freeze({
  method: 'manual',
  confidence: 1,
  rule: 'reassign',
});

/**
 * A slot-mapped reading's method comes from the profile that numbers the users: the Blood Pressure
 * Service's user id (BLS 1.1, Blood Pressure Measurement flags bit 2) for blood pressure, the User Data
 * Service's user index (UDS 1.0, WSS/BCS user id field) for everything a scale measures.
 */
export function slotAttribution(metric: string): Attribution {
  return metric === 'blood_pressure' ? BLS_SLOT : UDS_SLOT;
}
