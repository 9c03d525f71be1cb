import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey } from './en.js';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export const DICTIONARIES: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type Vars = Readonly<Record<string, string | number>>;

/**
 * The first language the person prefers that the console speaks: any Chinese (zh, zh-TW, zh-Hant-HK…)
 * gets Simplified Chinese, any English gets English, others are skipped; English when none matches.
 */
export function detectLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'zh') return 'zh-CN';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

/** `{name}` placeholders are replaced by `vars`; an unknown placeholder stays visible rather than vanish. */
export function translate(locale: Locale, key: MessageKey, vars: Vars = {}): string {
  return DICTIONARIES[locale][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

/** An ISO timestamp as a date and time in the locale's own style, in the browser's time zone. */
export function formatDateTime(locale: Locale, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

/** A list of names joined the locale's way ("A, B and C" / "A、B和C"). */
export function formatList(locale: Locale, items: readonly string[]): string {
  return new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
}
