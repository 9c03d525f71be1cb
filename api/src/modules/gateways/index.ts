import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { deviceVerificationRoutes } from './approval-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import type { DeviceFlowContext } from './options.js';
import { devicePageRoutes } from './page-routes.js';

export { displayUserCode, normalizeUserCode, USER_CODE_ALPHABET } from './codes.js';
export { GATEWAYS_ERRORS } from './errors.js';
export { OAuthError } from './oauth-routes.js';
export {
  awaitCommand,
  type GatewayOperationsRoutesOptions,
  gatewayOperationsRoutes,
} from './operations-routes.js';
export { CommandSchema, GatewaySchema } from './operations-schemas.js';
export {
  type CommandView,
  createGatewayOperations,
  GATEWAY_COMMAND_DEFAULTS,
  type GatewayCommandSettings,
  type GatewayOperations,
  type GatewayView,
} from './operations-service.js';
export { DEVICE_FLOW_DEFAULTS, type DeviceFlowContext, type DeviceFlowOptions } from './options.js';
export type { NearbyRow } from './repository/operations.js';
export { DEVICE_CODE_GRANT_TYPE, GATEWAY_CLIENT_ID, REFRESH_TOKEN_GRANT_TYPE } from './schemas.js';

/**
 * Gateway onboarding (RFC 8628): the OAuth endpoints in their own encapsulated context (RFC error bodies,
 * form parser), the approval routes with the API's error handling, and the verification page.
 */
export const deviceFlowRoutes: FastifyPluginAsyncTypebox<DeviceFlowContext> = async (app, ctx) => {
  await app.register(oauthRoutes, ctx);
  await app.register(deviceVerificationRoutes, ctx);
  await app.register(devicePageRoutes, { activationPath: ctx.options.activationPath });
};
