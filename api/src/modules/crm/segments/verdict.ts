import { type Purpose, SENSITIVITIES, type Sensitivity } from '../catalog.js';

/**
 * The sensitivity verdict (issue 16 §5 and §7, DESIGN.md §5 "Consent and sensitivity"): may a segment whose
 * most sensitive trait is `sensitivity`, built for `purpose`, go to a destination? Every destination declares
 * the purposes and sensitivities it accepts; on top of that, two rules no declaration can lift:
 * - ad-type destinations (ad platforms, and the hashed CSV they are uploaded as) never take `health`;
 * - `health` goes only to a care programme, for a segment built for the care_programme purpose, whose
 *   consent gate then demands 'care_programme/health' of every member (explicit health consent,
 *   GDPR Art. 9(2)(a)).
 */

export const DESTINATION_KINDS = ['ads', 'hashed_csv', 'profile_api', 'webhook', 'care_programme'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

export const AD_KINDS: readonly DestinationKind[] = ['ads', 'hashed_csv'];

export interface DestinationDecl {
  kind: DestinationKind;
  purposes: readonly Purpose[];
  sensitivities: readonly Sensitivity[];
}

export type VerdictReason =
  | 'allowed'
  | 'sensitivity_not_accepted'
  | 'purpose_not_accepted'
  | 'health_never_to_ads'
  | 'health_needs_care_programme';

export interface Verdict {
  allowed: boolean;
  reason: VerdictReason;
}

export function verdict(
  sensitivity: Sensitivity,
  destination: DestinationDecl,
  purpose: Purpose = 'marketing',
): Verdict {
  const no = (reason: VerdictReason): Verdict => ({ allowed: false, reason });
  if (!SENSITIVITIES.includes(sensitivity)) return no('sensitivity_not_accepted');
  if (sensitivity === 'health') {
    if (AD_KINDS.includes(destination.kind)) return no('health_never_to_ads');
    if (destination.kind !== 'care_programme' || purpose !== 'care_programme')
      return no('health_needs_care_programme');
  }
  if (!destination.sensitivities.includes(sensitivity)) return no('sensitivity_not_accepted');
  if (!destination.purposes.includes(purpose)) return no('purpose_not_accepted');
  return { allowed: true, reason: 'allowed' };
}

/** What each kind accepts until destinations are configured per organisation (the preview's verdicts). */
export const DEFAULT_DESTINATIONS: readonly DestinationDecl[] = [
  { kind: 'ads', purposes: ['marketing'], sensitivities: ['none', 'usage'] },
  { kind: 'hashed_csv', purposes: ['marketing'], sensitivities: ['none', 'usage'] },
  { kind: 'profile_api', purposes: ['marketing', 'product_analytics'], sensitivities: ['none', 'usage'] },
  { kind: 'webhook', purposes: ['marketing', 'product_analytics'], sensitivities: ['none', 'usage'] },
  { kind: 'care_programme', purposes: ['care_programme'], sensitivities: ['none', 'usage', 'health'] },
];

export function verdicts(
  sensitivity: Sensitivity,
  purpose: Purpose,
  destinations: readonly DestinationDecl[] = DEFAULT_DESTINATIONS,
): Record<string, Verdict> {
  return Object.fromEntries(destinations.map((d) => [d.kind, verdict(sensitivity, d, purpose)]));
}
