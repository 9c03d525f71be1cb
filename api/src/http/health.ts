import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { SqlClient } from '../db/sql-client.js';
import type { InfluxClient } from '../influx/client.js';

const Check = Type.Union([Type.Literal('ok'), Type.Literal('fail')]);

export const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('fail')], {
    description:
      'ok: all checks pass; degraded: the database is fine but InfluxDB is not; fail: the database is down.',
  }),
  checks: Type.Object({ database: Check, influx: Check }),
});

export interface HealthRoutesOptions {
  db: SqlClient;
  influx: InfluxClient;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, opts) => {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and dependency checks',
        description:
          '200 while the registry database answers (trends may still be unavailable); 503 otherwise.',
        tags: ['ops'],
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (request, reply) => {
      const [database, influx] = await Promise.all([
        opts.db.query('SELECT 1').then(
          () => 'ok' as const,
          (err: unknown) => {
            request.log.warn({ err }, 'health check: registry database query failed');
            return 'fail' as const;
          },
        ),
        opts.influx.ping().then((ok) => (ok ? ('ok' as const) : ('fail' as const))),
      ]);
      const status = database === 'fail' ? 'fail' : influx === 'fail' ? 'degraded' : 'ok';
      return reply.status(database === 'ok' ? 200 : 503).send({ status, checks: { database, influx } });
    },
  );
};
