import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { createInfluxClient } from './client.js';

interface Call {
  url: string;
  authorization: string | undefined;
}

function fakeFetch(respond: () => Response | Promise<Response>, calls: Call[] = []): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input), authorization: headers.get('authorization') ?? undefined });
    return respond();
  };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApiError) return err.code;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('createInfluxClient', () => {
  const settings = { url: 'http://influx.test:8086/', database: 'linkwell' };

  it('sends db, epoch=ms and the statement as query parameters to /query', async () => {
    const calls: Call[] = [];
    const client = createInfluxClient(
      settings,
      fakeFetch(() => json(200, { results: [{ statement_id: 0 }] }), calls),
    );
    await client.query('SELECT 1');
    expect(calls).toEqual([
      { url: 'http://influx.test:8086/query?db=linkwell&epoch=ms&q=SELECT+1', authorization: undefined },
    ]);
  });

  it('sends username and password as HTTP Basic auth, not in the URL', async () => {
    const calls: Call[] = [];
    const client = createInfluxClient(
      { ...settings, username: 'reader', password: 's3cret' },
      fakeFetch(() => json(200, { results: [{}] }), calls),
    );
    await client.query('SELECT 1');
    expect(calls[0]?.authorization).toBe(`Basic ${Buffer.from('reader:s3cret').toString('base64')}`);
    expect(calls[0]?.url).not.toContain('s3cret');
  });

  it('returns the series of the first result', async () => {
    const series = [{ name: 'heart_rate', columns: ['time', 'count'], values: [[0, 1]] }];
    const client = createInfluxClient(
      settings,
      fakeFetch(() => json(200, { results: [{ series }] })),
    );
    expect(await client.query('SELECT 1')).toEqual(series);
  });

  it('treats "database not found: linkwell" as no data', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => json(200, { results: [{ statement_id: 0, error: 'database not found: linkwell' }] })),
    );
    expect(await client.query('SELECT 1')).toEqual([]);
  });

  it('turns a result error into API_ERR_TIMESERIES_QUERY', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => json(200, { results: [{ error: 'max-select-point' }] })),
    );
    expect(await codeOf(client.query('SELECT 1'))).toBe('API_ERR_TIMESERIES_QUERY');
  });

  it('turns HTTP 400 with a parse error into API_ERR_TIMESERIES_QUERY', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => json(400, { error: 'error parsing query' })),
    );
    expect(await codeOf(client.query('SELEC'))).toBe('API_ERR_TIMESERIES_QUERY');
  });

  it('turns HTTP 500 into API_ERR_TIMESERIES_UNAVAILABLE', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => new Response('boom', { status: 500 })),
    );
    expect(await codeOf(client.query('SELECT 1'))).toBe('API_ERR_TIMESERIES_UNAVAILABLE');
  });

  it('turns a refused connection into API_ERR_TIMESERIES_UNAVAILABLE', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => Promise.reject(new TypeError('fetch failed'))),
    );
    expect(await codeOf(client.query('SELECT 1'))).toBe('API_ERR_TIMESERIES_UNAVAILABLE');
  });

  it('turns a 200 with an HTML body into API_ERR_TIMESERIES_UNAVAILABLE', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => new Response('<html>', { status: 200 })),
    );
    expect(await codeOf(client.query('SELECT 1'))).toBe('API_ERR_TIMESERIES_UNAVAILABLE');
  });

  it('pings GET /ping and reports true on 204', async () => {
    const calls: Call[] = [];
    const client = createInfluxClient(
      settings,
      fakeFetch(() => new Response(null, { status: 204 }), calls),
    );
    expect(await client.ping()).toBe(true);
    expect(calls[0]?.url).toBe('http://influx.test:8086/ping');
  });

  it('reports false when /ping cannot connect', async () => {
    const client = createInfluxClient(
      settings,
      fakeFetch(() => Promise.reject(new TypeError('fetch failed'))),
    );
    expect(await client.ping()).toBe(false);
  });
});
