import { describe, expect, it } from 'vitest';
import type { MessageKey } from '../web/i18n/en.js';
import { DICTIONARIES, LOCALES, translate } from '../web/i18n/index.js';
import {
  APP_SCOPES,
  dataScopes,
  safeLink,
  scopeAbout,
  scopeLabel,
  showableLogo,
} from '../web/pages/oauth/scope-names.js';

const en = { t: (key: MessageKey) => translate('en', key) };
const zh = { t: (key: MessageKey) => translate('zh-CN', key) };

describe('scope names on the consent, apps and developer pages', () => {
  it.each([...APP_SCOPES, 'offline_access'])(
    '%s has a label and a one-line description in en and zh-CN',
    (scope) => {
      for (const i18n of [en, zh]) {
        expect(scopeLabel(i18n, scope)).not.toBe(scope);
        expect(scopeAbout(i18n, scope)).toMatch(/[.。]$/);
      }
    },
  );

  it('names blood_pressure.read "Blood pressure" / "血压"', () => {
    expect(scopeLabel(en, 'blood_pressure.read')).toBe('Blood pressure');
    expect(scopeLabel(zh, 'blood_pressure.read')).toBe('血压');
  });

  it('shows a scope it does not know as the API spells it, with no description', () => {
    expect(scopeLabel(en, 'sleep.read')).toBe('sleep.read');
    expect(scopeAbout(en, 'sleep.read')).toBeUndefined();
  });

  it('lists data scopes in catalogue order, unknown ones after, without openid and offline_access', () => {
    expect(dataScopes(['trends.read', 'offline_access', 'sleep.read', 'openid', 'heart_rate.read'])).toEqual([
      'heart_rate.read',
      'trends.read',
      'sleep.read',
    ]);
  });
});

describe('app links and logos', () => {
  it('shows a logo from https or loopback http only', () => {
    expect(showableLogo('https://app.example/logo.png')).toBe('https://app.example/logo.png');
    expect(showableLogo('http://127.0.0.1:8080/logo.png')).toBe('http://127.0.0.1:8080/logo.png');
    expect(showableLogo('http://[::1]/logo.png')).toBe('http://[::1]/logo.png');
    expect(showableLogo('http://app.example/logo.png')).toBeUndefined();
    expect(showableLogo('data:image/png;base64,AAAA')).toBeUndefined();
    expect(showableLogo('not a url')).toBeUndefined();
    expect(showableLogo(null)).toBeUndefined();
  });

  it('makes a privacy-policy link of http(s) only, never javascript:', () => {
    expect(safeLink('https://app.example/privacy')).toBe('https://app.example/privacy');
    expect(safeLink('javascript:alert(1)')).toBeUndefined();
    expect(safeLink(null)).toBeUndefined();
  });
});

// WCAG 2.5.3 Label in Name: a button whose accessible name names the app must contain its visible text.
const LABELLED: readonly (readonly [label: MessageKey, visible: MessageKey])[] = [
  ['apps.disconnectLabel', 'apps.disconnect'],
  ['developer.rotateLabel', 'developer.rotate'],
  ['developer.disableLabel', 'developer.disable'],
  ['developer.copySecret', 'common.copy'],
  ['developer.copyDiscovery', 'common.copy'],
];

describe('app pages’ button labels', () => {
  it.each(LOCALES)('%s keeps each button’s visible text inside its longer accessible name', (locale) => {
    const dict = DICTIONARIES[locale];
    const missing = LABELLED.filter(([label, visible]) => !dict[label].includes(dict[visible]));
    expect(missing).toEqual([]);
  });
});
