import { createHash } from 'node:crypto';
import type { BasePurpose } from './purposes.js';

/**
 * The consent texts a person is shown, per purpose and version, in each console language. A grant names
 * the version and the SHA-256 of the exact text shown (UTF-8, as written here), so the record proves which
 * words were agreed to (GDPR Art. 7(1)); changing a text means adding a version, never editing one, and the
 * last version of a purpose is the only one a new grant may name.
 */

export const CONSENT_LOCALES = ['en', 'zh-CN'] as const;
export type ConsentLocale = (typeof CONSENT_LOCALES)[number];

/** `share` is every `share:<partner>` purpose; `{partner}` in its text is replaced by the partner's id. */
export type TextKey = BasePurpose | 'share';

interface TextVersion {
  version: string;
  text: Record<ConsentLocale, string>;
}

const TEXTS: Record<TextKey, readonly TextVersion[]> = {
  service: [
    {
      version: '2026-12-01',
      text: {
        en: 'Linkwell uses your readings, devices and contact details to run the service you signed up for: storing, showing and sharing your measurements as you choose.',
        'zh-CN':
          'Linkwell 使用您的测量数据、设备和联系方式来提供您注册的服务：按您的选择存储、展示和共享测量结果。',
      },
    },
  ],
  product_analytics: [
    {
      version: '2026-12-01',
      text: {
        en: 'Linkwell may analyse how you use the product (never your readings’ values) to improve it.',
        'zh-CN': 'Linkwell 可以分析您如何使用产品（绝不包括测量数值）以改进产品。',
      },
    },
  ],
  marketing: [
    {
      version: '2026-11-01',
      text: {
        en: 'Linkwell may send you offers based on your usage.',
        'zh-CN': 'Linkwell 可以根据您的使用情况向您发送优惠信息。',
      },
    },
    {
      version: '2026-12-01',
      text: {
        en: 'Linkwell may use derived usage traits (such as how often you measure and which devices you own) to send you offers and product news. You can withdraw at any time; nothing already sent is undone, nothing new is sent.',
        'zh-CN':
          'Linkwell 可以使用派生的使用特征（例如测量频率和您拥有的设备）向您发送优惠和产品资讯。您可以随时撤回；已发送的内容无法撤回，之后不再发送。',
      },
    },
  ],
  research: [
    {
      version: '2026-12-01',
      text: {
        en: 'Linkwell may include your data, pseudonymised, in research on home measurement. Results are only published for groups of at least 100 people.',
        'zh-CN': 'Linkwell 可以在家庭测量研究中使用您的假名化数据。研究结果只以至少 100 人的群体发布。',
      },
    },
  ],
  care_programme: [
    {
      version: '2026-12-01',
      text: {
        en: 'Linkwell may use your data to offer you a care programme suited to your measurements.',
        'zh-CN': 'Linkwell 可以使用您的数据为您推荐适合您测量情况的护理计划。',
      },
    },
  ],
  share: [
    {
      version: '2026-12-01',
      text: {
        en: 'Linkwell may share this category of your data with the partner “{partner}”, for the purpose that partner declared.',
        'zh-CN': 'Linkwell 可以将您这一类别的数据共享给合作方“{partner}”，仅用于该合作方声明的用途。',
      },
    },
  ],
};

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface ConsentText {
  purpose: string;
  version: string;
  locale: ConsentLocale;
  text: string;
  sha256: string;
}

function keyAndPartner(purpose: string): { key: TextKey; partner: string | null } {
  return purpose.startsWith('share:')
    ? { key: 'share', partner: purpose.slice('share:'.length) }
    : { key: purpose as BasePurpose, partner: null };
}

function render(purpose: string, v: TextVersion): ConsentText[] {
  const { partner } = keyAndPartner(purpose);
  return CONSENT_LOCALES.map((locale) => {
    const text = partner === null ? v.text[locale] : v.text[locale].replaceAll('{partner}', partner);
    return { purpose, version: v.version, locale, text, sha256: sha256Hex(text) };
  });
}

/** The current texts of a (valid) purpose, one per locale. */
export function currentTexts(purpose: string): ConsentText[] {
  const versions = TEXTS[keyAndPartner(purpose).key];
  return render(purpose, versions[versions.length - 1]!);
}

export type TextMatch =
  | { ok: true; locale: ConsentLocale }
  | { ok: false; reason: 'unknown_version' | 'outdated_version' | 'hash_mismatch'; current: string };

/** Whether `version` is the purpose's current text and `sha256` the hash of one of its locales. */
export function matchText(purpose: string, version: string, sha256: string): TextMatch {
  const versions = TEXTS[keyAndPartner(purpose).key];
  const current = versions[versions.length - 1]!.version;
  const found = versions.find((v) => v.version === version);
  if (found === undefined) return { ok: false, reason: 'unknown_version', current };
  if (found.version !== current) return { ok: false, reason: 'outdated_version', current };
  const shown = render(purpose, found).find((t) => t.sha256 === sha256.toLowerCase());
  return shown ? { ok: true, locale: shown.locale } : { ok: false, reason: 'hash_mismatch', current };
}
