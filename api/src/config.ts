import { readFileSync } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { ApiConfigError } from './errors.js';
import { ProvidersConfigSchema } from './modules/auth/providers/config.js';

const DatabaseConfigSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('pglite'),
      /** Omitted (or `memory://`) keeps the registry in memory. */
      dataDir: Type.Optional(Type.String({ minLength: 1 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { kind: Type.Literal('postgres'), url: Type.String({ pattern: '^postgres(ql)?://' }) },
    { additionalProperties: false },
  ),
]);

const KeysConfigSchema = Type.Union([
  Type.Object({ dir: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object(
    { privateKeyPem: Type.String({ minLength: 1 }), publicKeyPem: Type.String({ minLength: 1 }) },
    { additionalProperties: false },
  ),
]);

export const ApiConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    influx: Type.Object(
      {
        url: Type.String({ pattern: '^https?://' }),
        database: Type.String({ minLength: 1 }),
        username: Type.Optional(Type.String()),
        password: Type.Optional(Type.String()),
        timeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
      },
      { additionalProperties: false },
    ),
    database: DatabaseConfigSchema,
    /** Where the ES256 signing keys live (created on first start), or the PEM texts themselves. */
    keys: KeysConfigSchema,
    /** The API's external origin; sign-in callbacks are `${publicUrl}/v1/auth/{provider}/callback`. */
    publicUrl: Type.String({ pattern: '^https?://[^/]+$' }),
    /** Requests a minute per client on the sign-in, callback and token endpoints. */
    authRateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    /** Third-party app budgets (docs/oauth.md "Rate limits"). */
    appRateLimits: Type.Object(
      {
        perPersonPerHour: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
        perClientPerMinute: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
      },
      { additionalProperties: false },
    ),
    /** Upstream identity providers (docs/configuration.md); adding one is configuration only. */
    providers: ProvidersConfigSchema,
    /** FHIR bulk export files (docs/fhir.md "Bulk export"): where they are written and how long they are kept. */
    exports: Type.Object(
      {
        dir: Type.String({ minLength: 1 }),
        ttlHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 30 }),
      },
      { additionalProperties: false },
    ),
    /** Webhook delivery (docs/webhooks.md): idle poll, per-attempt timeout, and how long a claimed message is held. */
    webhooks: Type.Object(
      {
        pollMs: Type.Integer({ minimum: 10, maximum: 60_000 }),
        timeoutMs: Type.Integer({ minimum: 100, maximum: 60_000 }),
        leaseMs: Type.Integer({ minimum: 1_000, maximum: 3_600_000 }),
      },
      { additionalProperties: false },
    ),
    /**
     * CRM for marketers (docs/crm.md): the trait consumer follows the event log; destinations sync every
     * `syncIntervalMs` (0: never in the background, only when a marketer asks).
     */
    crm: Type.Object(
      {
        consumer: Type.Boolean(),
        syncIntervalMs: Type.Integer({ minimum: 0, maximum: 86_400_000 }),
      },
      { additionalProperties: false },
    ),
    logLevel: Type.Union([
      Type.Literal('trace'),
      Type.Literal('debug'),
      Type.Literal('info'),
      Type.Literal('warn'),
      Type.Literal('error'),
      Type.Literal('fatal'),
      Type.Literal('silent'),
    ]),
  },
  { additionalProperties: false },
);

export type ApiConfig = Static<typeof ApiConfigSchema>;
export type DatabaseConfig = Static<typeof DatabaseConfigSchema>;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validates a config object once; the result is deeply frozen. Throws ApiConfigError (API_ERR_CONFIG). */
export function parseApiConfig(raw: unknown): Readonly<ApiConfig> {
  if (!Value.Check(ApiConfigSchema, raw)) {
    const issues = Value.Errors(ApiConfigSchema, raw)
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ApiConfigError(issues.join('; '));
  }
  return deepFreeze(structuredClone(raw));
}

type Env = Readonly<Record<string, string | undefined>>;

/** Variable lookup where an empty value counts as unset (`LINKWELL_API_PORT=` must not mean port 0). */
function reader(env: Env): (name: string) => string | undefined {
  return (name) => (env[name] === '' ? undefined : env[name]);
}

function keysFromEnv(get: ReturnType<typeof reader>): unknown {
  const privateKeyPem = get('LINKWELL_API_JWT_PRIVATE_KEY');
  const publicKeyPem = get('LINKWELL_API_JWT_PUBLIC_KEY');
  if (privateKeyPem !== undefined || publicKeyPem !== undefined) return { privateKeyPem, publicKeyPem };
  return { dir: get('LINKWELL_API_KEYS_DIR') ?? './data/api/keys' };
}

function databaseFromEnv(get: ReturnType<typeof reader>): unknown {
  const url = get('LINKWELL_API_DATABASE_URL');
  if (url !== undefined) return { kind: 'postgres', url };
  return { kind: 'pglite', dataDir: get('LINKWELL_API_PGLITE_DIR') ?? './data/api/pglite' };
}

function influxFromEnv(get: ReturnType<typeof reader>): unknown {
  const timeoutMs = get('LINKWELL_API_INFLUX_TIMEOUT_MS');
  const optional = {
    username: get('LINKWELL_API_INFLUX_USERNAME'),
    password: get('LINKWELL_API_INFLUX_PASSWORD'),
    timeoutMs: timeoutMs === undefined ? undefined : Number(timeoutMs),
  };
  return {
    url: get('LINKWELL_API_INFLUX_URL') ?? 'http://127.0.0.1:8086',
    database: get('LINKWELL_API_INFLUX_DATABASE') ?? 'linkwell',
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

function providersFromEnv(get: ReturnType<typeof reader>, readFile: (path: string) => string): unknown {
  const inline = get('LINKWELL_API_PROVIDERS');
  const file = get('LINKWELL_API_PROVIDERS_FILE');
  const text = inline ?? (file === undefined ? '[]' : readFile(file));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiConfigError(`identity providers are not valid JSON (${(err as Error).message})`);
  }
}

/** Reads LINKWELL_API_* variables (docs/configuration.md); the only place the API looks at the environment. */
export function loadApiConfigFromEnv(
  env: Env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Readonly<ApiConfig> {
  const get = reader(env);
  const host = get('LINKWELL_API_HOST') ?? '127.0.0.1';
  const port = Number(get('LINKWELL_API_PORT') ?? 8080);
  return parseApiConfig({
    host,
    port,
    publicUrl: get('LINKWELL_API_PUBLIC_URL') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    providers: providersFromEnv(get, readFile),
    authRateLimitPerMinute: Number(get('LINKWELL_API_AUTH_RATE_LIMIT_PER_MINUTE') ?? 60),
    appRateLimits: {
      perPersonPerHour: Number(get('LINKWELL_API_APP_RATE_LIMIT_PER_PERSON_PER_HOUR') ?? 150),
      perClientPerMinute: Number(get('LINKWELL_API_APP_RATE_LIMIT_PER_CLIENT_PER_MINUTE') ?? 120),
    },
    influx: influxFromEnv(get),
    database: databaseFromEnv(get),
    keys: keysFromEnv(get),
    exports: {
      dir: get('LINKWELL_API_EXPORT_DIR') ?? './data/api/exports',
      ttlHours: Number(get('LINKWELL_API_EXPORT_TTL_HOURS') ?? 24),
    },
    webhooks: {
      pollMs: Number(get('LINKWELL_API_WEBHOOK_POLL_MS') ?? 1_000),
      timeoutMs: Number(get('LINKWELL_API_WEBHOOK_TIMEOUT_MS') ?? 10_000),
      leaseMs: Number(get('LINKWELL_API_WEBHOOK_LEASE_MS') ?? 60_000),
    },
    crm: {
      consumer: (get('LINKWELL_API_CRM_CONSUMER') ?? 'true') !== 'false',
      syncIntervalMs: Number(get('LINKWELL_API_CRM_SYNC_INTERVAL_MS') ?? 60_000),
    },
    logLevel: get('LINKWELL_API_LOG_LEVEL') ?? 'info',
  });
}
