import { Type } from 'typebox';
import { BEARER_SECURITY, ProblemResponse, protectedRouteErrors } from '../../http/schemas.js';

const tags = ['gateways'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const GatewaySchema = Type.Object({
  id: Type.String(),
  household_id: Type.String(),
  name: Type.String(),
  online: Type.Boolean({ description: 'From the retained status topic (and its Last Will).' }),
  since: Nullable(Time),
  version: Nullable(Type.String()),
  created_at: Time,
});

export const CommandSchema = Type.Object({
  id: Type.String(),
  gateway_id: Type.String(),
  device_id: Nullable(Type.String()),
  op: Type.String(),
  args: Type.Object({}, { additionalProperties: true }),
  state: Type.Union([
    Type.Literal('queued'),
    Type.Literal('sent'),
    Type.Literal('ok'),
    Type.Literal('error'),
    Type.Literal('timed_out'),
  ]),
  result: Nullable(Type.Object({}, { additionalProperties: true })),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  created_by: Nullable(Type.String()),
  created_at: Time,
  deadline: Time,
  finished_at: Nullable(Time),
});

const guarded = { security: BEARER_SECURITY, tags };
const errors = { ...protectedRouteErrors, 404: ProblemResponse };

export const listGatewaysRoute = {
  ...guarded,
  summary: "A household's gateways with their online status",
  params: Type.Object({ hid: Id }),
  response: { 200: Type.Object({ gateways: Type.Array(GatewaySchema) }), ...errors },
};

export const renameGatewayRoute = {
  ...guarded,
  summary: 'Rename a gateway',
  params: Type.Object({ id: Id }),
  body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
  response: { 200: GatewaySchema, ...errors },
};

export const revokeGatewayRoute = {
  ...guarded,
  summary: 'Revoke a gateway; ingest disconnects it at once',
  params: Type.Object({ id: Id }),
  response: { 204: Type.Null(), ...errors },
};

export const FactoryResetSchema = Type.Object({
  gateway_id: Type.String(),
  revoked: Type.Literal(true),
  device_reset: Type.Union([Type.Literal('done'), Type.Literal('not_reached')], {
    description: 'done: the gateway confirmed it wiped itself; not_reached: offline, or it did not confirm.',
  }),
  command: Nullable(CommandSchema),
});

export const factoryResetRoute = {
  ...guarded,
  summary: 'Factory-reset a gateway (if online), then revoke it and forget what it reported',
  params: Type.Object({ id: Id }),
  response: { 200: FactoryResetSchema, ...errors },
};

export const getCommandRoute = {
  ...guarded,
  summary: 'A command and its result',
  description:
    'Send `Prefer: wait=N` (RFC 7240, N ≤ 30 seconds) to have the answer held until the command ends or N seconds pass.',
  params: Type.Object({ id: Id }),
  headers: Type.Object({ prefer: Type.Optional(Type.String({ maxLength: 200 })) }),
  response: { 200: CommandSchema, ...errors },
};
