import { describe, expect, it } from 'vitest';
import {
  DICTIONARIES,
  detectLocale,
  formatDateTime,
  formatList,
  LOCALES,
  translate,
} from '../web/i18n/index.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console dictionaries', () => {
  const english = DICTIONARIES.en;

  it.each(LOCALES)('%s has exactly the English keys', (locale) => {
    expect(Object.keys(DICTIONARIES[locale]).sort()).toEqual(Object.keys(english).sort());
  });

  it.each(LOCALES)('%s has no empty or blank value', (locale) => {
    const blank = Object.entries(DICTIONARIES[locale]).filter(([, text]) => text.trim() === '');
    expect(blank).toEqual([]);
  });

  it('zh-CN uses the same {placeholders} as English in every message', () => {
    const differing = Object.entries(english)
      .filter(([key, text]) => {
        const chinese = DICTIONARIES['zh-CN'][key as keyof typeof english];
        return placeholders(chinese).join() !== placeholders(text).join();
      })
      .map(([key]) => key);
    expect(differing).toEqual([]);
  });

  // WCAG 2.5.3 Label in Name: a button's longer accessible name must contain its visible text, so that a
  // person using speech input can say what they see.
  it.each(LOCALES)('%s keeps each button’s visible text inside its longer accessible name', (locale) => {
    const dict = DICTIONARIES[locale];
    expect(dict['identities.unlinkLabel']).toContain(dict['identities.unlink']);
    expect(dict['merges.undoLabel']).toContain(dict['merges.undo']);
  });

  it('translates API_ERR_LAST_IDENTITY into both languages', () => {
    expect(translate('en', 'error.API_ERR_LAST_IDENTITY')).toBe(
      'This is your only identity, so it cannot be unlinked: you would no longer be able to sign in. Link another identity first.',
    );
    expect(translate('zh-CN', 'error.API_ERR_LAST_IDENTITY')).toBe(
      '这是您唯一的身份，无法解除关联，否则您将无法登录。请先关联其他身份。',
    );
  });
});

describe('translate', () => {
  it('fills {provider} in "Continue with {provider}"', () => {
    expect(translate('en', 'signin.continueWith', { provider: 'Google' })).toBe('Continue with Google');
    expect(translate('zh-CN', 'signin.continueWith', { provider: '微信' })).toBe('使用微信登录');
  });

  it('leaves a placeholder without a value visible', () => {
    expect(translate('en', 'signin.continueWith')).toBe('Continue with {provider}');
  });
});

describe('detectLocale', () => {
  it.each([
    [['zh-CN'], 'zh-CN'],
    [['zh-TW', 'en'], 'zh-CN'],
    [['zh-Hant-HK'], 'zh-CN'],
    [['zh'], 'zh-CN'],
    [['en-GB', 'zh-CN'], 'en'],
    [['fr-FR', 'zh-CN'], 'zh-CN'],
    [['fr-FR', 'de'], 'en'],
    [[], 'en'],
  ] as const)('%j → %s', (languages, locale) => {
    expect(detectLocale(languages)).toBe(locale);
  });
});

describe('dates and lists', () => {
  // Noon UTC is the same calendar day in almost every time zone the tests may run in.
  it('formats 2026-01-05 in each locale’s own style', () => {
    expect(formatDateTime('en', '2026-01-05T12:00:00Z')).toMatch(/^Jan 5, 2026, /);
    expect(formatDateTime('zh-CN', '2026-01-05T12:00:00Z')).toMatch(/^2026年1月5日 /);
  });

  it('shows an unreadable timestamp as it came', () => {
    expect(formatDateTime('en', 'yesterday')).toBe('yesterday');
  });

  it('joins provider names the locale’s way', () => {
    expect(formatList('en', ['Google', 'Apple', 'WeChat'])).toBe('Google, Apple, and WeChat');
    expect(formatList('zh-CN', ['Google', 'Apple', '微信'])).toBe('Google、Apple和微信');
  });
});
