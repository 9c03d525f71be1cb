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
          'Errors are `{ error: { code, message, details? } }`; codes are listed in docs/errors.md.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256, issuer linkwell-api)' },
        },
      },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
}
