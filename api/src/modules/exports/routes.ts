import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { METRICS } from '@linkwell/firmware-protocol';
import { insufficientScope, requireAnyUser } from '../../auth/guard.js';
import { FAMILY_SCOPE_OF_METRIC } from '../../auth/scopes.js';
import { ApiError } from '../../errors.js';
import type { CountReadings } from './count.js';
import { csvHeader, csvRow, deviceNamer, ndjsonLine, valueColumns } from './format.js';
import { allReadings, type ListOwn } from './pages.js';
import * as s from './schemas.js';

export interface ExportRoutesOptions {
  listOwn: ListOwn;
  countReadings: CountReadings;
  now: () => number;
}

/** Readings per InfluxDB query while streaming: large enough to be quick, small enough to stay flat in memory. */
const PAGE = 5000;

/**
 * The metrics an export reads: the one asked for, or every metric whose data family the token holds. A
 * withheld family is 403 insufficient_scope (docs/oauth.md), never an empty file.
 */
function exportMetrics(scopes: readonly string[], metric: string | undefined): string[] {
  const scopeOf = (m: string) => FAMILY_SCOPE_OF_METRIC[m];
  if (metric !== undefined) {
    const scope = scopeOf(metric);
    if (scope === undefined || !scopes.includes(scope)) throw insufficientScope(scope ?? 'account');
    return [metric];
  }
  const all = Object.keys(METRICS).filter((m) => scopes.includes(scopeOf(m) ?? ''));
  if (all.length === 0)
    throw insufficientScope([...new Set(Object.values(FAMILY_SCOPE_OF_METRIC))].join(' '));
  return all;
}

export const exportRoutes: FastifyPluginAsyncTypebox<ExportRoutesOptions> = async (app, opts) => {
  app.get('/v1/export', { schema: s.exportRoute, preHandler: requireAnyUser }, async (request, reply) => {
    const principal = request.principal!;
    const q = request.query;
    const metrics = exportMetrics(principal.scopes, q.metric);
    const fromMs = q.from === undefined ? 0 : Date.parse(q.from);
    const toMs = q.to === undefined ? opts.now() + 1 : Date.parse(q.to);
    if (!(fromMs < toMs) || fromMs < 0)
      throw new ApiError('API_ERR_EXPORT_BAD_RANGE', '`from` must be before `to` (and not before 1970).');
    const accountId = principal.accountId;
    const total = await opts.countReadings(accountId, { metrics, fromMs, toMs });
    const device = deviceNamer(principal.via === 'app' ? principal.app?.subject : undefined);
    const columns = valueColumns(metrics);
    const pages = allReadings(opts.listOwn, { accountId, metrics, fromMs, toMs, limit: PAGE });
    async function* body(): AsyncGenerator<string> {
      if (q.format === 'csv') yield csvHeader(columns);
      for await (const page of pages) {
        let chunk = '';
        for (const r of page)
          chunk += q.format === 'csv' ? csvRow(r, columns, device) : ndjsonLine(r, device);
        yield chunk;
      }
    }
    const day = new Date(opts.now()).toISOString().slice(0, 10);
    return reply
      .header('x-total-count', String(total))
      .header('content-disposition', `attachment; filename="linkwell-readings-${day}.${q.format}"`)
      .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .send(Readable.from(body()));
  });
};
