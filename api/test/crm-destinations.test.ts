import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.js';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import { createAuditService } from '../src/modules/audit/index.js';
import { createConsentManagement, createConsentService } from '../src/modules/consents/index.js';
import {
  type ContactClaims,
  csvField,
  destinationSecretKey,
  destinationsFor,
  normaliseEmail,
  normalisePhone,
  RETRY_DELAYS_MS,
  TRAITS_BY_NAME,
  toCsv,
  traitsFor,
} from '../src/modules/crm/index.js';
import { AS_OF, load, population } from './crm-segments-fixtures.js';

const N = 600;
const RECIPIENT = 'acme';
const ORIGIN = { ip: null, userAgent: null };
const ids = Array.from({ length: N }, (_, i) => `acct_${String(i).padStart(5, '0')}`);
const idx = (a: string) => Number(a.slice(5));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}

// Person i: a scale owner when i is even (fixture), with the CRM's marketing/usage snapshot unless i ≡ 0 (mod 10).
// Consent to the destination's recipient `acme`: everyone but i ≡ 3 (mod 7), who consented to `other` instead.
const mismatched = (i: number) => i % 7 === 3;
const crmConsent = (i: number) => i % 10 !== 0;
const scaleOwner = (i: number) => i % 2 === 0;
const email = (i: number) => (i % 11 === 5 ? null : `  User${i}@Example.COM `);
const phone = (i: number) => (i % 2 === 0 ? `+44 20 7946 ${String(i).padStart(4, '0')}` : null);

async function grant(
  db: Database,
  accounts: readonly string[],
  purpose: string,
  category: string,
  recipient: string,
) {
  for (let s = 0; s < accounts.length; s += 200) {
    const chunk = accounts.slice(s, s + 200);
    await db.query(
      `INSERT INTO consent_records (account_id, purpose, category, recipient, kind, at, channel, text_version,
         text_locale, text_sha256)
       SELECT a, $2, $3, $4, 'grant', $5, 'import', 'v1', 'en', $6 FROM unnest($1::text[]) AS a`,
      [chunk, purpose, category, recipient, new Date(AS_OF - 86_400_000).toISOString(), sha('text')],
    );
  }
}

/** A Standard Webhooks receiver: verifies every message with the `standardwebhooks` package. */
async function receiver(secret: () => string) {
  const got: { type: string; data: { person: string; traits?: Record<string, unknown> } }[] = [];
  let failNext = 0;
  let refusedSignatures = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(500).end();
        return;
      }
      try {
        const msg = new Webhook(secret()).verify(
          body,
          req.headers as Record<string, string>,
        ) as (typeof got)[0];
        got.push(msg);
        res.writeHead(204).end();
      } catch {
        refusedSignatures++;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    failNextOnes: (n: number) => {
      failNext = n;
    },
    refused: () => refusedSignatures,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function contract(name: string, open: () => Promise<Database>) {
  describe(`CRM destinations on ${name}`, () => {
    let db: Database;
    let clock = AS_OF;
    const now = () => clock;
    let dst: ReturnType<typeof destinationsFor>;
    const contacts = async (accounts: readonly string[]) =>
      new Map<string, ContactClaims>(
        accounts.map((a) => {
          const i = idx(a);
          return [a, { emails: email(i) ? [email(i)!] : [], phones: phone(i) ? [phone(i)!] : [] }];
        }),
      );
    const subjectOf = (clientId: string, accountId: string) =>
      createHash('sha256').update(`${clientId}|${accountId}`).digest('base64url');
    const subjectFor = async (clientId: string, accountId: string) => subjectOf(clientId, accountId);
    const eligible = (extra: (i: number) => boolean = () => true) =>
      ids.filter((a) => {
        const i = idx(a);
        return scaleOwner(i) && crmConsent(i) && !mismatched(i) && extra(i);
      });
    const scaleRule = { kind: 'trait', field: 'owns_scale', op: '=', value: true };
    const healthRule = { kind: 'trait', field: 'bp_adherence_7d', op: '>=', value: 0 };

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      await db.query('INSERT INTO accounts (id, display_name) SELECT a, a FROM unnest($1::text[]) AS a', [
        ids,
      ]);
      await load(db, population(N));
      const toAcme = ids.filter((a) => !mismatched(idx(a)));
      await grant(db, toAcme, 'marketing', 'usage', RECIPIENT);
      await grant(db, toAcme, 'marketing', 'contact', RECIPIENT);
      await grant(
        db,
        ids.filter((a) => mismatched(idx(a))),
        'marketing',
        'usage',
        'other',
      );
      await grant(
        db,
        ids.filter((a) => mismatched(idx(a))),
        'marketing',
        'contact',
        'other',
      );
      await grant(
        db,
        ids.filter((a) => crmConsent(idx(a))),
        'marketing',
        'usage',
        'linkwell',
      );
      dst = destinationsFor(db, {
        consents: createConsentService(db, now),
        contacts,
        subjectsFor: async (clientId: string) => (accountId: string) => subjectOf(clientId, accountId),
        now,
        secretKey: destinationSecretKey(randomBytes(32)),
        allowLoopback: true,
      });
    });
    afterAll(async () => db?.close());

    it('refuses bad declarations with coded errors, health on ads at creation among them', async () => {
      const org = 'org_decl';
      const base = { name: 'x', kind: 'ads', recipient: RECIPIENT };
      expect(await codeOf(dst.service.create(org, { ...base, sensitivities: ['usage', 'health'] }))).toBe(
        'API_ERR_CRM_HEALTH_TO_ADS',
      );
      expect(
        await codeOf(dst.service.create(org, { ...base, kind: 'hashed_csv', sensitivities: ['health'] })),
      ).toBe('API_ERR_CRM_HEALTH_TO_ADS');
      expect(
        await codeOf(
          dst.service.create(org, {
            ...base,
            kind: 'webhook',
            url: 'https://example.com',
            sensitivities: ['health'],
          }),
        ),
      ).toBe('API_ERR_CRM_DESTINATION_INVALID');
      expect(await codeOf(dst.service.create(org, { ...base, kind: 'crm' }))).toBe(
        'API_ERR_CRM_DESTINATION_INVALID',
      );
      expect(await codeOf(dst.service.create(org, { ...base, recipient: 'Acme Corp' }))).toBe(
        'API_ERR_CRM_DESTINATION_INVALID',
      );
      expect(await codeOf(dst.service.create(org, { ...base, purposes: ['spam'] }))).toBe(
        'API_ERR_CRM_DESTINATION_INVALID',
      );
      expect(await codeOf(dst.service.create(org, { ...base, k: 99 }))).toBe('API_ERR_CRM_BAD_K');
      expect(await codeOf(dst.service.create(org, { ...base, k: 150.5 }))).toBe('API_ERR_CRM_BAD_K');
      expect(await codeOf(dst.service.create(org, { ...base, kind: 'profile_api' }))).toBe(
        'API_ERR_CRM_DESTINATION_INVALID',
      );
      for (const url of [
        'https://10.0.0.7/x',
        'http://example.com/x',
        'https://[fe80::1]/',
        'https://u:p@127.0.0.1/',
        'https://[::ffff:10.0.0.1]/',
        'https://100.64.1.1/',
        'ftp://93.184.215.14/',
        'not a url',
      ])
        expect(await codeOf(dst.service.create(org, { ...base, kind: 'webhook', url }))).toBe(
          'API_ERR_CRM_WEBHOOK_URL',
        );
      const ok = await dst.service.create(org, { ...base, k: 250 });
      expect(ok).toMatchObject({
        kind: 'ads',
        k: 250,
        purposes: ['marketing'],
        sensitivities: ['none', 'usage'],
      });
      expect(await codeOf(dst.service.create(org, base))).toBe('API_ERR_CRM_DESTINATION_NAME_TAKEN');
      expect(await codeOf(dst.service.get('org_other', ok.id))).toBe('API_ERR_CRM_DESTINATION_NOT_FOUND');
      expect(await codeOf(dst.service.sync(org, ok.id))).toBe('API_ERR_CRM_DESTINATION_NO_SEGMENT');
      await dst.service.remove(org, ok.id);
      expect(await codeOf(dst.service.remove(org, ok.id))).toBe('API_ERR_CRM_DESTINATION_NOT_FOUND');
    });

    it('a health trait never reaches an ads destination, whatever the segment', async () => {
      const org = 'org_ads';
      for (const kind of ['ads', 'hashed_csv'] as const) {
        const sent = traitsFor({
          kind,
          purposes: ['marketing', 'care_programme'],
          sensitivities: ['none', 'usage', 'health'],
        });
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.filter((t) => t.sensitivity === 'health')).toEqual([]);
      }
      const seg = dst.segments;
      const usage = await seg.create(org, { name: 'scale owners', rule: scaleRule });
      const health = await seg.create(org, { name: 'adherent', rule: healthRule });
      const nested = await seg.create(org, { name: 'nested', rule: { kind: 'segment', id: health.id } });
      const mixed = await seg.create(org, {
        name: 'mixed',
        rule: { kind: 'or', rules: [scaleRule, { kind: 'not', rule: healthRule }] },
      });
      const careHealth = await seg.create(org, { name: 'care', rule: healthRule, purpose: 'care_programme' });
      const ads = await dst.service.create(org, { name: 'ads', kind: 'ads', recipient: RECIPIENT });
      for (const s of [health, nested, mixed, careHealth]) {
        expect(await codeOf(dst.service.attach(org, ads.id, s.id))).toBe('API_ERR_CRM_HEALTH_TO_ADS');
        expect(
          await codeOf(
            dst.service.create(org, {
              name: `ads ${s.id}`,
              kind: 'ads',
              recipient: RECIPIENT,
              segments: [s.id],
            }),
          ),
        ).toBe('API_ERR_CRM_HEALTH_TO_ADS');
      }
      await dst.service.attach(org, ads.id, usage.id);
      const r = await dst.service.sync(org, ads.id);
      expect(r.members).toBe(eligible().length);
      const file = await dst.service.latestCsv(org, ads.id);
      const header = file.csv.split('\r\n')[0]!.split(',');
      expect(header.slice(0, 2)).toEqual(['email_sha256', 'phone_sha256']);
      for (const col of header.slice(2)) expect(TRAITS_BY_NAME.get(col)?.sensitivity).not.toBe('health');
      expect(header).not.toContain('bp_adherence_7d');

      // A health segment slipped in behind the service's back (or a declaration edited in the table) is refused
      // again at sync, logged, and nothing new leaves.
      await db.query('INSERT INTO crm_destination_segments (destination_id, segment_id) VALUES ($1, $2)', [
        ads.id,
        health.id,
      ]);
      expect(await codeOf(dst.service.sync(org, ads.id))).toBe('API_ERR_CRM_HEALTH_TO_ADS');
      await db.query('DELETE FROM crm_destination_segments WHERE segment_id = $1', [health.id]);
      await db.query(
        `UPDATE crm_destinations SET sensitivities = '["none","usage","health"]' WHERE destination_id = $1`,
        [ads.id],
      );
      expect(await codeOf(dst.service.sync(org, ads.id))).toBe('API_ERR_CRM_HEALTH_TO_ADS');
      const log = await dst.service.syncLog(org, ads.id);
      expect(log.slice(0, 2).map((l) => l.refused)).toEqual([
        'API_ERR_CRM_HEALTH_TO_ADS',
        'API_ERR_CRM_HEALTH_TO_ADS',
      ]);
      expect((await dst.service.latestCsv(org, ads.id)).csv).toBe(file.csv);
    });

    it('exports a hashed CSV of the eligible people only: normalised identifiers, header row, recipient mismatch excluded', async () => {
      const org = 'org_csv';
      const s = await dst.segments.create(org, { name: 'scale owners', rule: scaleRule });
      const d = await dst.service.create(org, {
        name: 'csv',
        kind: 'hashed_csv',
        recipient: RECIPIENT,
        segments: [s.id],
      });
      const r = await dst.service.sync(org, d.id);
      const want = eligible();
      expect(r).toMatchObject({ entered: want.length, exited: 0, members: want.length, refused: null });
      const held = [...(await dst.repo.members(d.id)).keys()].sort();
      expect(held).toEqual(want);
      // The recipient-mismatched scale owners (consent to `other`, not `acme`) are members of the segment but not held.
      const mism = ids.filter((a) => scaleOwner(idx(a)) && crmConsent(idx(a)) && mismatched(idx(a)));
      expect(mism.length).toBeGreaterThan(10);
      for (const a of mism) expect(held).not.toContain(a);

      const { csv, rows } = await dst.service.latestCsv(org, d.id);
      const lines = csv.split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines.length - 2).toBe(rows);
      expect(rows).toBe(want.length);
      const i = idx(want.find((a) => email(idx(a)) !== null && phone(idx(a)) !== null)!);
      const digits = `4420${'7946'}${String(i).padStart(4, '0')}`;
      expect(csv).toContain(`${sha(`user${i}@example.com`)},${sha(digits)},`);
      expect(csv).not.toContain('@');
      // A second sync with nobody changed: nothing entered or exited.
      expect(await dst.service.sync(org, d.id)).toMatchObject({
        entered: 0,
        exited: 0,
        members: want.length,
      });
    });

    it('refuses an export below k with its code, records it, and leaves no file', async () => {
      const org = 'org_k';
      const s = await dst.segments.create(org, { name: 'scale owners', rule: scaleRule });
      const d = await dst.service.create(org, {
        name: 'csv',
        kind: 'hashed_csv',
        recipient: RECIPIENT,
        segments: [s.id],
        k: eligible().length + 1,
      });
      expect(await codeOf(dst.service.sync(org, d.id))).toBe('API_ERR_CRM_BELOW_K');
      const [log] = await dst.service.syncLog(org, d.id);
      expect(log).toMatchObject({ entered: 0, exited: 0, members: 0, refused: 'API_ERR_CRM_BELOW_K' });
      expect(await codeOf(dst.service.latestCsv(org, d.id))).toBe('API_ERR_CRM_NO_FILE');
      expect((await dst.repo.members(d.id)).size).toBe(0);
    });

    it('care_programme takes health traits only for people with explicit care_programme/health consent to it', async () => {
      const org = 'org_care';
      // Everyone is in the CRM's care_programme/health gate; only i ≡ 0 (mod 3) consented to the clinic.
      await db.query(
        `UPDATE crm_profiles SET consents = consents || ARRAY['care_programme/usage', 'care_programme/health']`,
      );
      const all = ids;
      await grant(db, all, 'care_programme', 'usage', 'linkwell');
      await grant(db, all, 'care_programme', 'usage', 'clinic');
      await grant(
        db,
        all.filter((a) => idx(a) % 3 === 0),
        'care_programme',
        'health',
        'clinic',
      );
      const s = await dst.segments.create(org, {
        name: 'adherent',
        rule: healthRule,
        purpose: 'care_programme',
      });
      const d = await dst.service.create(org, {
        name: 'clinic',
        kind: 'care_programme',
        recipient: 'clinic',
        segments: [s.id],
      });
      expect(d.traits).toContain('bp_adherence_7d');
      const r = await dst.service.sync(org, d.id);
      const held = [...(await dst.repo.members(d.id)).keys()];
      expect(held.length).toBe(r.members);
      expect(held.length).toBeGreaterThanOrEqual(100);
      for (const a of held) expect(idx(a) % 3).toBe(0);
    });

    it('withdrawal removes the person from synced destinations within one cycle; the webhook receiver gets the exit', async () => {
      const org = 'org_wd';
      let secret = '';
      const rx = await receiver(() => secret);
      try {
        const s = await dst.segments.create(org, { name: 'scale owners', rule: scaleRule });
        const hook = await dst.service.create(org, {
          name: 'hook',
          kind: 'webhook',
          recipient: RECIPIENT,
          url: rx.url,
          segments: [s.id],
        });
        secret = hook.secret!;
        expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        // At rest the secret is sealed, never stored as issued.
        const { rows } = await db.query<{ secret: string }>(
          'SELECT secret FROM crm_destinations WHERE destination_id = $1',
          [hook.id],
        );
        expect(rows[0]!.secret).toMatch(/^v1\./);
        expect(rows[0]!.secret).not.toContain(secret.slice(6, 20));
        const csv = await dst.service.create(org, {
          name: 'csv',
          kind: 'hashed_csv',
          recipient: RECIPIENT,
          segments: [s.id],
        });
        // Exactly k: after one withdrawal the rest of the sync is refused below k, and the removal still goes.
        const tight = await dst.service.create(org, {
          name: 'tight',
          kind: 'hashed_csv',
          recipient: RECIPIENT,
          segments: [s.id],
          k: eligible().length,
        });
        // The cycle syncs every organisation's destinations (earlier tests' refusals among them); these three pass.
        const first = await dst.service.cycle();
        expect(first.removed).toBe(0);
        for (const d of [hook, csv, tight])
          expect((await dst.service.syncLog(org, d.id))[0]).toMatchObject({
            refused: null,
            members: eligible().length,
          });
        rx.failNextOnes(1);
        await dst.delivery.deliverDue(1000);
        // One failed and waits its backoff (5 s); the rest arrived, signed and verified.
        expect(rx.got.length).toBe(eligible().length - 1);
        clock += 6_000;
        await dst.delivery.deliverDue(1000);
        expect(rx.got.filter((m) => m.type === 'crm.audience.entered').length).toBe(eligible().length);
        expect(rx.refused()).toBe(0);
        const log = await dst.service.deliveries(org, hook.id);
        expect(await codeOf(dst.service.deliveries(org, csv.id))).toBe('API_ERR_CRM_DESTINATION_INVALID');
        expect(log.filter((l) => l.status === 500)).toHaveLength(1);
        expect(log.filter((l) => l.delivered).length).toBe(eligible().length + 1);
        for (const m of rx.got)
          for (const t of Object.keys(m.data.traits ?? {}))
            expect(TRAITS_BY_NAME.get(t)?.sensitivity).not.toBe('health');

        const who = eligible()[3]!;
        const hashOf = sha(normaliseEmail(email(idx(who)) ?? '') ?? 'none');
        expect((await dst.service.latestCsv(org, csv.id)).csv).toContain(hashOf);
        const enteredAs = new Set(rx.got.map((m) => m.data.person));
        clock += 1_000;
        const people = createConsentManagement(db, now, (sql) => createAuditService(sql, now));
        const w = await people.withdraw(
          who,
          { purpose: 'marketing', category: 'usage', recipient: RECIPIENT },
          'console',
          ORIGIN,
        );
        expect(w.recorded).toBe(true);
        clock += 1_000;
        const second = await dst.service.cycle();
        expect(second.removed).toBeGreaterThanOrEqual(3);
        for (const d of [hook, csv, tight]) expect((await dst.repo.members(d.id)).has(who)).toBe(false);
        expect((await dst.service.latestCsv(org, csv.id)).csv).not.toContain(hashOf);
        const [tightLog] = await dst.service.syncLog(org, tight.id);
        expect(tightLog?.refused).toBe('API_ERR_CRM_BELOW_K');
        await dst.delivery.deliverDue(1000);
        const exits = rx.got.filter((m) => m.type === 'crm.audience.exited');
        expect(exits).toHaveLength(1);
        expect(enteredAs.has(exits[0]!.data.person)).toBe(true);
        expect(rx.refused()).toBe(0);
      } finally {
        await rx.close();
      }
    });

    it('retries a failing webhook event on the backoff schedule, logs every attempt, and gives up after the last', async () => {
      const org = 'org_retry';
      const rx = await receiver(() => '');
      try {
        rx.failNextOnes(1_000);
        const hook = await dst.service.create(org, {
          name: 'hook',
          kind: 'webhook',
          recipient: RECIPIENT,
          url: rx.url,
        });
        await db.query(
          `INSERT INTO crm_destination_outbox (event_id, destination_id, type, body, next_at, created_at)
           VALUES ('msg_retry', $1, 'crm.audience.exited', '{}', $2, $2)`,
          [hook.id, new Date(clock).toISOString()],
        );
        const waits: number[] = [];
        for (let attempt = 1; attempt <= 12; attempt++) {
          await dst.delivery.deliverDue(10);
          const { rows } = await db.query<{ next_at: Date | string | null; attempts: number }>(
            `SELECT next_at, attempts FROM crm_destination_outbox WHERE event_id = 'msg_retry'`,
          );
          const next = rows[0]!.next_at;
          if (next === null) break;
          const wait = new Date(next).getTime() - clock;
          waits.push(wait);
          // Not due a moment before its time.
          clock += wait - 1;
          expect(await dst.delivery.deliverDue(10)).toBe(0);
          clock += 1;
        }
        expect(waits).toEqual(RETRY_DELAYS_MS);
        const log = await dst.service.deliveries(org, hook.id);
        expect(log.map((l) => l.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(log.every((l) => l.status === 500 && !l.delivered)).toBe(true);
      } finally {
        await rx.close();
      }
    });

    it('the Profile API answers only the approved client, for subjects it holds, with accepted traits', async () => {
      const org = 'org_api';
      const s = await dst.segments.create(org, { name: 'scale owners', rule: scaleRule });
      const d = await dst.service.create(org, {
        name: 'api',
        kind: 'profile_api',
        recipient: RECIPIENT,
        client_id: 'client_a',
        segments: [s.id],
      });
      // "Sync now" twice at once: one sync at a time per destination, so the people enter once.
      const both = await Promise.all([dst.service.sync(org, d.id), dst.service.sync(org, d.id)]);
      const held = (await dst.repo.members(d.id)).size;
      // Everyone eligible but the person who withdrew in the test before.
      expect(held).toBe(eligible().length - 1);
      expect(both.map((r) => r.entered).sort((a, b) => a - b)).toEqual([0, held]);
      const member = eligible()[0]!;
      const sub = await subjectFor('client_a', member);
      const traits = await dst.service.profileTraits('client_a', sub);
      expect(Object.keys(traits).sort()).toEqual([...d.traits].sort());
      expect(Object.keys(traits).some((t) => TRAITS_BY_NAME.get(t)?.sensitivity === 'health')).toBe(false);
      expect(traits.owns_scale).toBe(true);
      const notFound = 'API_ERR_CRM_PROFILE_NOT_FOUND';
      expect(await codeOf(dst.service.profileTraits('client_b', sub))).toBe(notFound);
      expect(await codeOf(dst.service.profileTraits('client_a', await subjectFor('client_b', member)))).toBe(
        notFound,
      );
      expect(await codeOf(dst.service.profileTraits('client_a', member))).toBe(notFound);
      const outsider = ids.find((a) => mismatched(idx(a)) && scaleOwner(idx(a)))!;
      expect(
        await codeOf(dst.service.profileTraits('client_a', await subjectFor('client_a', outsider))),
      ).toBe(notFound);
    });
  });
}

describe('hashed CSV helpers', () => {
  it('normalises e-mail and E.164 phone numbers', () => {
    expect(normaliseEmail('  Ana.Lee@Example.COM ')).toBe('ana.lee@example.com');
    expect(normaliseEmail('not an email')).toBeNull();
    expect(normalisePhone('+44 (20) 7946-0018')).toBe('442079460018');
    expect(normalisePhone('0044 20 7946 0018')).toBe('442079460018');
    expect(normalisePhone('020 7946 0018')).toBeNull();
    expect(normalisePhone('+1 234')).toBeNull();
  });
  it('writes RFC 4180 fields and defuses formula cells', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    for (const c of ['+1', '-1', '@SUM(A1)', '\tx']) expect(csvField(c).replace(/^"/, '')).toMatch(/^'/);
    expect(csvField(null)).toBe('');
    expect(csvField(3.5)).toBe('3.5');
    expect(csvField(-2)).toBe('-2');
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n');
  });
});

contract('PGlite', openPglite);

describe('with PostgreSQL', () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => pg?.stop());
  contract('PostgreSQL', () => openPostgres(pg.url));
});
