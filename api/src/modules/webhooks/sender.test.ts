import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { send } from './sender.js';

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const base = {
  headers: {},
  body: '{}',
  timeoutMs: 2_000,
  maxResponseBytes: 1024,
  snippetBytes: 16,
  family: 4 as const,
};

describe('sending one webhook request', () => {
  it('connects to the checked address, not to what the name resolves to now', async () => {
    let host = '';
    const port = await serve((req, res) => {
      host = req.headers.host ?? '';
      res.end('ok');
    });
    // `.invalid` never resolves (RFC 6761 §6.4): the request can only arrive through the pinned address.
    const r = await send({ ...base, url: new URL(`http://hooks.invalid:${port}/in`), address: '127.0.0.1' });
    expect(r).toMatchObject({ status: 200, error: null, snippet: 'ok', truncated: false });
    expect(host).toBe(`hooks.invalid:${port}`);
  });

  it('stops reading at maxResponseBytes and keeps snippetBytes of it', async () => {
    const port = await serve((_req, res) => res.end('y'.repeat(100_000)));
    const r = await send({ ...base, url: new URL(`http://127.0.0.1:${port}/`), address: '127.0.0.1' });
    expect(r).toMatchObject({ status: 200, truncated: true, snippet: 'y'.repeat(16) });
  });

  it('reports a 301 as it is, without following Location', async () => {
    let followed = false;
    const target = await serve((_req, res) => {
      followed = true;
      res.end();
    });
    const port = await serve((_req, res) => {
      res.writeHead(301, { location: `http://127.0.0.1:${target}/` });
      res.end();
    });
    const r = await send({ ...base, url: new URL(`http://127.0.0.1:${port}/`), address: '127.0.0.1' });
    expect(r.status).toBe(301);
    expect(followed).toBe(false);
  });

  it('gives up after timeoutMs with error timeout', async () => {
    const port = await serve(() => {});
    const r = await send({
      ...base,
      timeoutMs: 150,
      url: new URL(`http://127.0.0.1:${port}/`),
      address: '127.0.0.1',
    });
    expect(r).toMatchObject({ status: null, error: 'timeout' });
    expect(r.latencyMs).toBeGreaterThanOrEqual(140);
    expect(r.latencyMs).toBeLessThan(1_000);
  });

  it('names a refused connection connection_refused', async () => {
    const port = await serve(() => {});
    servers[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const r = await send({ ...base, url: new URL(`http://127.0.0.1:${port}/`), address: '127.0.0.1' });
    expect(r).toMatchObject({ status: null, error: 'connection_refused' });
  });
});
