// Population-level traits computed in SQL (cume_dist quintiles, ABC shares, cohort CLV, next device) against
// numbers worked out by hand, on PGlite and PostgreSQL.
import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import { DEVICE_KINDS } from '../src/modules/crm/index.js';
import { createTraitsRepository } from '../src/modules/crm/repository/traits.js';
import { clvOf, cohortRetention, monthsBetween } from '../src/modules/crm/traits/clv.js';
import { kindsOfMask, nextDevice } from '../src/modules/crm/traits/propensity.js';

const USAGE = 'marketing/usage';
// person: recency, frequency_90d, engagement, value_score, frequency_30d, signup, kinds
const PEOPLE: [number | null, number, number, number, number, string | null, string[]][] = [
  [0, 40, 30, 60, 5, '2026-10-05', ['scale']],
  [0, 30, 10, 20, 3, '2026-10-20', ['scale', 'cuff']],
  [1, 30, 10, 10, 0, '2026-10-31', ['scale', 'cuff']],
  [2, 30, 10, 6, 0, '2026-10-01', ['scale', 'band']],
  [3, 20, 10, 4, 1, null, []],
  [5, 10, 20, 0, 1, null, []],
  [8, 5, 20, 0, 1, null, []],
  [13, 5, 0, 0, 1, null, []],
  [21, 0, 10, 0, 1, null, []],
  [34, 0, 10, 0, 0, null, []],
  [null, 0, 0, 0, 0, null, []],
];

function contract(name: string, open: () => Promise<Database>) {
  describe(`population traits in SQL on ${name}`, () => {
    let db: Database;
    const id = (i: number) => `acct_pop_${i}`;
    beforeAll(async () => {
      db = await open();
      await migrate(db);
      for (const [i, [r, f, e, v, f30, signup, kinds]] of PEOPLE.entries()) {
        await db.query(
          `INSERT INTO crm_profiles (account_id, consents, recency_days, frequency_90d, engagement, value_score,
             frequency_30d, signed_up_at, owns_scale, owns_cuff, owns_band)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            id(i),
            [USAGE],
            r,
            f,
            e,
            v,
            f30,
            signup,
            ...['scale', 'cuff', 'band'].map((k) => kinds.includes(k)),
          ],
        );
      }
      // Someone without consent, with values: never scored or classified.
      await db.query(
        `INSERT INTO crm_profiles (account_id, consents, recency_days, frequency_90d, engagement, value_score)
         VALUES ('acct_pop_none', '{}', 0, 90, 100, 1000)`,
      );
    });
    afterAll(async () => db?.close());

    const column = async (col: string) => {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT account_id, ${col} AS v FROM crm_profiles ORDER BY account_id`,
      );
      return Object.fromEntries(rows.map((r) => [r.account_id, r.v]));
    };
    const inOrder = (m: Record<string, unknown>) => PEOPLE.map((_, i) => m[id(i)]);

    it('scores RFE quintiles with cume_dist, ties sharing, exact boundaries not overshooting', async () => {
      await createTraitsRepository(db).scoreRfe(USAGE);
      // Recency over the 10 with a reading (≥ v counts): 10,10,8,7,6,5,4,3,2,1 → ⌈5k/10⌉.
      expect(inOrder(await column('r_score'))).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1, null]);
      // Frequency (≤ v counts): 40→10, 30→9 (×3), 20→6, 10→5, 5→4 (×2, exactly 2), 0→2 (×2, exactly 1).
      expect(inOrder(await column('f_score'))).toEqual([5, 5, 5, 5, 3, 3, 2, 2, 1, 1, null]);
      // Engagement: 30→10, 20→9 (×2), 10→7 (×6), 0→1.
      expect(inOrder(await column('e_score'))).toEqual([5, 4, 4, 4, 4, 5, 5, 1, 4, 4, null]);
      expect(inOrder(await column('rfe_code'))).toEqual([
        '555',
        '554',
        '454',
        '454',
        '334',
        '335',
        '225',
        '221',
        '114',
        '114',
        null,
      ]);
      expect((await column('r_score')).acct_pop_none).toBeNull();
    });

    it('classifies ABC by the share held by those ranked above', async () => {
      await createTraitsRepository(db).classifyAbc(USAGE, 0.8, 0.95);
      // Total 100: 60 → 0 A, 20 → 60 % A, 10 → 80 % B, 6 → 90 % B, 4 → 96 % C; zeros C.
      expect(inOrder(await column('abc_class'))).toEqual([
        'A',
        'A',
        'B',
        'B',
        'C',
        'C',
        'C',
        'C',
        'C',
        'C',
        'C',
      ]);
      expect((await column('abc_class')).acct_pop_none).toBeNull();
    });

    it('gives a cohort its CLV from its retention', async () => {
      const repo = createTraitsRepository(db);
      const cohorts = await repo.cohorts(USAGE);
      // October 2026: 4 people, 2 measured in 30 days.
      expect(cohorts).toEqual([{ cohort: '2026-10', size: 4, active: 2 }]);
      const cfg = { marginPerMonth: 10, annualDiscount: 0, horizonMonths: 2 };
      const clv = new Map(
        cohorts.map((c) => [
          c.cohort,
          clvOf(cohortRetention(c.size, c.active, monthsBetween(c.cohort, '2026-12-08')), cfg),
        ]),
      );
      await repo.setClv(USAGE, clv);
      // r = (2/4)^(1/2) = 0.70711; 10 × (0.70711 + 0.5) = 12.07.
      expect(inOrder(await column('clv'))).toEqual([
        12.07,
        12.07,
        12.07,
        12.07,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
    });

    it('groups people by kind set and sets the next device per set', async () => {
      const repo = createTraitsRepository(db);
      const masks = await repo.kindMasks(USAGE);
      // scale = 1, cuff = 2, band = 4.
      expect(masks.sort((a, b) => a.mask - b.mask)).toEqual([
        { mask: 0, count: 7 },
        { mask: 1, count: 1 },
        { mask: 3, count: 2 },
        { mask: 5, count: 1 },
      ]);
      const groups = masks.map((m) => ({ kinds: kindsOfMask(m.mask), count: m.count }));
      const next = new Map<number, string>();
      for (let m = 0; m < 1 << DEVICE_KINDS.length; m++) next.set(m, nextDevice(kindsOfMask(m), groups));
      await repo.setNextDevice(USAGE, next);
      // {scale}: cuff (2) over band (1); {scale, cuff}: nobody owns more, band is the most owned lacking;
      // {scale, band}: nobody owns more, cuff (2); nothing: scale (4).
      expect(inOrder(await column('next_device'))).toEqual([
        'cuff',
        'band',
        'band',
        'cuff',
        'scale',
        'scale',
        'scale',
        'scale',
        'scale',
        'scale',
        'scale',
      ]);
    });
  });
}

contract('PGlite', () => openPglite());

describe('on PostgreSQL', () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());
  contract('PostgreSQL', async () => openPostgres(pg.url));
});
