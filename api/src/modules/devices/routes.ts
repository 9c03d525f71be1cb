import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { requireUser } from '../../auth/guard.js';
import type { Database, SqlClient } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { awaitCommand, createGatewayOperations, type GatewayCommandSettings } from '../gateways/index.js';
import { createDeviceClaims } from './claims-service.js';
import { devicesMeasuring } from './facts.js';
import * as s from './schemas.js';

export interface DevicesRoutesOptions {
  db: Database;
  now: () => number;
  commands?: GatewayCommandSettings;
}

export const devicesRoutes: FastifyPluginAsyncTypebox<DevicesRoutesOptions> = async (app, opts) => {
  const guard = requireUser('account');
  const accountOf = (request: FastifyRequest) => request.principal!.accountId;
  const claims = (sql: SqlClient) => createDeviceClaims(sql, opts.now, opts.commands);
  const inTx = <T>(fn: (c: ReturnType<typeof claims>) => Promise<T>) =>
    opts.db.transaction((tx) => fn(claims(tx)));

  app.get('/v1/households/:hid/nearby', { schema: s.nearbyRoute, preHandler: guard }, async (request) => ({
    nearby: await claims(opts.db).nearby(accountOf(request), request.params.hid),
  }));

  app.get('/v1/households/:hid/devices', { schema: s.listRoute, preHandler: guard }, async (request) => ({
    devices: await claims(opts.db).list(accountOf(request), request.params.hid),
  }));

  app.post(
    '/v1/households/:hid/devices',
    { schema: s.claimRoute, preHandler: guard },
    async (request, reply) => {
      const { address, name } = request.body;
      const device = await inTx((c) => c.claim(accountOf(request), request.params.hid, address, name));
      request.log.info({ device: device.id, household: device.household_id }, 'device claimed');
      return reply.status(201).send(device);
    },
  );

  app.get(
    '/v1/me/devices',
    { schema: s.measuringRoute, preHandler: requireUser('devices.read') },
    async (request) => ({
      // Apps never see the Bluetooth address (docs/fhir.md "Device references").
      devices: (await devicesMeasuring(opts.db, accountOf(request))).map(({ address: _address, ...d }) => d),
    }),
  );

  app.get('/v1/devices/:id', { schema: s.getRoute, preHandler: guard }, async (request) =>
    claims(opts.db).get(accountOf(request), request.params.id),
  );

  app.patch('/v1/devices/:id', { schema: s.renameRoute, preHandler: guard }, async (request) =>
    inTx((c) => c.rename(accountOf(request), request.params.id, request.body.name)),
  );

  app.delete('/v1/devices/:id', { schema: s.unclaimRoute, preHandler: guard }, async (request, reply) => {
    await inTx((c) => c.unclaim(accountOf(request), request.params.id));
    return reply.status(204).send(null);
  });

  app.put('/v1/devices/:id/owner', { schema: s.ownerRoute, preHandler: guard }, async (request) =>
    inTx((c) => c.setOwner(accountOf(request), request.params.id, request.body.account_id)),
  );

  app.put(
    '/v1/devices/:id/slots/:slot',
    { schema: s.assignSlotRoute, preHandler: guard },
    async (request) => {
      const { account_id, import_history, consent_code } = request.body;
      // Committed before answering: a queued uds_consent reaches ingest at COMMIT.
      return inTx((c) =>
        c.assignSlot(
          accountOf(request),
          request.params.id,
          request.params.slot,
          account_id,
          import_history ?? true,
          consent_code,
        ),
      );
    },
  );

  app.post(
    '/v1/devices/:id/users',
    { schema: s.registerUserRoute, preHandler: guard },
    async (request, reply) => {
      const account = accountOf(request);
      const { account_id, consent_code } = request.body;
      const queued = await inTx((c) => c.registerUser(account, request.params.id, account_id, consent_code));
      // This request maps the answer, so the mapping happens once, here; a client that gave up can still read
      // the index in the command's result and map it with PUT /v1/devices/{id}/slots/{slot} (docs/devices.md).
      const ops = createGatewayOperations(opts.db, opts.now, opts.commands);
      const command = await awaitCommand(
        ops,
        account,
        queued.id,
        ops.settings.deadlineMs + ops.settings.answerGraceMs,
      );
      const index = command.state === 'ok' ? command.result?.index : undefined;
      if (typeof index !== 'number' || !Number.isInteger(index))
        throw new ApiError(
          'API_ERR_UDS_REGISTER_FAILED',
          'The gateway did not register this user on the scale.',
          {
            command_id: command.id,
            state: command.state,
            gateway_code: command.error?.code ?? null,
          },
        );
      const device = await inTx((c) => c.mapRegistered(account, request.params.id, account_id, index));
      request.log.info(
        { device: device.id, command: command.id, slot: index },
        'scale user registered and mapped',
      );
      return reply.status(201).send({ slot: index, device, command });
    },
  );

  app.delete(
    '/v1/devices/:id/slots/:slot',
    { schema: s.clearSlotRoute, preHandler: guard },
    async (request, reply) => {
      await inTx((c) => c.clearSlot(accountOf(request), request.params.id, request.params.slot));
      return reply.status(204).send(null);
    },
  );

  app.put('/v1/devices/:id/attribution', { schema: s.attributionRoute, preHandler: guard }, async (request) =>
    inTx((c) => c.setAttribution(accountOf(request), request.params.id, request.body.mode)),
  );

  app.post(
    '/v1/devices/:id/commands',
    { schema: s.commandRoute, preHandler: guard },
    async (request, reply) => {
      const { op, passkey } = request.body;
      // Fastify drops unknown fields rather than refusing them; a passkey on another op is refused here.
      if (passkey !== undefined && op !== 'pair') {
        const issue = { field: 'body.passkey', problem: 'is for pair only' };
        throw new ApiError('API_ERR_VALIDATION', `Invalid ${issue.field}: ${issue.problem}`, {
          field: issue.field,
          issues: [issue],
        });
      }
      // Committed before answering: the notification reaches ingest at COMMIT.
      const command = await inTx((c) => c.command(accountOf(request), request.params.id, op, passkey));
      request.log.info(
        { command: command.id, op: command.op, gateway: command.gateway_id },
        'device command queued',
      );
      return reply.status(202).send(command);
    },
  );
};
