/**
 * The API's scopes. App scopes are what a person can grant a third-party app on the consent page, one per data
 * family and direction (Fitbit, Google Health and Huawei grant per data type the same way); first-party scopes
 * (managing the account, linking gateways) only ever reach the console and the CLI, never an app.
 */
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
export type AppScope = (typeof APP_SCOPES)[number];

export const FIRST_PARTY_ONLY_SCOPES = ['account', 'gateways:link'] as const;

export const SCOPES = [...APP_SCOPES, ...FIRST_PARTY_ONLY_SCOPES] as const;
export type Scope = (typeof SCOPES)[number];

/** OpenID Connect scopes the authorization server also knows (Core §5.4, §11). */
export const OIDC_SCOPES = ['openid', 'offline_access'] as const;

/** Scopes a data family needs to be read, by the trend metric that reads it (firmware-protocol's catalog). */
export const FAMILY_SCOPE_OF_METRIC: Readonly<Record<string, AppScope>> = {
  heart_rate: 'heart_rate.read',
  pulse_rate: 'heart_rate.read',
  blood_pressure: 'blood_pressure.read',
  body_weight: 'body.read',
  body_composition: 'body.read',
  bmi: 'body.read',
  spo2: 'spo2.read',
  body_temperature: 'temperature.read',
};

export function isAppScope(value: string): value is AppScope {
  return (APP_SCOPES as readonly string[]).includes(value);
}
