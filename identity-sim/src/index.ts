export {
  DEMO_PEOPLE,
  type DemoIdentityProviders,
  startDemoIdentityProviders,
  type UpstreamProviderConfig,
} from './demo.js';
export { IDSIM_ERRORS, IdentitySimError, type IdentitySimErrorCode } from './errors.js';
export { type SimOidcIssuer, type SimOidcIssuerOptions, startSimOidcIssuer } from './oidc-issuer.js';
export type { DemoPerson, OidcClientRegistration, WechatApp } from './types.js';
export { type SimWechatOptions, type SimWechatProvider, startSimWechatProvider } from './wechat-provider.js';
