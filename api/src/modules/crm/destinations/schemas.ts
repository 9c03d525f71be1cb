import { Type } from 'typebox';
import { ProblemResponse } from '../../../http/schemas.js';
import { errors, guarded, Id, orgParams } from '../route-schemas.js';

// Destination routes for marketers (docs/crm.md "Destinations") and the Profile API for approved integrations.

const destParams = Type.Object({ org: Id, destination: Id });

const DestinationSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  recipient: Type.String(),
  purposes: Type.Array(Type.String()),
  sensitivities: Type.Array(Type.String()),
  k: Type.Integer(),
  segments: Type.Array(Type.String()),
  client_id: Type.Union([Type.String(), Type.Null()]),
  url: Type.Union([Type.String(), Type.Null()]),
  traits: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  secret: Type.Optional(Type.String({ description: 'The webhook signing secret, shown once at creation' })),
});

const SyncSchema = Type.Object({
  at: Type.String({ format: 'date-time' }),
  entered: Type.Integer(),
  exited: Type.Integer(),
  members: Type.Integer(),
  refused: Type.Union([Type.String(), Type.Null()]),
});

export const createRoute = {
  ...guarded,
  summary: 'Create a destination (hashed_csv, ads, profile_api, webhook or care_programme)',
  params: orgParams,
  body: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 200 }),
      kind: Type.String({ maxLength: 40 }),
      recipient: Type.String({ maxLength: 63, description: 'The consent recipient (a slug)' }),
      purposes: Type.Optional(Type.Array(Type.String({ maxLength: 80 }), { maxItems: 10 })),
      sensitivities: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 3 })),
      k: Type.Optional(Type.Integer({ description: 'At least 100; may only be raised' })),
      segments: Type.Optional(Type.Array(Id, { maxItems: 20 })),
      client_id: Type.Optional(Type.String({ maxLength: 200 })),
      url: Type.Optional(Type.String({ maxLength: 2000 })),
    },
    { additionalProperties: false },
  ),
  response: { 201: DestinationSchema, ...errors },
};
export const listRoute = {
  ...guarded,
  summary: "The organisation's destinations",
  params: orgParams,
  response: { 200: Type.Object({ destinations: Type.Array(DestinationSchema) }), ...errors },
};
export const getRoute = {
  ...guarded,
  summary: 'One destination',
  params: destParams,
  response: { 200: DestinationSchema, ...errors },
};
export const deleteRoute = {
  ...guarded,
  summary: 'Delete a destination and its synced copy',
  params: destParams,
  response: { 204: Type.Null(), ...errors },
};
export const attachRoute = {
  ...guarded,
  summary: 'Attach a segment (refused when the sensitivity verdict does not allow it)',
  params: destParams,
  body: Type.Object({ segment: Id }, { additionalProperties: false }),
  response: { 200: DestinationSchema, ...errors },
};
export const syncRoute = {
  ...guarded,
  summary: 'Sync now (refused below k, with its code, and recorded in the sync log)',
  params: destParams,
  response: { 200: SyncSchema, ...errors },
};
export const syncLogRoute = {
  ...guarded,
  summary: 'The sync log, newest first',
  params: destParams,
  response: { 200: Type.Object({ syncs: Type.Array(SyncSchema) }), ...errors },
};
export const fileRoute = {
  ...guarded,
  summary: 'Download the latest hashed CSV (hashed_csv and ads destinations)',
  params: destParams,
  response: { 200: Type.String({ description: 'text/csv (RFC 4180)' }), ...errors },
};
export const deliveriesRoute = {
  ...guarded,
  summary: "A webhook destination's delivery log: every attempt of every event, oldest first",
  params: destParams,
  response: {
    200: Type.Object({
      deliveries: Type.Array(
        Type.Object({
          event_id: Type.String(),
          type: Type.String(),
          attempt: Type.Integer(),
          status: Type.Union([Type.Integer(), Type.Null()]),
          error: Type.Union([Type.String(), Type.Null()]),
          delivered: Type.Boolean(),
        }),
      ),
    }),
    ...errors,
  },
};
export const profileTraitsRoute = {
  // A client-credentials token only: no session cookie.
  security: [{ bearerAuth: [] }],
  tags: guarded.tags,
  summary:
    'Traits of a person for an approved profile_api integration (client-credentials token); {id} is the pairwise subject',
  params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) }),
  response: {
    200: Type.Object({ id: Type.String(), traits: Type.Record(Type.String(), Type.Unknown()) }),
    ...errors,
    429: ProblemResponse,
  },
};
