import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireMarketer } from '../../auth/marketer.js';
import { protectedRouteErrors } from '../../http/schemas.js';
import { TRAIT_CATALOG, type TraitDef } from './catalog.js';
import { OPS_BY_TYPE } from './repository/segment-sql.js';
import { guarded, orgParams } from './route-schemas.js';

// The trait catalog as marketers read it (issue 16 §3 and §8, docs/crm.md): the declarations themselves, so
// the console's catalog browser and segment builder offer exactly what the compiler accepts.

const TraitSchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  values: Type.Optional(Type.Array(Type.String())),
  range: Type.Optional(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })),
  sensitivity: Type.String(),
  purpose: Type.String(),
  refresh: Type.String(),
  method: Type.String(),
  formula: Type.String(),
  doc: Type.String(),
  /** The rule operators a comparison on this trait may use (the compiler's OPS_BY_TYPE). */
  operators: Type.Array(Type.String()),
});

export const traitsRoute = {
  ...guarded,
  summary:
    'The computed-trait catalog: type, sensitivity, purpose, formula, docs and the operators each takes',
  params: orgParams,
  response: { 200: Type.Object({ traits: Type.Array(TraitSchema) }), ...protectedRouteErrors },
};

const traitJson = (t: TraitDef) => ({
  name: t.name,
  type: t.type,
  ...(t.values === undefined ? {} : { values: [...t.values] }),
  ...(t.range === undefined ? {} : { range: [...t.range] }),
  sensitivity: t.sensitivity,
  purpose: t.purpose,
  refresh: t.refresh,
  method: t.method,
  formula: t.formula,
  doc: t.doc,
  operators: [...OPS_BY_TYPE[t.type]],
});

/** The catalog is the same for every organisation; the guard still admits only that organisation's marketers. */
export const crmCatalogRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const body = { traits: TRAIT_CATALOG.map(traitJson) };
  app.get('/v1/crm/orgs/:org/traits', { schema: traitsRoute, preHandler: requireMarketer }, async () => body);
};
