/** What an upstream provider asserted about the person who just signed in there. */
export interface IdentityAssertion {
  provider: string;
  issuer: string;
  /** OIDC `sub`; for WeChat/QQ-style providers the `unionid`, else `openid@appid`. */
  subject: string;
  claims: { name?: string; picture?: string; email?: string; email_verified?: boolean };
  /** Whether this provider's `email_verified` may be believed (provider configuration). */
  emailTrusted: boolean;
  /** Per-app openids (WeChat/QQ-style), every one of which is kept. */
  appIds: readonly { appId: string; openid: string }[];
}

/** The server-side half of one sign-in transaction that the provider needs to build and finish a flow. */
export interface FlowSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** Re-authentication (link, step-up) asks the provider to prompt again instead of reusing its session. */
  forceLogin: boolean;
}

export interface UpstreamProvider {
  readonly id: string;
  readonly kind: 'oidc' | 'wechat';
  readonly displayName: string;
  readonly clientId: string;
  authorizationUrl(flow: FlowSecrets): Promise<URL>;
  /** Trades the callback's code for an assertion; throws ApiError with an API_ERR_UPSTREAM_* / ID-token code. */
  finish(callbackUrl: URL, flow: FlowSecrets): Promise<IdentityAssertion>;
}
