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
} from '../src/index.js';
import { bearer, emptyInflux } from './helpers.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Household {
  id: string;
  name: string;
  role: string;
  members: { account_id: string; display_name: string; role: string }[];
}

/**
 * An API on a migrated PGlite registry with an injected clock, for the households, readings and inbox
 * tests: `req` calls as an account with a user token, `household` builds one with members joined by
 * invite. InfluxDB is the given server, or one that answers every query empty.
 */
export async function startHouseholdsApi(opts: {
  accounts: Record<string, string>;
  influx?: InfluxSettings;
  db?: Database;
}) {
  const keys = generateSigningKeys();
  const users = createTokenIssuer(keys);
  const db = opts.db ?? (await openPglite());
  await migrate(db);
  for (const [id, name] of Object.entries(opts.accounts))
    await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $2)', [id, name]);
  const clock = { now: Date.parse('2026-12-01T10:00:00.000Z') };
  const app: ApiApp = buildApp({
    db,
    keys,
    influx: opts.influx ?? { url: 'http://influx.invalid', database: 'linkwell' },
    metrics: new Registry(),
    logger: false,
    ...(opts.influx ? {} : { fetch: emptyInflux }),
    now: () => clock.now,
  });
  await app.ready();

  const req = (account: string, method: Method, url: string, payload?: Record<string, unknown>) =>
    app.inject({
      method,
      url,
      headers: bearer(users.userToken(account, { scopes: ['account'] })),
      ...(payload ? { payload } : {}),
    });

  /** A household owned by `owner` that each of `adults` joined with an invite. */
  async function household(owner: string, adults: readonly string[] = [], name = 'Home'): Promise<Household> {
    const created = await req(owner, 'POST', '/v1/households', { name });
    expect(created.statusCode).toBe(201);
    const h = created.json() as Household;
    for (const adult of adults) {
      const invite = await req(owner, 'POST', `/v1/households/${h.id}/invites`);
      expect(invite.statusCode).toBe(201);
      expect(
        (await req(adult, 'POST', '/v1/household-invites/accept', { code: invite.json().code })).statusCode,
      ).toBe(200);
    }
    return (await req(owner, 'GET', `/v1/households/${h.id}`)).json() as Household;
  }

  async function dependent(manager: string, householdId: string, displayName: string): Promise<string> {
    const res = await req(manager, 'POST', `/v1/households/${householdId}/dependents`, {
      display_name: displayName,
    });
    expect(res.statusCode).toBe(201);
    return (res.json() as { account_id: string }).account_id;
  }

  return {
    app,
    db,
    clock,
    req,
    household,
    dependent,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export type HouseholdsApi = Awaited<ReturnType<typeof startHouseholdsApi>>;
