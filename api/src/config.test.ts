import { describe, expect, it } from 'vitest';
import { loadApiConfigFromEnv, parseApiConfig } from './config.js';
import { ApiConfigError } from './errors.js';

describe('loadApiConfigFromEnv', () => {
  it('defaults to PGlite under ./data/api on 127.0.0.1:8080 with InfluxDB on :8086', () => {
    expect(loadApiConfigFromEnv({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      influx: { url: 'http://127.0.0.1:8086', database: 'linkwell' },
      database: { kind: 'pglite', dataDir: './data/api/pglite' },
      keys: { dir: './data/api/keys' },
      publicUrl: 'http://127.0.0.1:8080',
      providers: [],
      authRateLimitPerMinute: 60,
      appRateLimits: { perPersonPerHour: 150, perClientPerMinute: 120 },
      exports: { dir: './data/api/exports', ttlHours: 24 },
      webhooks: { pollMs: 1_000, timeoutMs: 10_000, leaseMs: 60_000 },
      crm: { consumer: true, syncIntervalMs: 60_000 },
      logLevel: 'info',
    });
  });

  it('reads the export directory and the webhook timings, and refuses a timeout that is not a number', () => {
    const config = loadApiConfigFromEnv({
      LINKWELL_API_EXPORT_DIR: '/var/lib/linkwell/exports',
      LINKWELL_API_EXPORT_TTL_HOURS: '6',
      LINKWELL_API_WEBHOOK_POLL_MS: '250',
      LINKWELL_API_WEBHOOK_TIMEOUT_MS: '5000',
    });
    expect(config.exports).toEqual({ dir: '/var/lib/linkwell/exports', ttlHours: 6 });
    expect(config.webhooks).toEqual({ pollMs: 250, timeoutMs: 5000, leaseMs: 60_000 });
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_WEBHOOK_TIMEOUT_MS: 'soon' })).toThrow(ApiConfigError);
  });

  it('turns the CRM consumer off and the background sync off, and refuses a negative sync interval', () => {
    const config = loadApiConfigFromEnv({
      LINKWELL_API_CRM_CONSUMER: 'false',
      LINKWELL_API_CRM_SYNC_INTERVAL_MS: '0',
    });
    expect(config.crm).toEqual({ consumer: false, syncIntervalMs: 0 });
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_CRM_SYNC_INTERVAL_MS: '-5' })).toThrow(ApiConfigError);
  });

  const google = {
    id: 'google',
    kind: 'oidc',
    display_name: 'Google',
    issuer: 'https://accounts.google.com',
    client_id: 'cid',
    client_secret: 'secret',
    scopes: ['openid', 'email', 'profile'],
    trust_email_verified: true,
    id_token_alg: 'RS256',
  };

  it('reads identity providers from LINKWELL_API_PROVIDERS_FILE', () => {
    const config = loadApiConfigFromEnv({ LINKWELL_API_PROVIDERS_FILE: '/etc/lw/providers.json' }, (path) => {
      expect(path).toBe('/etc/lw/providers.json');
      return JSON.stringify([google]);
    });
    expect(config.providers).toEqual([google]);
  });

  it('rejects a provider whose ID tokens would be accepted with alg none', () => {
    expect(() =>
      loadApiConfigFromEnv({ LINKWELL_API_PROVIDERS: JSON.stringify([{ ...google, id_token_alg: 'none' }]) }),
    ).toThrow(/^API_ERR_CONFIG: \/providers\/0/);
  });

  it('rejects providers that are not JSON with API_ERR_CONFIG', () => {
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_PROVIDERS: '[{' })).toThrow(
      /^API_ERR_CONFIG: identity providers/,
    );
  });

  it('takes the public URL from LINKWELL_API_PUBLIC_URL and refuses one with a path', () => {
    expect(loadApiConfigFromEnv({ LINKWELL_API_PUBLIC_URL: 'https://lw.example' }).publicUrl).toBe(
      'https://lw.example',
    );
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_PUBLIC_URL: 'https://lw.example/x' })).toThrow(
      ApiConfigError,
    );
  });

  it('uses PostgreSQL when LINKWELL_API_DATABASE_URL is set', () => {
    const config = loadApiConfigFromEnv({ LINKWELL_API_DATABASE_URL: 'postgres://u:p@db:5432/linkwell' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/linkwell' });
  });

  it('reads InfluxDB credentials and timeout', () => {
    const config = loadApiConfigFromEnv({
      LINKWELL_API_INFLUX_URL: 'https://influx.example:8086',
      LINKWELL_API_INFLUX_DATABASE: 'lw',
      LINKWELL_API_INFLUX_USERNAME: 'reader',
      LINKWELL_API_INFLUX_PASSWORD: 'pw',
      LINKWELL_API_INFLUX_TIMEOUT_MS: '2500',
    });
    expect(config.influx).toEqual({
      url: 'https://influx.example:8086',
      database: 'lw',
      username: 'reader',
      password: 'pw',
      timeoutMs: 2500,
    });
  });

  it('uses PEM keys from the environment when both are set', () => {
    const config = loadApiConfigFromEnv({
      LINKWELL_API_JWT_PRIVATE_KEY: 'PRIV',
      LINKWELL_API_JWT_PUBLIC_KEY: 'PUB',
    });
    expect(config.keys).toEqual({ privateKeyPem: 'PRIV', publicKeyPem: 'PUB' });
  });

  it('treats an empty LINKWELL_API_PORT as unset, not as port 0', () => {
    expect(loadApiConfigFromEnv({ LINKWELL_API_PORT: '' }).port).toBe(8080);
  });

  it('rejects LINKWELL_API_PORT=http with API_ERR_CONFIG naming /port', () => {
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_PORT: 'http' })).toThrow(/^API_ERR_CONFIG: \/port /);
  });

  it('rejects only one of the two PEM variables', () => {
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_JWT_PRIVATE_KEY: 'PRIV' })).toThrow(ApiConfigError);
  });

  it('rejects LINKWELL_API_LOG_LEVEL=verbose', () => {
    expect(() => loadApiConfigFromEnv({ LINKWELL_API_LOG_LEVEL: 'verbose' })).toThrow(ApiConfigError);
  });
});

describe('parseApiConfig', () => {
  it('returns a deeply frozen copy', () => {
    const config = parseApiConfig({
      host: '::1',
      port: 0,
      influx: { url: 'http://127.0.0.1:8086', database: 'lw' },
      database: { kind: 'pglite' },
      keys: { dir: '/tmp/keys' },
      publicUrl: 'http://[::1]:8080',
      providers: [],
      authRateLimitPerMinute: 60,
      appRateLimits: { perPersonPerHour: 150, perClientPerMinute: 120 },
      exports: { dir: '/tmp/exports', ttlHours: 24 },
      webhooks: { pollMs: 1000, timeoutMs: 10_000, leaseMs: 60_000 },
      crm: { consumer: true, syncIntervalMs: 0 },
      logLevel: 'silent',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.influx)).toBe(true);
  });

  it('rejects an unknown top-level key', () => {
    expect(() =>
      parseApiConfig({
        host: 'h',
        port: 1,
        influx: { url: 'http://x', database: 'd' },
        database: { kind: 'pglite' },
        keys: { dir: 'k' },
        publicUrl: 'http://h:1',
        providers: [],
        authRateLimitPerMinute: 60,
        appRateLimits: { perPersonPerHour: 150, perClientPerMinute: 120 },
        exports: { dir: '/tmp/exports', ttlHours: 24 },
        webhooks: { pollMs: 1000, timeoutMs: 10_000, leaseMs: 60_000 },
        crm: { consumer: true, syncIntervalMs: 0 },
        logLevel: 'info',
        extra: true,
      }),
    ).toThrow(ApiConfigError);
  });
});
