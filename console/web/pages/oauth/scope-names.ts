import { isMessageKey, type MessageKey } from '../../i18n/index.js';

/** The translator these helpers need (I18n's `t`), kept here so they load without the JSX context. */
export interface Translator {
  t(key: MessageKey): string;
}

/** The data scopes an app can be granted, in the API's catalogue order (api/src/auth/scopes.ts). */
export const APP_SCOPES = [
  'heart_rate.read',
  'blood_pressure.read',
  'body.read',
  'spo2.read',
  'temperature.read',
  'trends.read',
  'devices.read',
  'profile.read',
  'readings.write',
] as const;

/**
 * What an app may read, for lists: the data scopes in catalogue order, then any this console does not
 * know. `openid` and `offline_access` say how the app connects, not what it reads, so they are left out.
 */
export function dataScopes(scopes: readonly string[]): string[] {
  const known = APP_SCOPES.filter((scope) => scopes.includes(scope));
  const other = scopes.filter(
    (scope) =>
      !(APP_SCOPES as readonly string[]).includes(scope) && scope !== 'openid' && scope !== 'offline_access',
  );
  return [...known, ...other];
}

/** A scope's name for people; a scope this console does not know yet is shown as the API spells it. */
export function scopeLabel(i18n: Translator, scope: string): string {
  const key = `scope.${scope}`;
  return isMessageKey(key) ? i18n.t(key) : scope;
}

/** One line on what the scope lets the app read, or nothing for an unknown scope. */
export function scopeAbout(i18n: Translator, scope: string): string | undefined {
  const key = `scope.${scope}.about`;
  return isMessageKey(key) ? i18n.t(key) : undefined;
}

/**
 * A logo is shown only from https or a loopback http URL (an app under development): a plain-http logo
 * could be swapped on the way, and browsers treat it as mixed content on an https console. The alt text
 * names the app, so the page reads the same without the picture.
 */
export function showableLogo(uri: string | null): string | undefined {
  if (uri === null) return undefined;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol === 'https:') return url.href;
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  return url.protocol === 'http:' && loopback ? url.href : undefined;
}

/** Only https and http links become clickable (a `javascript:` policy URL must not). */
export function safeLink(uri: string | null): string | undefined {
  if (uri === null) return undefined;
  try {
    const url = new URL(uri);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
