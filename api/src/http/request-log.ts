import type { FastifyInstance } from 'fastify';

// Query parameters that carry credentials: OAuth codes and state, tokens, the device flow's user code.
const SECRET_PARAMS = new Set([
  'code',
  'state',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'user_code',
  'device_code',
  'session_state',
]);

/** The URL with every credential-bearing query value replaced, so logs never hold a usable secret. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const key of new Set(params.keys()))
    if (SECRET_PARAMS.has(key.toLowerCase())) params.set(key, '[redacted]');
  return `${url.slice(0, q)}?${params.toString()}`;
}

/**
 * Fastify's own request logging prints the raw URL; sign-in callbacks carry authorization codes in it.
 * The app turns that off (`LogController` with `disableRequestLogging`) and logs the same two lines with the URL redacted.
 */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    request.log.info(
      { req: { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip } },
      'incoming request',
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      'request completed',
    );
  });
}
