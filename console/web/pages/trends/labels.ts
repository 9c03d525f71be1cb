import type { I18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';
import type { Stat } from './chart-data.js';

/** A field's name in the page's language, or the API's name for one the console has no words for. */
export function fieldLabel({ t }: Pick<I18n, 't'>, field: string): string {
  const key = `trends.field.${field}`;
  return isMessageKey(key) ? t(key) : field;
}

/** "Systolic, mean" / "收缩压平均值". */
export function seriesLabel(i18n: Pick<I18n, 't'>, field: string, stat: Stat): string {
  const key = `trends.stat.${stat}`;
  return i18n.t('trends.seriesLabel', {
    field: fieldLabel(i18n, field),
    stat: isMessageKey(key) ? i18n.t(key) : stat,
  });
}

/** A translated label for `prefix.value`, or the value itself when the console has none. */
export function labelOf({ t }: Pick<I18n, 't'>, prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return isMessageKey(key) ? t(key) : value;
}

/** One decimal: what cuffs, scales and thermometers resolve, without the float noise of a mean. */
export function formatNumber(locale: string, value: number): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(value);
}

/** The classification's own label in the page's language (the API sends both). */
export function localLabel(locale: string, item: { label_en: string; label_zh: string }): string {
  return locale === 'zh-CN' ? item.label_zh : item.label_en;
}
