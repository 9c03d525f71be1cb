import { ApiError } from '../../../errors.js';
import { type Purpose, SENSITIVITIES, type Sensitivity, TRAIT_CATALOG } from '../catalog.js';
import type { DestinationRow } from '../repository/destinations.js';
import { isPurpose } from '../repository/segment-sql.js';
import {
  AD_KINDS,
  DESTINATION_KINDS,
  type DestinationDecl,
  type DestinationKind,
  verdict,
} from '../segments/verdict.js';

// What a destination declares (issue 16 §7, docs/crm.md "Destinations"): its kind, recipient, the purposes and
// sensitivities it accepts and its k, checked when it is created and again at every sync.

export const K_DEFAULT = 100;
const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const NAME_MAX = 200;

export const bad = (path: string, message: string) =>
  new ApiError('API_ERR_CRM_DESTINATION_INVALID', message, { path });

const DEFAULT_SENSITIVITIES: Record<DestinationKind, Sensitivity[]> = {
  ads: ['none', 'usage'],
  hashed_csv: ['none', 'usage'],
  profile_api: ['none', 'usage'],
  webhook: ['none', 'usage'],
  care_programme: ['none', 'usage', 'health'],
};
const DEFAULT_PURPOSES: Record<DestinationKind, Purpose[]> = {
  ads: ['marketing'],
  hashed_csv: ['marketing'],
  profile_api: ['marketing'],
  webhook: ['marketing'],
  care_programme: ['care_programme'],
};

export const declOf = (d: Pick<DestinationRow, 'kind' | 'purposes' | 'sensitivities'>): DestinationDecl => ({
  kind: d.kind as DestinationKind,
  purposes: d.purposes as Purpose[],
  sensitivities: d.sensitivities as Sensitivity[],
});

/** The catalog traits a destination sends: those the sensitivity verdict allows for it (never health to ads). */
export function traitsFor(d: Pick<DestinationRow, 'kind' | 'purposes' | 'sensitivities'>) {
  const decl = declOf(d);
  return TRAIT_CATALOG.filter((t) => verdict(t.sensitivity, decl, t.purpose).allowed);
}

export const isAd = (kind: string) => (AD_KINDS as readonly string[]).includes(kind);

/** Ad platforms never take health (issue 16 §7): refused when declared, and again before anything leaves. */
export function refuseHealthToAds(d: Pick<DestinationRow, 'kind' | 'sensitivities'>) {
  if (isAd(d.kind) && d.sensitivities.includes('health'))
    throw new ApiError('API_ERR_CRM_HEALTH_TO_ADS', 'an ad destination never accepts health traits', {
      kind: d.kind,
    });
}

/** The declared parts of a new destination, with the kind's defaults, or a coded refusal. */
export function validateDeclaration(input: {
  name: string;
  kind: string;
  recipient: string;
  purposes?: string[] | undefined;
  sensitivities?: string[] | undefined;
  k?: number | undefined;
}): { kind: DestinationKind; purposes: string[]; sensitivities: string[]; k: number } {
  if (typeof input.name !== 'string' || !input.name.trim() || input.name.length > NAME_MAX)
    throw bad('/name', 'a destination name is 1 to 200 characters');
  if (!(DESTINATION_KINDS as readonly string[]).includes(input.kind))
    throw bad('/kind', `kind is one of ${DESTINATION_KINDS.join(', ')}`);
  const kind = input.kind as DestinationKind;
  if (typeof input.recipient !== 'string' || !SLUG.test(input.recipient))
    throw bad('/recipient', 'the recipient is a consent recipient slug: [a-z0-9][a-z0-9_-]{0,62}');
  const purposes = input.purposes ?? DEFAULT_PURPOSES[kind];
  purposes.forEach((p, i) => {
    if (!isPurpose(p)) throw bad(`/purposes/${i}`, 'not a consent purpose');
  });
  const sensitivities = input.sensitivities ?? DEFAULT_SENSITIVITIES[kind];
  sensitivities.forEach((s, i) => {
    if (!(SENSITIVITIES as readonly string[]).includes(s))
      throw bad(`/sensitivities/${i}`, 'not a sensitivity');
  });
  refuseHealthToAds({ kind, sensitivities });
  if (sensitivities.includes('health') && kind !== 'care_programme')
    throw bad('/sensitivities', 'only a care_programme destination may accept health traits');
  const k = input.k ?? K_DEFAULT;
  if (!Number.isInteger(k) || k < K_DEFAULT)
    throw new ApiError('API_ERR_CRM_BAD_K', `k may only be raised above ${K_DEFAULT}`, { k });
  return { kind, purposes, sensitivities, k };
}
