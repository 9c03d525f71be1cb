import { Registry } from 'prom-client';
import { expect } from 'vitest';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  DEFAULT_USER_SCOPES,
  generateSigningKeys,
  migrate,
  openPglite,
  type Scope,
} from '../src/index.js';
import { bearer } from './helpers.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * InfluxDB line protocol (v1 "Line protocol reference", "Special characters"): in tag keys and values a
 * comma, an equals sign and a space are escaped with a backslash; in string field values a double quote
 * and a backslash are. Newlines cannot be written in either, so callers must not pass them.
 */
const escapeTag = (s: string) => s.replace(/[,= ]/g, (c) => `\\${c}`);
const quoteField = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** One stored reading as ingest writes it (storage contract: tags account and device, float fields). */
export interface Reading {
  measurement: string;
  account: string;
  device: string;
  t: number;
  values: Record<string, number>;
  /** The `quality` meta field, e.g. `cuffless`. */
  quality?: string;
}

export function lineOf(r: Reading): string {
  if (/[\n\r]/.test(r.account + r.device)) throw new RangeError('line protocol cannot carry a newline');
  const fields = Object.entries(r.values).map(([k, v]) => `${escapeTag(k)}=${v}`);
  if (r.quality !== undefined) fields.push(`quality=${quoteField(r.quality)}`);
  return `${r.measurement},account=${escapeTag(r.account)},device=${escapeTag(r.device)} ${fields.join(',')} ${r.t}`;
}

export interface TrendsApiOptions {
  /** A running influxd (one per test file). */
  influxUrl: string;
  /** Created here; unique per test group so groups never see each other's readings. */
  database: string;
  /** Registry accounts (id → display name); health profiles and households need one. */
  accounts?: Record<string, string>;
  /** The app's clock (ms); tokens use the real clock so they verify. */
  now?: number;
}

/**
 * The API on a migrated PGlite registry and a real influxd, with an injected clock, for the trends tests:
 * `get`/`send` call as an account with a user token carrying `trends.read` and `account`, `write` stores
 * readings, `household`/`dependent`/`share` set up members as the households routes do.
 */
export async function startTrendsApi(opts: TrendsApiOptions) {
  const created = await fetch(
    `${opts.influxUrl}/query?q=${encodeURIComponent(`CREATE DATABASE "${opts.database}"`)}`,
    { method: 'POST' },
  );
  expect(created.status).toBe(200);
  const keys = generateSigningKeys();
  const tokens = createTokenIssuer(keys);
  const db: Database = await openPglite();
  await migrate(db);
  for (const [id, name] of Object.entries(opts.accounts ?? {}))
    await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2)', [id, name]);
  const clock = { now: opts.now ?? Date.parse('2026-12-01T10:00:00.000Z') };
  // Every InfluxQL statement the API sends, so a test can prove a refused request never reached InfluxDB.
  const queries: string[] = [];
  const recording: typeof fetch = (input, init) => {
    const q = new URL(String(input)).searchParams.get('q');
    if (q !== null) queries.push(q);
    return fetch(input, init);
  };
  const app: ApiApp = buildApp({
    db,
    keys,
    influx: { url: opts.influxUrl, database: opts.database },
    metrics: new Registry(),
    logger: false,
    fetch: recording,
    now: () => clock.now,
  });
  await app.ready();

  const token = (account: string, scopes: readonly Scope[] = [...DEFAULT_USER_SCOPES, 'account']) =>
    tokens.userToken(account, { scopes });
  const send = (account: string, method: Method, url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: bearer(token(account)),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const get = (account: string, url: string) => send(account, 'GET', url);

  async function write(readings: readonly Reading[]): Promise<void> {
    const res = await fetch(`${opts.influxUrl}/write?db=${encodeURIComponent(opts.database)}&precision=ms`, {
      method: 'POST',
      body: readings.map(lineOf).join('\n'),
    });
    expect(res.status, await res.text()).toBe(204);
  }

  /** A household owned by `owner` that each of `adults` joined with an invite; returns its id. */
  async function household(owner: string, adults: readonly string[] = []): Promise<string> {
    const made = await send(owner, 'POST', '/v1/households', { name: 'Home' });
    expect(made.statusCode).toBe(201);
    const id = (made.json() as { id: string }).id;
    for (const adult of adults) {
      const invite = await send(owner, 'POST', `/v1/households/${id}/invites`);
      expect(invite.statusCode).toBe(201);
      const accepted = await send(adult, 'POST', '/v1/household-invites/accept', {
        code: invite.json().code,
      });
      expect(accepted.statusCode).toBe(200);
    }
    return id;
  }

  async function dependent(manager: string, householdId: string, name: string): Promise<string> {
    const res = await send(manager, 'POST', `/v1/households/${householdId}/dependents`, {
      display_name: name,
    });
    expect(res.statusCode).toBe(201);
    return (res.json() as { account_id: string }).account_id;
  }

  /** `owner` shares their health data with `viewer` in the household. */
  async function share(owner: string, householdId: string, viewer: string): Promise<void> {
    expect((await send(owner, 'PUT', `/v1/households/${householdId}/shares/${viewer}`)).statusCode).toBe(200);
  }

  return {
    app,
    db,
    clock,
    queries,
    token,
    get,
    send,
    write,
    household,
    dependent,
    share,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export type TrendsApi = Awaited<ReturnType<typeof startTrendsApi>>;

/** A GET /v1/trends/{metric} query string; `undefined` values are left out, everything else is encoded. */
export function qs(params: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
}

/** The window of a trend response, as far as these tests read it. */
export interface WindowBody {
  start: string;
  end: string;
  date?: string;
  time_zone?: string;
  hours: number;
  empty: boolean;
  count: number;
  coverage: number;
  winning_source: string | null;
  sources: string[];
  suppressed_sources: string[];
  values: Record<string, Record<string, number> | null>;
}

export interface TrendBody {
  metric: string;
  account: string;
  window: string;
  time_zone_source?: string;
  merged: boolean;
  stores: string[];
  units: Record<string, { ucum: string; display: string }>;
  source_priority: string[];
  windows: WindowBody[];
  series?: { source: string; windows: WindowBody[] }[];
}
