/**
 * The consent matrix (docs/crm.md "Consent"): each trait needs its purpose's consent in the category its
 * sensitivity calls for, to recipient `linkwell` (the platform's own CRM). Checked when traits are computed:
 * without it the person's columns of that pair are NULL, never computed and hidden.
 */
import { type ConsentCategory, categoryOf, TRAIT_CATALOG } from '../catalog.js';

export const CRM_RECIPIENT = 'linkwell';

export interface ConsentPair {
  purpose: string;
  category: ConsentCategory;
  /** 'purpose/category', as stored in crm_profiles.consents. */
  key: string;
  /** The trait columns it gates. */
  columns: string[];
}

export const CONSENT_PAIRS: readonly ConsentPair[] = (() => {
  const pairs = new Map<string, ConsentPair>();
  for (const t of TRAIT_CATALOG) {
    const category = categoryOf(t.sensitivity);
    const key = `${t.purpose}/${category}`;
    const p = pairs.get(key) ?? { purpose: t.purpose, category, key, columns: [] };
    p.columns.push(t.name);
    pairs.set(key, p);
  }
  return [...pairs.values()];
})();

export const pairOfColumn = (column: string): ConsentPair | undefined =>
  CONSENT_PAIRS.find((p) => p.columns.includes(column));
