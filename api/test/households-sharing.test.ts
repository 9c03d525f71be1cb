import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { householdsAccountMover, visibleAccounts } from '../src/modules/households/index.js';
import { createMergeService } from '../src/modules/identity/index.js';
import { expectProblem } from './helpers.js';
import { type HouseholdsApi, startHouseholdsApi } from './households-kit.js';

const LI = 'acct_li';
const ALEX = 'acct_alex';
const KIM = 'acct_kim';
const SAM = 'acct_sam';

describe('sharing health data between members', () => {
  let api: HouseholdsApi;
  const visible = async (viewer: string, hh?: string) =>
    [...(await visibleAccounts(api.db, viewer, hh))].sort();
  const share = (as: string, hh: string, viewer: string) =>
    api.req(as, 'PUT', `/v1/households/${hh}/shares/${viewer}`);

  beforeAll(async () => {
    api = await startHouseholdsApi({
      accounts: { [LI]: '李伟', [ALEX]: 'Alex', [KIM]: 'Kim', [SAM]: 'Sam' },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('is private by default; shares are one way, per household, listed for both sides, idempotent', async () => {
    const h = await api.household(LI, [ALEX, KIM]);
    const second = await api.household(ALEX, [LI], 'Second home');
    const mia = await api.dependent(ALEX, h.id, 'Mia');
    expect(await visible(KIM)).toEqual([KIM]);
    // Owner: every dependent; the managing adult: theirs.
    expect(await visible(LI)).toEqual([LI, mia].sort());
    expect(await visible(ALEX)).toEqual([ALEX, mia].sort());

    const first = await share(ALEX, h.id, KIM);
    expect(first.statusCode).toBe(200);
    api.clock.now += 1000;
    expect((await share(ALEX, h.id, KIM)).json()).toEqual(first.json());
    expect(await visible(KIM)).toEqual([ALEX, KIM].sort());
    expect(await visible(KIM, h.id)).toEqual([ALEX, KIM].sort());
    expect(await visible(KIM, second.id)).toEqual([KIM]);
    expect(await visible(ALEX)).toEqual([ALEX, mia].sort());
    const entry = first.json();
    expect((await api.req(KIM, 'GET', `/v1/households/${h.id}/shares`)).json()).toEqual({ shares: [entry] });
    expect((await api.req(ALEX, 'GET', `/v1/households/${h.id}/shares`)).json()).toEqual({ shares: [entry] });
    expect((await api.req(LI, 'GET', `/v1/households/${h.id}/shares`)).json()).toEqual({ shares: [] });
    // Sharing in the other household says nothing about this one.
    expect((await share(LI, second.id, ALEX)).statusCode).toBe(200);
    expect(await visible(ALEX, h.id)).toEqual([ALEX, mia].sort());
    expect(await visible(ALEX, second.id)).toEqual([ALEX, LI].sort());
  });

  it('drops the shares of a member who leaves, and moves them with a merge', async () => {
    const h = await api.household(LI, [ALEX, KIM], 'Leaving home');
    expect((await share(KIM, h.id, LI)).statusCode).toBe(200);
    expect((await share(LI, h.id, KIM)).statusCode).toBe(200);
    expect((await api.req(KIM, 'POST', `/v1/households/${h.id}/leave`)).statusCode).toBe(204);
    const left = await api.db.query('SELECT * FROM household_shares WHERE household_id = $1', [h.id]);
    expect(left.rows).toEqual([]);

    expect((await share(ALEX, h.id, LI)).statusCode).toBe(200);
    await api.db.query("INSERT INTO accounts (id, display_name) VALUES ('acct_alex_new', 'Alex')");
    await api.db.transaction((sql) =>
      createMergeService(sql, () => api.clock.now, [householdsAccountMover]).mergeAccounts(
        ALEX,
        'acct_alex_new',
      ),
    );
    const moved = await api.db.query<{ account_id: string; viewer_account_id: string }>(
      'SELECT account_id, viewer_account_id FROM household_shares WHERE household_id = $1',
      [h.id],
    );
    expect(moved.rows).toEqual([{ account_id: 'acct_alex_new', viewer_account_id: LI }]);
  });

  it("answers 404 for another household's ids on the share routes (IDOR)", async () => {
    const theirs = await api.household(LI, [ALEX], 'Theirs');
    const mine = await api.household(SAM, [], 'Mine');
    for (const hh of [theirs.id, 'hh_doesnotexist'])
      for (const [method, url] of [
        ['GET', `/v1/households/${hh}/shares`],
        ['PUT', `/v1/households/${hh}/shares/${ALEX}`],
        ['DELETE', `/v1/households/${hh}/shares/${ALEX}`],
      ] as const)
        expectProblem(await api.req(SAM, method, url), {
          status: 404,
          code: 'API_ERR_HOUSEHOLD_NOT_FOUND',
          detail: 'No household with this id has you as a member.',
          instance: url,
        });
    expectProblem(await share(SAM, mine.id, LI), {
      status: 404,
      code: 'API_ERR_HOUSEHOLD_MEMBER_NOT_FOUND',
      detail: 'No member with this account id is in this household.',
      instance: `/v1/households/${mine.id}/shares/${LI}`,
    });
    expect(await visible(SAM)).toEqual([SAM]);
  });
});
