import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadApiConfigFromEnv } from './config.js';
import { startApi } from './start.js';

/**
 * Composition root for a standalone API node (`linkwell api run`, or `node api/dist/main.js`): the only
 * place that reads the environment and handles process signals. Resolves once listening.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ReturnType<typeof loadApiConfigFromEnv>;
  try {
    config = loadApiConfigFromEnv(env);
  } catch (err) {
    // No configured log level yet; report at the default level so the reason is never lost.
    pino({ base: { svc: 'api' } }).fatal({ err }, 'invalid api configuration');
    throw err;
  }
  const logger = pino({ level: config.logLevel, base: { svc: 'api' } });
  let api: Awaited<ReturnType<typeof startApi>>;
  try {
    api = await startApi(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'api failed to start');
    throw err;
  }
  logger.info({ url: api.url, database: config.database.kind }, 'api listening');

  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'api shutting down');
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'api shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** True when node was started on this file (not when the CLI imports `main`). */
function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === fileURLToPath(import.meta.url);
  } catch {
    return false; // argv[1] is not a file (e.g. node -e); then this module was imported.
  }
}

if (isEntryPoint()) {
  // main() has already logged why it failed.
  main().catch(() => {
    process.exitCode = 1;
  });
}
