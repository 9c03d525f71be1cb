import type { Count, Trait } from '../../api/marketer-types.js';
import type { I18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';

type T = Pick<I18n, 't'>;

/** A dictionary entry by a key built from API data, or `fallback` when the dictionary has none. */
export function labelOr(i18n: T, key: string, fallback: string): string {
  return isMessageKey(key) ? i18n.t(key) : fallback;
}

/** A trait's one-line description in the page's language; the catalog's English `doc` otherwise. */
export const traitLabel = (i18n: T, trait: Pick<Trait, 'name' | 'doc'>) =>
  labelOr(i18n, `marketer.trait.${trait.name}`, trait.doc);

/** An enum value (lifecycle stage, churn reason, device kind); grades and classes stay as they are. */
export const valueLabel = (i18n: T, value: string) => labelOr(i18n, `marketer.value.${value}`, value);

export const sensitivityLabel = (i18n: T, s: string) => labelOr(i18n, `marketer.sensitivity.${s}`, s);
export const methodLabel = (i18n: T, m: string) => labelOr(i18n, `marketer.method.${m}`, m);
export const operatorLabel = (i18n: T, op: string) => labelOr(i18n, `marketer.op.${op}`, op);
export const destinationLabel = (i18n: T, kind: string) => labelOr(i18n, `marketer.destKind.${kind}`, kind);
export const verdictLabel = (i18n: T, reason: string) => labelOr(i18n, `marketer.verdict.${reason}`, reason);

/** A count as the API sent it: a number in the locale's digits, or the suppressed `<100` exactly as is. */
export function countText(locale: string, count: Count): string {
  return typeof count === 'number' ? new Intl.NumberFormat(locale).format(count) : count;
}

export const isSuppressed = (count: Count): count is string => typeof count === 'string';

export function percent(locale: string, share: number | null): string {
  if (share === null) return '–';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}
