import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { declaredScope } from '../auth/guard.js';
import { type APP_SCOPES, FAMILY_SCOPE_OF_METRIC, isAppScope } from '../auth/scopes.js';
import { API_VERSION } from '../version.js';

/** What each app scope lets an app read or write, for the OpenAPI document and the consent page's wording. */
export const SCOPE_DESCRIPTIONS: Record<(typeof APP_SCOPES)[number], string> = {
  'heart_rate.read': 'Heart rate and pulse readings and trends',
  'blood_pressure.read': 'Blood pressure readings, trends and classifications',
  'body.read': 'Weight, body composition and BMI',
  'spo2.read': 'Blood oxygen saturation (SpO2)',
  'temperature.read': 'Body temperature',
  'trends.read': 'Trend statistics and derived series (with the data family scope of each metric)',
  'devices.read': 'The devices that measure this person',
  'profile.read': "The person's health profile (birth year, height, time zone)",
  'readings.write': 'Add readings from a partner cloud',
};

/**
 * Each guarded route declares its scope once, on its guard (requireUser); this writes it into the route's schema
 * so the OpenAPI document shows it: `oauth2` security with the scope for app-grantable scopes, and
 * `x-linkwell-scope` (plus `x-linkwell-family-scope` where the metric's family scope is needed too).
 */
export function declareRouteScopes(route: RouteOptions): void {
  const handlers = [route.preHandler].flat();
  const declared = handlers.map(declaredScope).find((d) => d !== undefined);
  if (declared === undefined) return;
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const oauth = isAppScope(declared.scope) ? [{ oauth2: [declared.scope] }] : [];
  const withScope: Record<string, unknown> = {
    ...schema,
    security: [{ bearerAuth: [] }, { sessionCookie: [] }, ...oauth],
    'x-linkwell-scope': declared.scope,
    ...(declared.perMetric ? { 'x-linkwell-family-scope': true } : {}),
  };
  route.schema = withScope;
}

/** OpenAPI 3 generated from the route schemas: JSON at /docs/json, Swagger UI at /docs. */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Linkwell API',
        version: API_VERSION,
        description:
          'Errors are RFC 9457 problem details (application/problem+json) with a `code` member; codes are listed in docs/errors.md and at /problems/{code}. Browser sessions use the HttpOnly `lw_session` cookie and send `x-csrf-token` on state-changing requests.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256, issuer linkwell-api)' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'lw_session' },
          oauth2: {
            type: 'oauth2',
            description:
              "Apps: authorization code with PKCE (S256, required) at Linkwell's authorization server; discovery at /.well-known/openid-configuration. Routes reading one metric also need its family scope: " +
              Object.entries(FAMILY_SCOPE_OF_METRIC)
                .map(([m, sc]) => `${m} → ${sc}`)
                .join(', ') +
              '. A missing scope is 403 API_ERR_INSUFFICIENT_SCOPE (insufficient_scope), never an empty result.',
            flows: {
              authorizationCode: {
                authorizationUrl: '/oauth2/authorize',
                tokenUrl: '/oauth2/token',
                refreshUrl: '/oauth2/token',
                scopes: {
                  ...SCOPE_DESCRIPTIONS,
                  offline_access: 'Stay connected: a refresh token (needs prompt=consent)',
                },
              },
              clientCredentials: { tokenUrl: '/oauth2/token', scopes: {} },
            },
          },
        },
      },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  app.addHook('onRoute', declareRouteScopes);
}
