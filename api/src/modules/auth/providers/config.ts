import { type Static, Type } from 'typebox';

const common = {
  /** Used in URLs (`/v1/auth/{id}/start`) and stored with every identity; never change it once used. */
  id: Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' }),
  display_name: Type.String({ minLength: 1, maxLength: 80 }),
  scopes: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  /** Whether `email_verified` from this provider is believed (only ever used to suggest a link). */
  trust_email_verified: Type.Boolean(),
  /** Per upstream call; a slower answer is API_ERR_UPSTREAM_UNAVAILABLE. */
  timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
};

export const OidcProviderConfigSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('oidc'),
    issuer: Type.String({ pattern: '^https?://' }),
    client_id: Type.String({ minLength: 1 }),
    client_secret: Type.String({ minLength: 1 }),
    /** The only JWS algorithm accepted on this provider's ID tokens (no `none`, no HMAC). */
    id_token_alg: Type.Union([
      Type.Literal('RS256'),
      Type.Literal('ES256'),
      Type.Literal('PS256'),
      Type.Literal('EdDSA'),
    ]),
  },
  { additionalProperties: false },
);

export const WechatProviderConfigSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal('wechat'),
    authorize_url: Type.String({ pattern: '^https?://' }),
    token_url: Type.String({ pattern: '^https?://' }),
    refresh_url: Type.String({ pattern: '^https?://' }),
    userinfo_url: Type.String({ pattern: '^https?://' }),
    app_id: Type.String({ minLength: 1 }),
    app_secret: Type.String({ minLength: 1 }),
  },
  { additionalProperties: false },
);

/** One upstream identity provider; the list is configuration, so adding one needs no code change. */
export const ProviderConfigSchema = Type.Union([OidcProviderConfigSchema, WechatProviderConfigSchema]);
export const ProvidersConfigSchema = Type.Array(ProviderConfigSchema, { maxItems: 32 });

export type ProviderConfig = Static<typeof ProviderConfigSchema>;
export type OidcProviderConfig = Static<typeof OidcProviderConfigSchema>;
export type WechatProviderConfig = Static<typeof WechatProviderConfigSchema>;

export const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;
