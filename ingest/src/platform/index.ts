import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import type { SendCommand } from '../broker/commands.js';
import type { SqlClient } from '../registry/resolver.js';
import { type CommandDispatcherOptions, startCommandDispatcher } from './command-dispatcher.js';
import { type GatewayReportsOptions, startGatewayReports } from './gateway-reports.js';
import { createPlatformSql } from './platform-sql.js';

export { COMMANDS_CHANNEL, type CommandDispatcherOptions } from './command-dispatcher.js';
export { GATEWAY_REPORT_DEFAULTS, type GatewayReportsOptions } from './gateway-reports.js';

export interface PlatformBridgeOptions {
  reports?: GatewayReportsOptions;
  commands?: CommandDispatcherOptions;
}

export interface PlatformBridge {
  /** Resolves once every gateway report received so far is stored. */
  settled(): Promise<void>;
  /** Looks for queued commands and ends expired ones now (the periodic poll does this too). */
  poll(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The bridge between the broker and the API's tables (migration 0007): presence and nearby devices from
 * what gateways publish, and the commands the API queues. Embedded and cluster mode (it needs the broker).
 */
export async function startPlatformBridge(deps: {
  broker: Aedes;
  registry: SqlClient;
  send: SendCommand;
  logger: Logger;
  now?: () => number;
  options?: PlatformBridgeOptions;
}): Promise<PlatformBridge> {
  const now = deps.now ?? Date.now;
  const sql = createPlatformSql(deps.registry);
  const reports = await startGatewayReports(deps.broker, {
    sql,
    logger: deps.logger,
    now,
    ...(deps.options?.reports ? { options: deps.options.reports } : {}),
  });
  const commands = await startCommandDispatcher({
    db: deps.registry,
    sql,
    send: deps.send,
    logger: deps.logger,
    now,
    ...(deps.options?.commands ? { options: deps.options.commands } : {}),
  });
  return {
    settled: () => reports.settled(),
    poll: () => commands.poll(),
    async close() {
      await commands.close();
      await reports.close();
    },
  };
}
