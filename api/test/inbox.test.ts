import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discardHeldForSlot } from '../src/modules/inbox/index.js';
import { expectProblem } from './helpers.js';
import { type Household, type HouseholdsApi, startHouseholdsApi } from './households-kit.js';

const LI = 'acct_li';
const ALEX = 'acct_alex';
const KIM = 'acct_kim';
const SAM = 'acct_sam';
const T = Date.parse('2026-11-20T07:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

interface Item {
  id: string;
  state: string;
  measured_at: string;
}

describe('the household inbox, its moves and auto-rules', () => {
  let api: HouseholdsApi;
  let home: Household;
  let other: Household;
  let mia = '';
  const notified: string[] = [];
  let seq = 0;

  /** An inbox item as ingest writes it (migration 0006 contract). */
  async function held(
    householdId: string,
    o: {
      device?: string | null;
      slot?: number | null;
      reason?: string;
      t?: number;
      kg?: number;
      hint?: unknown[];
    } = {},
  ): Promise<string> {
    const id = `ibx_test${++seq}`;
    const t = o.t ?? T + seq * 1000;
    await api.db.query(
      `INSERT INTO inbox_items (id, gateway_id, household_id, device_address, device_id, slot, metric, measured_at,
         reading, reason, hint, received_at)
       VALUES ($1, 'gw_home', $2, 'C4:00:00:00:00:01', $3, $4, 'weight', $5, $6, $7, $8, $9)`,
      [
        id,
        householdId,
        o.device === undefined ? 'dev_scale' : o.device,
        o.slot === undefined ? 3 : o.slot,
        t,
        JSON.stringify({ metric: 'weight', t, values: { kg: o.kg ?? 70.5 }, quality: [], slot: o.slot ?? 3 }),
        o.reason ?? 'unassigned_slot',
        JSON.stringify(o.hint ?? []),
        new Date(t + 500),
      ],
    );
    return id;
  }
  const file = (as: string, hh: string, item: string, to: string) =>
    api.req(as, 'POST', `/v1/households/${hh}/inbox/${item}/file`, { account_id: to });
  const discard = (as: string, hh: string, item: string) =>
    api.req(as, 'POST', `/v1/households/${hh}/inbox/${item}/discard`);

  beforeAll(async () => {
    api = await startHouseholdsApi({
      accounts: { [LI]: '李伟', [ALEX]: 'Alex Morgan', [KIM]: 'Kim', [SAM]: 'Sam Lee' },
    });
    api.clock.now = T + 3_600_000;
    home = await api.household(LI, [ALEX, KIM], '李家');
    other = await api.household(SAM, [], 'Sam home');
    mia = await api.dependent(ALEX, home.id, 'Mia');
    await api.db.exec(`
      INSERT INTO devices (id, household_id, address, kind) VALUES
        ('dev_scale', '${home.id}', 'C4:00:00:00:00:01', 'scale'),
        ('dev_sam', '${other.id}', 'C4:00:00:00:00:09', 'scale');
    `);
    await api.db.listen('linkwell_moves', (p) => notified.push(p));
  });
  afterAll(async () => {
    await api?.close();
  });

  it('lists held items newest first with hints by name; unknown devices on request; pages with a cursor', async () => {
    const a = await held(home.id, {
      reason: 'ambiguous',
      hint: [
        { account: ALEX, confidence: 0.55, rule: 'weight-proximity' },
        { account: LI, confidence: 0.4 },
      ],
    });
    const b = await held(home.id, { slot: 4 });
    const unknown = await held(home.id, { device: null, slot: null, reason: 'unknown_device' });
    await held(other.id, { device: 'dev_sam' });
    const res = await api.req(LI, 'GET', `/v1/households/${home.id}/inbox`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: Item) => i.id)).toEqual([b, a]);
    expect(body.next_cursor).toBeNull();
    expect(body.items[1]).toEqual({
      id: a,
      metric: 'weight',
      measured_at: iso(T + 1000),
      values: { kg: 70.5 },
      device_id: 'dev_scale',
      device_address: 'C4:00:00:00:00:01',
      slot: 3,
      reason: 'ambiguous',
      hint: [
        { account_id: ALEX, display_name: 'Alex Morgan', confidence: 0.55, rule: 'weight-proximity' },
        { account_id: LI, display_name: '李伟', confidence: 0.4, rule: null },
      ],
      state: 'held',
      target_account_id: null,
      decided_by: null,
      decided_at: null,
      received_at: iso(T + 1500),
    });
    const all = await api.req(ALEX, 'GET', `/v1/households/${home.id}/inbox?include_unknown_devices=true`);
    expect(all.json().items.map((i: Item) => i.id)).toEqual([unknown, b, a]);
    const first = (
      await api.req(ALEX, 'GET', `/v1/households/${home.id}/inbox?include_unknown_devices=true&limit=2`)
    ).json();
    expect(first.items.map((i: Item) => i.id)).toEqual([unknown, b]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = (
      await api.req(
        ALEX,
        'GET',
        `/v1/households/${home.id}/inbox?include_unknown_devices=true&limit=2&cursor=${first.next_cursor}`,
      )
    ).json();
    expect(second).toEqual({ items: [expect.objectContaining({ id: a })], next_cursor: null });
    expectProblem(await api.req(ALEX, 'GET', `/v1/households/${home.id}/inbox?cursor=bm9wZQ`), {
      status: 400,
      code: 'API_ERR_INBOX_BAD_CURSOR',
      detail: 'This cursor was not made by this API.',
      instance: `/v1/households/${home.id}/inbox`,
    });
    for (const q of ['state=lost', 'limit=0', 'limit=201', 'include_unknown_devices=maybe'])
      expect((await api.req(LI, 'GET', `/v1/households/${home.id}/inbox?${q}`)).json().code, q).toBe(
        'API_ERR_VALIDATION',
      );
  });

  it('files a held item under a member: 202, state filing, a file move at the original time, NOTIFY, audit', async () => {
    const item = await held(home.id, { t: T - 86_400_000 });
    notified.length = 0;
    const res = await file(ALEX, home.id, item, mia);
    expect(res.statusCode).toBe(202);
    const { item: filed, move } = res.json();
    expect(filed).toMatchObject({
      id: item,
      state: 'filing',
      target_account_id: mia,
      decided_by: ALEX,
      decided_at: iso(api.clock.now),
      measured_at: iso(T - 86_400_000),
    });
    expect(move).toEqual({
      id: expect.stringMatching(/^mv_/),
      household_id: home.id,
      kind: 'file',
      state: 'pending',
      inbox_item_id: item,
      metric: 'weight',
      device_id: 'dev_scale',
      measured_at: iso(T - 86_400_000),
      from_account_id: null,
      to_account_id: mia,
      requested_by: ALEX,
      created_at: iso(api.clock.now),
      done_at: null,
      error_code: null,
    });
    await expect.poll(() => notified).toEqual([home.id]);
    const audit = await api.db.query(
      "SELECT account_id, details FROM audit_log WHERE action = 'inbox_file' AND details->>'inbox_item_id' = $1 ORDER BY account_id",
      [item],
    );
    expect(audit.rows).toEqual(
      [ALEX, mia].sort().map((account_id) => ({
        account_id,
        details: { household_id: home.id, inbox_item_id: item, move_id: move.id, to_account_id: mia },
      })),
    );
    expect((await api.req(ALEX, 'GET', `/v1/households/${home.id}/moves/${move.id}`)).json()).toEqual({
      move,
    });
    // Decided once: filing or discarding again is refused with its state.
    for (const [again, action] of [
      [await file(LI, home.id, item, LI), 'file'],
      [await discard(LI, home.id, item), 'discard'],
    ] as const)
      expectProblem(again, {
        status: 409,
        code: 'API_ERR_INBOX_ITEM_NOT_HELD',
        detail: 'This item was already decided.',
        instance: `/v1/households/${home.id}/inbox/${item}/${action}`,
        state: 'filing',
      });
    // Held items are listed; this one is now among the filing ones.
    expect(
      (await api.req(LI, 'GET', `/v1/households/${home.id}/inbox?state=filing`))
        .json()
        .items.map((i: Item) => i.id),
    ).toEqual([item]);
  });

  it('refuses filing an unclaimed device’s reading or to a non-member; discards with audit', async () => {
    const unknown = await held(home.id, { device: null, slot: null, reason: 'unknown_device' });
    expectProblem(await file(LI, home.id, unknown, LI), {
      status: 409,
      code: 'API_ERR_INBOX_DEVICE_UNCLAIMED',
      detail: 'Claim the device this reading came from before filing it.',
      instance: `/v1/households/${home.id}/inbox/${unknown}/file`,
      device_address: 'C4:00:00:00:00:01',
    });
    const item = await held(home.id);
    expectProblem(await file(LI, home.id, item, SAM), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'No member with this account id is in this household.',
      instance: `/v1/households/${home.id}/inbox/${item}/file`,
    });
    const res = await discard(KIM, home.id, unknown);
    expect(res.statusCode).toBe(200);
    expect(res.json().item).toMatchObject({ id: unknown, state: 'discarded', decided_by: KIM });
    const audit = await api.db.query(
      "SELECT details FROM audit_log WHERE action = 'inbox_discard' AND account_id = $1",
      [KIM],
    );
    expect(audit.rows).toEqual([{ details: { household_id: home.id, inbox_item_id: unknown } }]);
    expect(
      (await api.db.query('SELECT id FROM reading_moves WHERE inbox_item_id = $1', [item])).rows,
    ).toEqual([]);
  });

  it('lets exactly one of concurrent decisions on one item win', async () => {
    for (let round = 0; round < 5; round++) {
      const item = await held(home.id);
      const results = await Promise.all([
        file(LI, home.id, item, LI),
        discard(ALEX, home.id, item),
        file(KIM, home.id, item, KIM),
      ]);
      expect(results.filter((r) => r.statusCode < 300)).toHaveLength(1);
      for (const r of results.filter((x) => x.statusCode >= 300))
        expect(r.json().code).toBe('API_ERR_INBOX_ITEM_NOT_HELD');
      const moves = await api.db.query('SELECT id FROM reading_moves WHERE inbox_item_id = $1', [item]);
      expect(moves.rows.length).toBe(results[1]!.statusCode === 200 ? 0 : 1);
    }
  });

  it('discardHeldForSlot discards only the held items of that device slot', async () => {
    const slot5 = await held(home.id, { slot: 5 });
    const slot6 = await held(home.id, { slot: 6 });
    const ids = await api.db.transaction((sql) =>
      discardHeldForSlot(sql, { deviceId: 'dev_scale', slot: 5, by: LI, now: api.clock.now }),
    );
    expect(ids).toEqual([slot5]);
    const rows = await api.db.query(
      'SELECT id, state, decided_by FROM inbox_items WHERE id = ANY($1) ORDER BY id',
      [[slot5, slot6]],
    );
    expect(rows.rows).toEqual([
      { id: slot5, state: 'discarded', decided_by: LI },
      { id: slot6, state: 'held', decided_by: null },
    ]);
  });

  it('sets auto-rules for yourself and the dependents you manage, validated, shown to whoever sees that person', async () => {
    const url = `/v1/households/${home.id}/attribution-rules`;
    const mine = await api.req(ALEX, 'POST', url, {
      account_id: ALEX,
      kind: 'weight_range',
      min_kg: 75,
      max_kg: 85,
      threshold: 0.8,
    });
    expect(mine.statusCode).toBe(201);
    expect(mine.json()).toEqual({
      id: expect.stringMatching(/^rule_/),
      account_id: ALEX,
      device_id: null,
      kind: 'weight_range',
      min_kg: 75,
      max_kg: 85,
      tolerance_kg: null,
      threshold: 0.8,
      created_by: ALEX,
      created_at: iso(api.clock.now),
    });
    const forMia = await api.req(ALEX, 'POST', url, {
      account_id: mia,
      device_id: 'dev_scale',
      kind: 'weight_near_trend',
      tolerance_kg: 1.5,
      threshold: 0.7,
    });
    expect(forMia.statusCode).toBe(201);
    // The owner may too; another adult may not, neither for Mia nor for Alex.
    expect(
      (
        await api.req(LI, 'POST', url, {
          account_id: mia,
          kind: 'weight_near_trend',
          tolerance_kg: 2,
          threshold: 1,
        })
      ).statusCode,
    ).toBe(201);
    for (const target of [mia, ALEX])
      expectProblem(
        await api.req(KIM, 'POST', url, {
          account_id: target,
          kind: 'weight_near_trend',
          tolerance_kg: 2,
          threshold: 1,
        }),
        {
          status: 403,
          code: 'API_ERR_ATTRIBUTION_RULE_NOT_ALLOWED',
          detail: 'You set auto-rules for yourself and for the dependents you manage.',
          instance: url,
        },
      );
    const invalid: [Record<string, unknown>, string][] = [
      [{ kind: 'weight_range', max_kg: 80 }, 'min_kg'],
      [{ kind: 'weight_range', min_kg: 80 }, 'max_kg'],
      [{ kind: 'weight_range', min_kg: 80, max_kg: 70 }, 'max_kg'],
      [{ kind: 'weight_range', min_kg: 60, max_kg: 70, tolerance_kg: 1 }, 'tolerance_kg'],
      [{ kind: 'weight_near_trend' }, 'tolerance_kg'],
      [{ kind: 'weight_near_trend', tolerance_kg: 51 }, 'tolerance_kg'],
      [{ kind: 'weight_near_trend', tolerance_kg: 2, min_kg: 50 }, 'min_kg'],
      // 0 is out of the schema's range, so the nullable number is coerced to null: the rule lacks it.
      [{ kind: 'weight_range', min_kg: 0, max_kg: 10 }, 'min_kg'],
    ];
    for (const [body, field] of invalid) {
      const res = await api.req(KIM, 'POST', url, { account_id: KIM, threshold: 0.5, ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json(), JSON.stringify(body)).toMatchObject({
        code: 'API_ERR_ATTRIBUTION_RULE_INVALID',
        field,
      });
    }
    for (const body of [
      { kind: 'weight_range', min_kg: 10, max_kg: 501, threshold: 0.5 },
      { kind: 'weight_near_trend', tolerance_kg: 2, threshold: 0 },
      { kind: 'weight_near_trend', tolerance_kg: 2, threshold: 1.01 },
      { kind: 'height', threshold: 0.5 },
      { kind: 'weight_near_trend', tolerance_kg: 2 },
    ])
      expect(
        (await api.req(KIM, 'POST', url, { account_id: KIM, ...body })).json().code,
        JSON.stringify(body),
      ).toBe('API_ERR_VALIDATION');
    // Another household's device.
    expectProblem(
      await api.req(KIM, 'POST', url, {
        account_id: KIM,
        device_id: 'dev_sam',
        kind: 'weight_near_trend',
        tolerance_kg: 2,
        threshold: 0.5,
      }),
      {
        status: 404,
        code: 'API_ERR_DEVICE_NOT_FOUND_IN_HOUSEHOLD',
        detail: 'No device with this id belongs to this household.',
        instance: url,
      },
    );
    const count = await api.db.query('SELECT count(*)::int AS n FROM attribution_rules');
    expect(count.rows).toEqual([{ n: 3 }]);

    // Who sees which rules: Alex his own and Mia's; Kim none; Li (owner) Mia's only until Alex shares.
    const seen = async (as: string) =>
      ((await api.req(as, 'GET', url)).json().rules as { account_id: string }[])
        .map((r) => r.account_id)
        .sort();
    expect(await seen(ALEX)).toEqual([ALEX, mia, mia].sort());
    expect(await seen(KIM)).toEqual([]);
    expect(await seen(LI)).toEqual([mia, mia]);

    // Delete: your own, yes; someone else's answers like a rule that does not exist.
    const ruleId = mine.json().id;
    expectProblem(await api.req(KIM, 'DELETE', `${url}/${ruleId}`), {
      status: 404,
      code: 'API_ERR_ATTRIBUTION_RULE_NOT_FOUND',
      detail: 'No auto-rule with this id in this household that you may change.',
      instance: `${url}/${ruleId}`,
    });
    expect((await api.req(ALEX, 'DELETE', `${url}/${ruleId}`)).statusCode).toBe(204);
    expect((await api.req(ALEX, 'DELETE', `${url}/${ruleId}`)).json().code).toBe(
      'API_ERR_ATTRIBUTION_RULE_NOT_FOUND',
    );
  });

  it("answers 404 for another household's ids on every inbox, move and rule route (IDOR)", async () => {
    const theirItem = await held(other.id, { device: 'dev_sam' });
    const mineItem = await held(home.id);
    const filed = (await file(LI, home.id, mineItem, LI)).json();
    const theirRule = (
      await api.req(SAM, 'POST', `/v1/households/${other.id}/attribution-rules`, {
        account_id: SAM,
        kind: 'weight_near_trend',
        tolerance_kg: 2,
        threshold: 0.5,
      })
    ).json();
    const ruleMine = (
      await api.req(LI, 'POST', `/v1/households/${home.id}/attribution-rules`, {
        account_id: LI,
        kind: 'weight_near_trend',
        tolerance_kg: 2,
        threshold: 0.5,
      })
    ).json();
    const routes = (hh: string) =>
      [
        ['GET', `/v1/households/${hh}/inbox`],
        ['POST', `/v1/households/${hh}/inbox/${mineItem}/file`, { account_id: SAM }],
        ['POST', `/v1/households/${hh}/inbox/${mineItem}/discard`],
        ['GET', `/v1/households/${hh}/moves/${filed.move.id}`],
        ['GET', `/v1/households/${hh}/attribution-rules`],
        [
          'POST',
          `/v1/households/${hh}/attribution-rules`,
          { account_id: SAM, kind: 'weight_near_trend', tolerance_kg: 2, threshold: 0.5 },
        ],
        ['DELETE', `/v1/households/${hh}/attribution-rules/${ruleMine.id}`],
      ] as const;
    for (const hh of [home.id, 'hh_doesnotexist'])
      for (const [method, url, payload] of routes(hh))
        expectProblem(await api.req(SAM, method, url, payload), {
          status: 404,
          code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
          detail: 'No household with this id has you as a member.',
          instance: url,
        });
    // Their item, move and rule through my own household.
    const through = [
      [
        'POST',
        `/v1/households/${home.id}/inbox/${theirItem}/file`,
        { account_id: LI },
        'API_ERR_INBOX_ITEM_NOT_FOUND',
      ],
      [
        'POST',
        `/v1/households/${home.id}/inbox/${theirItem}/discard`,
        undefined,
        'API_ERR_INBOX_ITEM_NOT_FOUND',
      ],
      [
        'DELETE',
        `/v1/households/${home.id}/attribution-rules/${theirRule.id}`,
        undefined,
        'API_ERR_ATTRIBUTION_RULE_NOT_FOUND',
      ],
      ['GET', `/v1/households/${other.id}/moves/${filed.move.id}`, undefined, 'API_ERR_MOVE_NOT_FOUND'],
    ] as const;
    for (const [method, url, payload, code] of through) {
      const as = url.includes(other.id) ? SAM : LI;
      expect((await api.req(as, method, url, payload)).json().code, url).toBe(code);
    }
    const still = await api.db.query('SELECT state FROM inbox_items WHERE id = $1', [theirItem]);
    expect(still.rows).toEqual([{ state: 'held' }]);
    expect(
      (await api.db.query('SELECT id FROM attribution_rules WHERE id = $1', [theirRule.id])).rows,
    ).toHaveLength(1);
  });
});
