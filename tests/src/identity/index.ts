export { locationOf, TestBrowser } from './browser.js';
export { call, consentAtProvider, csrfToken, signIn, startFlowAt, startSignIn } from './sign-in.js';
export { count, type IdentityStack, personId, startIdentityStack } from './stack.js';
