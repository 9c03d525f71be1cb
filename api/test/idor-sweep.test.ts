import { type RunningInfluxd, startInfluxd } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HouseholdsApi, type Method, startHouseholdsApi } from './households-kit.js';

const DB = 'linkwell_idor_test';
const LI = 'acct_li';
const ALEX = 'acct_alex';
const BOB = 'acct_bob';
const BEA = 'acct_bea';
const CUFF = 'AA:00:00:00:00:02';
const T = Date.parse('2026-11-20T07:00:00.000Z');

/** The ids of one household and everything in it that a route can name. */
interface Ids {
  household: string;
  gateway: string;
  device: string;
  slot: string;
  member: string;
  viewer: string;
  dependent: string;
  item: string;
  move: string;
  rule: string;
  invite: string;
  handover: string;
  command: string;
  reading: string;
}

/** Which id each path parameter takes, by the path's prefix and the parameter's name. */
function paramValue(path: string, param: string, household: string, ids: Ids): string {
  if (param === 'id' || param === 'hid') {
    if (path.startsWith('/v1/households/')) return household;
    if (path.startsWith('/v1/gateways/')) return ids.gateway;
    if (path.startsWith('/v1/devices/')) return ids.device;
    if (path.startsWith('/v1/commands/')) return ids.command;
    if (path.startsWith('/v1/readings/')) return ids.reading;
  }
  const byName: Record<string, string> = {
    slot: ids.slot,
    itemId: ids.item,
    moveId: ids.move,
    ruleId: ids.rule,
    inviteId: ids.invite,
    handoverId: ids.handover,
    viewerId: ids.viewer,
  };
  if (param === 'accountId') return path.includes('/dependents/') ? ids.dependent : ids.member;
  const v = byName[param];
  if (v === undefined) throw new Error(`${path}: no id for {${param}}; add it to the IDOR sweep`);
  return v;
}

/** A body the route's schema accepts, so the answer is about authorisation, not validation. */
function bodyFor(method: Method, path: string, ids: Ids): Record<string, unknown> | undefined {
  const bodies: Record<string, Record<string, unknown>> = {
    'PATCH /v1/households/{id}': { name: 'Mine now' },
    'POST /v1/households/{id}/transfer': { account_id: ids.viewer },
    'POST /v1/households/{id}/dependents': { display_name: 'Kid' },
    'PATCH /v1/households/{id}/dependents/{accountId}': { display_name: 'Kid' },
    'POST /v1/households/{id}/inbox/{itemId}/file': { account_id: ids.dependent },
    'POST /v1/households/{id}/attribution-rules': {
      account_id: ids.member,
      kind: 'weight_range',
      min_kg: 50,
      max_kg: 60,
      threshold: 0.8,
    },
    'PATCH /v1/gateways/{id}': { name: 'Mine now' },
    'POST /v1/households/{hid}/devices': { address: CUFF },
    'PATCH /v1/devices/{id}': { name: 'Mine now' },
    'PUT /v1/devices/{id}/owner': { account_id: ids.member },
    'PUT /v1/devices/{id}/slots/{slot}': { account_id: ids.member },
    'PUT /v1/devices/{id}/attribution': { mode: 'slots' },
    'POST /v1/devices/{id}/commands': { op: 'sync' },
    'POST /v1/devices/{id}/users': { account_id: ids.member, consent_code: '1234' },
    'POST /v1/readings/{id}/reassign': { to_account_id: ids.viewer },
  };
  return bodies[`${method} ${path}`] ?? (method === 'GET' || method === 'DELETE' ? undefined : {});
}

/**
 * Issue 12's IDOR rule, swept over every route in the OpenAPI document that names a household or
 * anything in one: a member of another household gets 404 for Bob's household and for each of Bob's
 * ids, also when they are put under her own household's id. Bob himself gets no 404 from the same GET
 * requests, so the sweep cannot pass by ids that do not exist.
 */
describe('IDOR sweep over every household-scoped route', () => {
  let influxd: RunningInfluxd;
  let api: HouseholdsApi;
  let li: Ids;
  let bob: Ids;
  let routes: { method: Method; path: string }[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
    await fetch(`${influxd.url}/query?q=${encodeURIComponent(`CREATE DATABASE ${DB}`)}`, { method: 'POST' });
    api = await startHouseholdsApi({
      accounts: { [LI]: '李伟', [ALEX]: 'Alex', [BOB]: 'Bob', [BEA]: 'Bea' },
      influx: { url: influxd.url, database: DB },
    });
    li = await furnish(LI, ALEX, 'gw_li');
    bob = await furnish(BOB, BEA, 'gw_bob');
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    routes = Object.entries(doc.paths)
      .filter(([p]) => /^\/v1\/(households\/\{|gateways\/|devices\/|commands\/|readings\/)/.test(p))
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => ({ method: m.toUpperCase() as Method, path })),
      );
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await influxd?.stop();
  });

  /** A household with an adult, a dependent, a claimed cuff with a mapped slot, an inbox item being filed, a rule, an invite, a hand-over, a command and a stored reading. */
  async function furnish(owner: string, adult: string, gateway: string): Promise<Ids> {
    const { db, req } = api;
    const h = await api.household(owner, [adult]);
    const dependent = await api.dependent(owner, h.id, 'Kid');
    await db.query('INSERT INTO gateways (id, household_id, name) VALUES ($1, $2, $3)', [
      gateway,
      h.id,
      'Hall',
    ]);
    await db.query(
      `INSERT INTO nearby_devices (gateway_id, address, name, profile_id, model, maker, seen_at)
       VALUES ($1, $2, 'BP', 'generic.bls', 'Cuff', 'Acme', $3)`,
      [gateway, CUFF, new Date(api.clock.now)],
    );
    const claimed = await req(owner, 'POST', `/v1/households/${h.id}/devices`, { address: CUFF });
    expect(claimed.statusCode).toBe(201);
    const device = (claimed.json() as { id: string; attribution: string }).id;
    await req(owner, 'PUT', `/v1/devices/${device}/attribution`, { mode: 'slots' });
    expect((await req(owner, 'PUT', `/v1/devices/${device}/slots/1`, { account_id: owner })).statusCode).toBe(
      200,
    );
    const itemIds = [`ibx_${gateway}_1`, `ibx_${gateway}_2`];
    for (const [i, item] of itemIds.entries())
      await db.query(
        `INSERT INTO inbox_items (id, gateway_id, household_id, device_address, device_id, slot, metric, measured_at,
           reading, reason, received_at)
         VALUES ($1, $2, $3, $4, $5, 3, 'blood_pressure', $6, '{"values":{"systolic":120,"diastolic":80}}',
           'unassigned_slot', $7)`,
        [item, gateway, h.id, CUFF, device, T + i * 60_000, new Date(api.clock.now)],
      );
    const filed = await req(owner, 'POST', `/v1/households/${h.id}/inbox/${itemIds[0]}/file`, {
      account_id: dependent,
    });
    expect(filed.statusCode).toBe(202);
    const rule = await req(owner, 'POST', `/v1/households/${h.id}/attribution-rules`, {
      account_id: owner,
      kind: 'weight_near_trend',
      tolerance_kg: 2,
      threshold: 0.7,
    });
    expect(rule.statusCode).toBe(201);
    const invite = await req(owner, 'POST', `/v1/households/${h.id}/invites`);
    const handover = await req(owner, 'POST', `/v1/households/${h.id}/members/${dependent}/handover`);
    expect(handover.statusCode).toBe(201);
    const command = await req(owner, 'POST', `/v1/devices/${device}/commands`, { op: 'sync' });
    expect([202, 409]).toContain(command.statusCode);
    const commandId =
      command.statusCode === 202
        ? (command.json() as { id: string }).id
        : (
            await db.query<{ id: string }>(
              `INSERT INTO gateway_commands (id, gateway_id, household_id, device_id, op, args, state, created_by,
                 created_at, deadline)
               VALUES ($1, $2, $3, $4, 'sync', '{}', 'queued', $5, now(), now()) RETURNING id`,
              [`cmd_${gateway}`, gateway, h.id, device, owner],
            )
          ).rows[0]!.id;
    const line = `blood_pressure,account=${owner},device=${device} systolic=121,diastolic=79 ${T}`;
    const wrote = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, { method: 'POST', body: line });
    expect(wrote.status).toBe(204);
    const readings = await req(
      owner,
      'GET',
      `/v1/households/${h.id}/members/${owner}/readings?from=${new Date(T - 60_000).toISOString()}&to=${new Date(T + 60_000).toISOString()}`,
    );
    const reading = (readings.json() as { readings: { id: string }[] }).readings[0]!.id;
    return {
      household: h.id,
      gateway,
      device,
      slot: '1',
      member: owner,
      viewer: adult,
      dependent,
      item: itemIds[1]!,
      move: (filed.json() as { move: { id: string } }).move.id,
      rule: (rule.json() as { id: string }).id,
      invite: (invite.json() as { id: string }).id,
      handover: (handover.json() as { id: string }).id,
      command: commandId,
      reading,
    };
  }

  const url = (path: string, household: string, ids: Ids) =>
    path.replace(/\{(\w+)\}/g, (_, p: string) => encodeURIComponent(paramValue(path, p, household, ids)));

  it('covers the routes of every context that holds household data', () => {
    const prefixes = new Set(routes.map((r) => r.path.split('/').slice(0, 3).join('/')));
    expect([...prefixes].sort()).toEqual([
      '/v1/commands',
      '/v1/devices',
      '/v1/gateways',
      '/v1/households',
      '/v1/readings',
    ]);
    expect(routes.length).toBeGreaterThanOrEqual(35);
  });

  it("answers 404 to 李伟 for Bob's household and for Bob's ids under her own household", async () => {
    const leaks: string[] = [];
    for (const { method, path } of routes) {
      const targets = [{ as: 'foreign household', url: url(path, bob.household, bob) }];
      if (path.startsWith('/v1/households/') && /\{(?!id\}|hid\})\w+\}/.test(path))
        targets.push({ as: "her household, Bob's ids", url: url(path, li.household, bob) });
      for (const t of targets) {
        const res = await api.req(LI, method, t.url, bodyFor(method, path, bob));
        if (res.statusCode !== 404)
          leaks.push(`${method} ${path} (${t.as}): ${res.statusCode} ${res.body.slice(0, 120)}`);
        else expect(res.json().code).toMatch(/^API_ERR_[A-Z_]*NOT_FOUND/);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("answers Bob's own GET requests on the same ids without a 404, so the ids are real", async () => {
    const missing: string[] = [];
    for (const { method, path } of routes.filter((r) => r.method === 'GET')) {
      const res = await api.req(BOB, method, url(path, bob.household, bob));
      if (res.statusCode === 404) missing.push(`${path}: ${res.body.slice(0, 120)}`);
    }
    expect(missing).toEqual([]);
  });
});
