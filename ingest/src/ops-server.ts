import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface OpsServerDeps {
  registry: Registry;
  /** Each check resolves true when healthy. */
  checks: Record<string, () => Promise<boolean>>;
  /** Extra state for operators (e.g. spool depth), shown under `details`; it does not change the status. */
  details?: () => Record<string, unknown>;
}

/** /healthz and /metrics for operators and scrapers; two routes do not justify a web framework here. */
export async function startOpsServer(
  host: string,
  port: number,
  deps: OpsServerDeps,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': deps.registry.contentType });
        res.end(await deps.registry.metrics());
        return;
      }
      if (req.url === '/healthz') {
        const results = Object.fromEntries(
          await Promise.all(
            Object.entries(deps.checks).map(
              async ([k, check]) => [k, (await check().catch(() => false)) ? 'ok' : 'fail'] as const,
            ),
          ),
        );
        const ok = Object.values(results).every((v) => v === 'ok');
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        const details = deps.details?.();
        res.end(
          JSON.stringify({
            status: ok ? 'ok' : 'degraded',
            checks: results,
            ...(details ? { details } : {}),
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'INGEST_ERR_NOT_FOUND', message: `no route ${req.url}` } }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address() as AddressInfo;
  return { url: `http://${host}:${addr.port}`, server };
}
