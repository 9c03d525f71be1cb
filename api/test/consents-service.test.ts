import { createHash } from 'node:crypto';
import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import { createAuditService } from '../src/modules/audit/index.js';
import {
  BASE_PURPOSES,
  CONSENT_CATEGORIES,
  type ConsentManagement,
  createConsentManagement,
  createConsentService,
  currentTexts,
} from '../src/modules/consents/index.js';
import * as crm from '../src/modules/crm/catalog.js';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const HOUR = 3_600_000;
const ORIGIN = { ip: '127.0.0.1', userAgent: 'vitest' };

/** The current text of a purpose in a locale, hashed here independently of the module. */
function shown(purpose: string, locale: 'en' | 'zh-CN' = 'en') {
  const t = currentTexts(purpose).find((x) => x.locale === locale)!;
  expect(createHash('sha256').update(t.text, 'utf8').digest('hex')).toBe(t.sha256);
  return { text_version: t.version, text_sha256: t.sha256 };
}

const marketing = { purpose: 'marketing', category: 'usage', recipient: 'linkwell' } as const;

describe('consent vocabulary', () => {
  it('has the CRM catalog’s purposes and categories, value for value', () => {
    expect([...BASE_PURPOSES]).toEqual([...crm.BASE_PURPOSES]);
    expect([...CONSENT_CATEGORIES]).toEqual([...crm.CONSENT_CATEGORIES]);
  });

  it('holds a text per purpose in en and zh-CN whose SHA-256 is of the exact text, partners named in share texts', () => {
    for (const p of [...BASE_PURPOSES, 'share:acme-care']) {
      const texts = currentTexts(p);
      expect(texts.map((t) => t.locale)).toEqual(['en', 'zh-CN']);
      for (const t of texts) {
        expect(t.sha256).toBe(createHash('sha256').update(t.text, 'utf8').digest('hex'));
      }
    }
    expect(currentTexts('share:acme-care')[0]!.text).toContain('“acme-care”');
    expect(currentTexts('share:acme-care')[0]!.sha256).not.toBe(currentTexts('share:other')[0]!.sha256);
  });
});

function contract(name: string, open: () => Promise<Database>) {
  describe(`consents on ${name}`, () => {
    let db: Database;
    let t = T0;
    const now = () => t;
    let people: ConsentManagement;
    // Distinct ids per engine run: the PostgreSQL server outlives a run.
    const id = (s: string) => `acct_cs_${name.toLowerCase()}_${s}`;
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(id) as [string, string, string, string];

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      for (const x of [a, b, c, d]) {
        await db.query('INSERT INTO accounts (id, display_name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [x]);
      }
      people = createConsentManagement(db, now, (sql) => createAuditService(sql, now));
    });
    afterAll(async () => db?.close());

    it('is off by default for every purpose but service, which holds until withdrawn', async () => {
      t = T0;
      const consents = createConsentService(db, now);
      const at = new Date(t);
      for (const purpose of BASE_PURPOSES.filter((p) => p !== 'service')) {
        for (const category of CONSENT_CATEGORIES) {
          expect(
            await consents.holders({ purpose, category, recipient: 'linkwell', at, accounts: [a, b] }),
          ).toEqual([]);
        }
      }
      expect(
        await consents.holders({
          purpose: 'service',
          category: 'health',
          recipient: 'linkwell',
          at,
          accounts: [b, a],
        }),
      ).toEqual([a, b].sort());
      await expect(
        consents.holders({ purpose: 'service', category: 'health', recipient: 'linkwell', at }),
      ).rejects.toThrow('service consent is on by default');
      const overview = await people.overview(a);
      expect(overview.consents).toHaveLength(BASE_PURPOSES.length * CONSENT_CATEGORIES.length);
      expect(
        overview.consents.find((x) => x.purpose === 'marketing' && x.category === 'usage'),
      ).toMatchObject({
        granted: false,
        state: 'default_off',
      });
      expect(overview.consents.find((x) => x.purpose === 'service')).toMatchObject({
        granted: true,
        state: 'default_on',
      });
    });

    it('grants, withdraws and expires: holders() follows the latest decision at the time asked', async () => {
      const consents = createConsentService(db, now);
      const q = { ...marketing, accounts: [a, b, c] };
      t = T0 + HOUR;
      await people.grant(a, { ...marketing, ...shown('marketing'), channel: 'console' }, ORIGIN);
      await people.grant(b, { ...marketing, ...shown('marketing', 'zh-CN'), channel: 'api' }, ORIGIN);
      await people.grant(
        c,
        {
          ...marketing,
          ...shown('marketing'),
          channel: 'cli',
          expires_at: new Date(T0 + 3 * HOUR).toISOString(),
        },
        ORIGIN,
      );
      t = T0 + 2 * HOUR;
      expect(await consents.holders({ ...q, at: new Date(t) })).toEqual([a, b, c].sort());
      // All accounts when none are named (only this run's accounts hold marketing here).
      const all = await consents.holders({ ...marketing, at: new Date(t) });
      expect(all.filter((x) => [a, b, c, d].includes(x))).toEqual([a, b, c].sort());
      const withdrawn = await people.withdraw(b, marketing, 'console', ORIGIN);
      expect(withdrawn).toMatchObject({ recorded: true, consent: { granted: false, state: 'withdrawn' } });
      // Withdrawing again records nothing.
      expect(await people.withdraw(b, marketing, 'console', ORIGIN)).toMatchObject({ recorded: false });
      expect(await consents.holders({ ...q, at: new Date(t) })).toEqual([a, c].sort());
      // Before the withdrawal, b still held it; before any grant, nobody did.
      expect(await consents.holders({ ...q, at: new Date(T0 + 90 * 60_000) })).toEqual([a, b, c].sort());
      expect(await consents.holders({ ...q, at: new Date(T0) })).toEqual([]);
      // c's grant expires at T0 + 3 h: expired means no consent.
      expect(await consents.holders({ ...q, at: new Date(T0 + 3 * HOUR) })).toEqual([a]);
      t = T0 + 4 * HOUR;
      const overview = await people.overview(c);
      expect(
        overview.consents.find((x) => x.purpose === 'marketing' && x.category === 'usage'),
      ).toMatchObject({
        granted: false,
        state: 'expired',
        text_version: shown('marketing').text_version,
      });
      // Other categories and recipients are separate keys.
      expect(await consents.holders({ ...q, category: 'contact', at: new Date(t) })).toEqual([]);
      expect(await consents.holders({ ...q, recipient: 'acme', at: new Date(t) })).toEqual([]);
      expect(await consents.holders({ ...q, accounts: [], at: new Date(t) })).toEqual([]);
    });

    it('refuses a grant naming an old or unknown text version, or a hash of another text', async () => {
      const refused = async (body: Record<string, string>) => {
        try {
          await people.grant(d, { ...marketing, channel: 'console', ...shown('marketing'), ...body }, ORIGIN);
        } catch (e) {
          return (e as { code: string }).code;
        }
        return 'granted';
      };
      expect(await refused({ text_version: '2026-11-01' })).toBe('API_ERR_CONSENT_TEXT_OUTDATED');
      expect(await refused({ text_version: '1999-01-01' })).toBe('API_ERR_CONSENT_TEXT_UNKNOWN');
      expect(await refused({ text_sha256: shown('research').text_sha256 })).toBe(
        'API_ERR_CONSENT_TEXT_MISMATCH',
      );
      expect(await refused({ text_sha256: 'f'.repeat(64) })).toBe('API_ERR_CONSENT_TEXT_MISMATCH');
      expect(await refused({ purpose: 'share:acme', recipient: 'acme' })).toBe(
        'API_ERR_CONSENT_TEXT_MISMATCH',
      );
      expect(await refused({ purpose: 'share:acme', recipient: 'linkwell', ...shown('share:acme') })).toBe(
        'API_ERR_CONSENT_BAD_RECIPIENT',
      );
      expect(await refused({ purpose: 'spam' })).toBe('API_ERR_CONSENT_UNKNOWN_PURPOSE');
      expect(await refused({ purpose: 'share:Bad Slug' })).toBe('API_ERR_CONSENT_BAD_PARTNER');
      expect(await refused({ recipient: '-x' })).toBe('API_ERR_CONSENT_BAD_PARTNER');
      expect(await refused({ category: 'location' })).toBe('API_ERR_CONSENT_UNKNOWN_CATEGORY');
      expect(await refused({ channel: 'fax' })).toBe('API_ERR_CONSENT_BAD_CHANNEL');
      expect(await refused({ expires_at: new Date(t - 1).toISOString() })).toBe('API_ERR_CONSENT_BAD_EXPIRY');
      // Nothing refused left a record.
      expect(await people.history(d, { limit: 50 })).toEqual([]);
      expect(await refused({ purpose: 'share:acme', recipient: 'acme', ...shown('share:acme') })).toBe(
        'granted',
      );
    });

    it('keeps every decision: history is append-only and the table refuses updates', async () => {
      t = T0 + 5 * HOUR;
      await people.grant(a, { ...marketing, ...shown('marketing'), channel: 'console' }, ORIGIN);
      const history = await people.history(a, { limit: 50 });
      expect(history.map((h) => h.kind)).toEqual(['grant', 'grant']);
      t = T0 + 6 * HOUR;
      await people.withdraw(a, marketing, 'api', ORIGIN);
      const after = await people.history(a, { limit: 50 });
      expect(after.map((h) => [h.kind, h.channel])).toEqual([
        ['withdrawal', 'api'],
        ['grant', 'console'],
        ['grant', 'console'],
      ]);
      // The earlier records are unchanged, word for word.
      expect(after.slice(1)).toEqual(history);
      expect(after[2]).toMatchObject({ text_locale: 'en', text_sha256: shown('marketing').text_sha256 });
      const page = await people.history(a, { limit: 1, before: after[0]!.id });
      expect(page).toEqual([after[1]]);
      await expect(
        db.query(`UPDATE consent_records SET kind = 'grant' WHERE account_id = $1`, [a]),
      ).rejects.toThrow('append-only');
      const audit = await createAuditService(db, now).list(a, { limit: 10 });
      expect(audit.map((x) => x.action).slice(0, 2)).toEqual(['consent_withdraw', 'consent_grant']);
      expect(audit[0]!.details).toEqual({ ...marketing, channel: 'api' });
    });

    it('pages changes() oldest first, with expiries as withdrawals, and resumes where it stopped', async () => {
      const consents = createConsentService(db, now);
      // Drain what earlier tests wrote (the PostgreSQL server is shared by nothing else here).
      let position: string | null = null;
      for (;;) {
        const page = await consents.changes(position, 100);
        position = page.position;
        if (page.changes.length === 0) break;
      }
      const from = position;
      t = T0 + 10 * HOUR;
      const research = { purpose: 'research', category: 'health', recipient: 'linkwell' };
      await people.grant(
        a,
        {
          ...research,
          ...shown('research'),
          channel: 'console',
          expires_at: new Date(t + HOUR).toISOString(),
        },
        ORIGIN,
      );
      await people.grant(b, { ...research, ...shown('research'), channel: 'console' }, ORIGIN);
      t += 30 * 60_000;
      await people.withdraw(b, research, 'console', ORIGIN);
      // c's grant expires, then c grants again before anyone reads: that expiry never reads as a withdrawal.
      await people.grant(
        c,
        {
          ...research,
          ...shown('research'),
          channel: 'console',
          expires_at: new Date(t + 60_000).toISOString(),
        },
        ORIGIN,
      );
      t += 2 * HOUR;
      await people.grant(c, { ...research, ...shown('research'), channel: 'console' }, ORIGIN);

      const seen: { accountId: string; granted: boolean; at: number }[] = [];
      let pages = 0;
      for (;;) {
        const page = await consents.changes(position, 2);
        expect(page.changes.length).toBeLessThanOrEqual(2);
        if (page.changes.length === 0) {
          expect(page.position).toBe(position);
          break;
        }
        pages += 1;
        position = page.position;
        seen.push(
          ...page.changes
            .filter((x) => x.purpose === 'research')
            .map((x) => ({ accountId: x.accountId, granted: x.granted, at: x.at.getTime() })),
        );
      }
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(seen).toEqual([
        { accountId: a, granted: true, at: T0 + 10 * HOUR },
        { accountId: b, granted: true, at: T0 + 10 * HOUR },
        { accountId: b, granted: false, at: T0 + 10.5 * HOUR },
        { accountId: c, granted: true, at: T0 + 10.5 * HOUR },
        { accountId: c, granted: true, at: T0 + 12.5 * HOUR },
        // a's expiry, marked when changes() was read after it.
        { accountId: a, granted: false, at: T0 + 11 * HOUR },
      ]);
      // Read again from the same start: the same changes, and the expiry marked once.
      const again = await consents.changes(from, 100);
      expect(
        again.changes.filter((x) => x.purpose === 'research').map((x) => [x.accountId, x.granted]),
      ).toEqual(seen.map((x) => [x.accountId, x.granted]));
      expect((await people.history(a, { limit: 50 })).filter((h) => h.kind === 'expiry')).toHaveLength(1);
      await expect(consents.changes('not-a-position', 10)).rejects.toThrow('not a position');
    });

    it('records both of two racing grants of one key, and the later sequence number wins in state and feed', async () => {
      const consents = createConsentService(db, now);
      const head = await consents.changes(null, 1_000_000);
      t = T0 + 20 * HOUR;
      const care = { purpose: 'care_programme', category: 'contact', recipient: 'linkwell' };
      const expiries = [t + 5 * HOUR, t + 7 * HOUR];
      const others = Array.from({ length: 6 }, () =>
        createConsentManagement(db, now, (sql) => createAuditService(sql, now)),
      );
      await Promise.all(
        others.map((m, i) =>
          m.grant(
            d,
            {
              ...care,
              ...shown('care_programme'),
              channel: 'api',
              expires_at: new Date(expiries[i % 2]!).toISOString(),
            },
            ORIGIN,
          ),
        ),
      );
      const history = (await people.history(d, { limit: 50 })).filter((h) => h.purpose === 'care_programme');
      expect(history).toHaveLength(6);
      const winner = history[0]!;
      const state = (await people.overview(d)).consents.find(
        (x) => x.purpose === 'care_programme' && x.category === 'contact',
      );
      expect(state?.expires_at).toBe(winner.expires_at);
      const feed = (await consents.changes(head.position, 100)).changes.filter((x) => x.accountId === d);
      expect(feed).toHaveLength(6);
      // The feed's order (transaction, then sequence) agrees with the sequence order the state is decided by.
      const { rows } = await db.query<{ seq: string; tx: string }>(
        `SELECT seq::text AS seq, tx::text AS tx FROM consent_records WHERE account_id = $1 AND purpose = 'care_programme' ORDER BY seq`,
        [d],
      );
      const byTx = [...rows].sort((x, y) =>
        BigInt(x.tx) < BigInt(y.tx) ? -1 : BigInt(x.tx) > BigInt(y.tx) ? 1 : 0,
      );
      expect(byTx).toEqual(rows);
      expect(rows.at(-1)!.seq).toBe(winner.id);
      expect(
        await consents.holders({
          ...care,
          category: 'contact',
          at: new Date(Date.parse(winner.expires_at!) - 1),
          accounts: [d],
        }),
      ).toEqual([d]);
      expect(
        await consents.holders({
          ...care,
          category: 'contact',
          at: new Date(Date.parse(winner.expires_at!)),
          accounts: [d],
        }),
      ).toEqual([]);
    });
  });
}

contract('PGlite', () => openPglite());

describe('on PostgreSQL', () => {
  let server: RunningPostgres;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });
  contract('PostgreSQL', async () => openPostgres(server.url));
});
