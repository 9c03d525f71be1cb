import { createServer } from 'node:net';
import { Registry } from 'prom-client';
import { expect } from 'vitest';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  generateSigningKeys,
  type InfluxSettings,
  migrate,
  openPglite,
  type SigningKeys,
  seedDemoHome,
  type TokenIssuer,
} from '../src/index.js';

export interface TestApi {
  app: ApiApp;
  db: Database;
  keys: SigningKeys;
  tokens: TokenIssuer;
  metrics: Registry;
  close(): Promise<void>;
}

/** An app on an in-memory, migrated, demo-seeded PGlite registry with fresh signing keys. */
export async function startTestApi(influx: InfluxSettings, fetchImpl?: typeof fetch): Promise<TestApi> {
  const db = await openPglite();
  await migrate(db);
  await seedDemoHome(db);
  const keys = generateSigningKeys();
  const metrics = new Registry();
  const app = buildApp({
    db,
    keys,
    influx,
    metrics,
    logger: false,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
  await app.ready();
  return {
    app,
    db,
    keys,
    tokens: createTokenIssuer(keys),
    metrics,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** A loopback URL on which nothing listens: bind port 0, note the port, close it again. */
export async function closedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return `http://127.0.0.1:${address.port}`;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Stands in for InfluxDB: every /query gets an empty result, every /ping a 204. */
export const emptyInflux: typeof fetch = async (input) =>
  String(input).includes('/ping')
    ? new Response(null, { status: 204 })
    : new Response(JSON.stringify({ results: [{ statement_id: 0 }] }), { status: 200 });

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** What every API error must carry besides its extension members (RFC 9457 plus Linkwell's `code`). */
export interface ExpectedProblem {
  status: number;
  code: string;
  detail: string;
  /** The request path without the query. */
  instance: string;
  [extension: string]: unknown;
}

/** The fixed title of a code, spelled out independently of the API: API_ERR_BAD_TIME_RANGE → "Bad time range". */
export function expectedTitle(code: string): string {
  const words = code
    .replace(/^API_ERR_/, '')
    .toLowerCase()
    .split('_')
    .join(' ');
  return words[0]!.toUpperCase() + words.slice(1);
}

/**
 * Asserts an inject() response is exactly this RFC 9457 problem: the HTTP status, the problem+json
 * content type, and the whole body (`type` /problems/{code}, `title`, and no member beyond those given).
 */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  expected: ExpectedProblem,
): void {
  expect(res.statusCode).toBe(expected.status);
  expect(res.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
  expect(res.json()).toEqual({
    type: `/problems/${expected.code}`,
    title: expectedTitle(expected.code),
    ...expected,
  });
}
