import type { FastifyPluginAsync } from 'fastify';
import type { SessionLookup } from '../../auth/guard.js';
import { type AuthRoutesOptions, authRoutes } from './routes.js';
import type { AuthService } from './service.js';

export { AUTH_ERRORS } from './errors.js';
export { redirectUriFor } from './flow.js';
export { createProviders, type ProviderConfig, ProvidersConfigSchema } from './providers/index.js';
export type { IdentityAssertion, UpstreamProvider } from './providers/types.js';
export { originOf } from './routes.js';
export { type AuthService, createAuthService } from './service.js';
export { assertSteppedUp, STEP_UP_WINDOW_MS } from './sessions.js';

/** The guard's view of sessions, backed by the auth service. */
export function sessionLookup(auth: AuthService): SessionLookup {
  return {
    byCookie: (token) => auth.sessionFromCookie(token),
    isLive: async (id) => (await auth.session(id)) !== undefined,
  };
}

/** Sign-in through upstream providers, browser sessions, step-up, and first-party tokens. */
export const authModule: FastifyPluginAsync<AuthRoutesOptions> = async (app, opts) => {
  await app.register(authRoutes, opts);
};
