/** A person a simulated provider lets you sign in as. `id` is the stable subject the provider knows them by. */
export interface DemoPerson {
  id: string;
  name: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  locale?: string;
}

/** A confidential relying party registered at a simulated OIDC issuer. */
export interface OidcClientRegistration {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

/** A website app registered at the WeChat-style provider (appid + appsecret, callback prefixes). */
export interface WechatApp {
  appid: string;
  secret: string;
  redirect_uri_prefixes: string[];
}
