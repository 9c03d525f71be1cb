import fastifyStatic from '@fastify/static';
import { CONSOLE_ROUTES, type ConsoleAssets, consoleAssets } from '@linkwell/console';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';

export interface ConsoleOptions {
  /** The built console; read from @linkwell/console when absent. */
  readonly assets?: ConsoleAssets;
}

/** Every asset URL carries a content hash or a package version, so a year is safe. */
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

function securityHeaders(reply: FastifyReply, csp: string): void {
  void reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

/**
 * The web console: index.html on the console's own paths, and its static files under /app/<hash>/,
 * /assets/<hash>/ and /vendor/<package>@<version>/. Nothing else: there is no catch-all, so unknown paths
 * (an unknown /v1/ route above all) still reach the API's not-found handler and its problem details.
 */
export const consolePlugin: FastifyPluginAsync<ConsoleOptions> = async (app, opts) => {
  const assets = opts.assets ?? consoleAssets();

  // Encapsulated: these headers go on the console's responses only, never on the API's.
  app.addHook('onRequest', async (_request, reply) => securityHeaders(reply, assets.csp));

  for (const path of CONSOLE_ROUTES) {
    app.get(path, { schema: { hide: true } }, async (_request, reply) =>
      // no-cache: revalidate each time, so a new build's asset URLs are picked up at once.
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(assets.html),
    );
  }

  for (const root of assets.roots) {
    const only = root.only === undefined ? undefined : new Set(root.only);
    await app.register(fastifyStatic, {
      root: root.dir,
      prefix: root.prefix,
      // Several registrations in one scope: none of them may decorate the reply again.
      decorateReply: false,
      maxAge: ONE_YEAR_MS,
      immutable: true,
      index: false,
      dotfiles: 'ignore',
      ...(only === undefined ? {} : { allowedPath: (pathName: string) => only.has(pathName) }),
    });
  }
};

/** For an app that is being composed with `await`; a synchronous builder uses app.register(consolePlugin). */
export async function registerConsole(app: FastifyInstance, opts: ConsoleOptions = {}): Promise<void> {
  await app.register(consolePlugin, opts);
}
