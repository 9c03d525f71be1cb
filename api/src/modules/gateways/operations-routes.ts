import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import type { Database } from '../../db/sql-client.js';
import * as s from './operations-schemas.js';
import {
  type CommandView,
  createGatewayOperations,
  type GatewayCommandSettings,
  type GatewayOperations,
} from './operations-service.js';

export interface GatewayOperationsRoutesOptions {
  db: Database;
  now: () => number;
  commands?: GatewayCommandSettings;
}

/** RFC 7240 caps nothing; Linkwell holds a request at most this long. */
export const MAX_PREFER_WAIT_S = 30;
const POLL_MS = 100;

/** `wait=N` from a Prefer header (RFC 7240 §4.3), capped; 0 when absent. */
export function preferredWaitSeconds(prefer: string | undefined): number {
  const m = prefer === undefined ? null : /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(prefer);
  return m ? Math.min(Number(m[1]), MAX_PREFER_WAIT_S) : 0;
}

/** Re-reads the command until it ended or `waitMs` passed (the timed_out rule is applied on each read). */
export async function awaitCommand(
  ops: GatewayOperations,
  accountId: string,
  id: string,
  waitMs: number,
): Promise<CommandView> {
  const until = Date.now() + waitMs;
  let c = await ops.command(accountId, id);
  while (!ops.isFinal(c) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, until - Date.now())));
    c = await ops.command(accountId, id);
  }
  return c;
}

export const gatewayOperationsRoutes: FastifyPluginAsyncTypebox<GatewayOperationsRoutesOptions> = async (
  app,
  opts,
) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;
  const ops = createGatewayOperations(opts.db, opts.now, opts.commands);

  app.get(
    '/v1/households/:hid/gateways',
    { schema: s.listGatewaysRoute, preHandler: guard },
    async (request) => ({
      gateways: await ops.list(accountOf(request), request.params.hid),
    }),
  );

  app.patch('/v1/gateways/:id', { schema: s.renameGatewayRoute, preHandler: guard }, async (request) =>
    ops.rename(accountOf(request), request.params.id, request.body.name),
  );

  app.post(
    '/v1/gateways/:id/revoke',
    { schema: s.revokeGatewayRoute, preHandler: guard },
    async (request, reply) => {
      await opts.db.transaction((tx) =>
        createGatewayOperations(tx, opts.now, opts.commands).revoke(accountOf(request), request.params.id),
      );
      request.log.info({ gateway: request.params.id }, 'gateway revoked');
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/gateways/:id/factory-reset',
    { schema: s.factoryResetRoute, preHandler: guard },
    async (request) => {
      const account = accountOf(request);
      const gw = await ops.get(account, request.params.id);
      let command: CommandView | null = null;
      if (gw.online) {
        const deadlineMs = ops.settings.resetDeadlineMs;
        const queued = await ops.queue(account, {
          householdId: gw.household_id,
          gatewayId: gw.id,
          deviceId: null,
          op: 'reset',
          args: {},
          deadlineMs,
        });
        command = await awaitCommand(ops, account, queued.id, deadlineMs + ops.settings.answerGraceMs);
      }
      // Revoked whatever the gateway said: a reset the device did not confirm must not leave it trusted.
      await opts.db.transaction((tx) =>
        createGatewayOperations(tx, opts.now, opts.commands).revoke(account, gw.id),
      );
      request.log.info({ gateway: gw.id, reached: command?.state === 'ok' }, 'gateway factory reset');
      return {
        gateway_id: gw.id,
        revoked: true as const,
        device_reset: command?.state === 'ok' ? ('done' as const) : ('not_reached' as const),
        command,
      };
    },
  );

  app.get('/v1/commands/:id', { schema: s.getCommandRoute, preHandler: guard }, async (request, reply) => {
    const wait = preferredWaitSeconds(request.headers.prefer);
    const c = await awaitCommand(ops, accountOf(request), request.params.id, wait * 1000);
    if (wait > 0) reply.header('preference-applied', `wait=${wait}`);
    return c;
  });
};
