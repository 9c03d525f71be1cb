/**
 * What a consent is about (docs/consents.md): the purposes, the data categories and the recipients. The
 * values are the CRM catalog's (api/src/modules/crm/catalog.ts) repeated here, not imported, because
 * contexts depend on each other only through service interfaces; api/test/consents-service.test.ts keeps
 * the two lists equal.
 */

export const BASE_PURPOSES = [
  'service',
  'product_analytics',
  'marketing',
  'research',
  'care_programme',
] as const;
export type BasePurpose = (typeof BASE_PURPOSES)[number];
/** `share:<partner>`: disclosure to one partner organisation, named by its id. */
export type Purpose = BasePurpose | `share:${string}`;

export const CONSENT_CATEGORIES = ['usage', 'health', 'contact'] as const;
export type ConsentCategory = (typeof CONSENT_CATEGORIES)[number];

export const CONSENT_CHANNELS = ['console', 'api', 'cli', 'import'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** The platform itself (its own CRM) as a recipient. */
export const PLATFORM_RECIPIENT = 'linkwell';

/** Partner and destination ids: lower-case slugs, at most 63 characters. */
export const PARTNER_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Processing needed to run the service a person signed up for rests on the contract, not on consent
 * (GDPR Art. 6(1)(b)), so `service` holds until withdrawn; every other purpose is off until granted (Art. 7,
 * Art. 9(2)(a), and issue 16: marketing is off by default).
 */
export const isOnByDefault = (purpose: string): boolean => purpose === 'service';

export type PurposeCheck =
  | { ok: true; purpose: Purpose; partner: string | null }
  | { ok: false; reason: 'unknown_purpose' | 'bad_partner' };

export function parsePurpose(value: string): PurposeCheck {
  if ((BASE_PURPOSES as readonly string[]).includes(value)) {
    return { ok: true, purpose: value as BasePurpose, partner: null };
  }
  if (!value.startsWith('share:')) return { ok: false, reason: 'unknown_purpose' };
  const partner = value.slice('share:'.length);
  return PARTNER_ID.test(partner)
    ? { ok: true, purpose: `share:${partner}`, partner }
    : { ok: false, reason: 'bad_partner' };
}

export const isCategory = (value: string): value is ConsentCategory =>
  (CONSENT_CATEGORIES as readonly string[]).includes(value);

export const isChannel = (value: string): value is ConsentChannel =>
  (CONSENT_CHANNELS as readonly string[]).includes(value);
