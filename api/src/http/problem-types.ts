import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { API_ERRORS, ApiError, type ApiErrorCode, titleOf } from '../errors.js';

/** `GET /problems/{code}`: what a problem `type` means, so the relative URI in every error resolves. */
export const problemTypeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/problems/:code',
    {
      schema: {
        summary: 'What an error code means',
        tags: ['ops'],
        params: Type.Object({ code: Type.String({ pattern: '^API_ERR_[A-Z_]+$' }) }),
        response: {
          200: Type.Object({
            code: Type.String(),
            title: Type.String(),
            status: Type.Integer(),
            description: Type.String(),
          }),
        },
      },
    },
    async (request) => {
      const { code } = request.params;
      if (!Object.hasOwn(API_ERRORS, code)) throw new ApiError('API_ERR_NOT_FOUND', `No error code ${code}.`);
      const entry = API_ERRORS[code as ApiErrorCode];
      return { code, title: titleOf(code), status: entry.status, description: entry.description };
    },
  );
};
