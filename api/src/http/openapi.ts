import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { API_VERSION } from '../version.js';

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
        },
      },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
}
