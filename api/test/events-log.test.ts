import { deflateRawSync, zstdCompressSync } from 'node:zlib';
import { type RunningPostgres, startPostgres } from '@linkwell/tests/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, migrate, openPglite, openPostgres } from '../src/index.js';
import {
  createEventsService,
  type NewEvent,
  pointEventId,
  relayOnce,
  startEventRelay,
} from '../src/modules/events/index.js';

const T = Date.parse('2026-12-01T08:00:00Z');
const ev = (id: string, account: string, extra: Partial<NewEvent> = {}): NewEvent => ({
  id,
  type: 'reading.created',
  accountId: account,
  metric: 'heart_rate',
  deviceId: 'dev_1',
  occurredAt: T,
  data: { values: { bpm: 60 } },
  ...extra,
});

function contract(name: string, open: () => Promise<Database>) {
  describe(`event log on ${name}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await open();
      await migrate(db);
    });
    afterAll(async () => db?.close());

    it('records each id once, reads in order from any cursor, and filters by account, type, metric and time', async () => {
      const events = createEventsService(db, { now: () => T + 5 });
      const start = await events.head();
      expect(await events.append([ev('e1', 'acct_a'), ev('e2', 'acct_b')])).toBe(2);
      // A repeat (a resent reading) adds nothing.
      expect(await events.append([ev('e1', 'acct_a'), ev('e3', 'acct_a', { metric: 'body_weight' })])).toBe(
        1,
      );
      await events.append([
        ev('e4', 'acct_a', { type: 'reading.deleted', occurredAt: T + 60_000 }),
        ev('e5', 'acct_a', { type: 'connection.revoked', metric: null, deviceId: null }),
      ]);
      const all = await events.after(start, {}, 100);
      expect(all.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
      expect(all.events[0]).toMatchObject({ occurredAt: T, createdAt: T + 5, data: { values: { bpm: 60 } } });

      const page1 = await events.after(start, { accounts: ['acct_a'] }, 2);
      expect(page1.events.map((e) => e.id)).toEqual(['e1', 'e3']);
      const page2 = await events.after(page1.next, { accounts: ['acct_a'] }, 2);
      expect(page2.events.map((e) => e.id)).toEqual(['e4', 'e5']);
      const page3 = await events.after(page2.next, { accounts: ['acct_a'] }, 2);
      expect(page3.events).toEqual([]);
      // Nothing new: the cursor stays where it was, so the caller can come back with it.
      expect(page3.next).toBe(page2.next);

      const hr = await events.after(
        start,
        { metrics: ['heart_rate'], types: ['reading.created', 'connection.revoked'] },
        10,
      );
      expect(hr.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e5']);
      const late = await events.after(start, { fromTime: T + 1, toTime: T + 60_001 }, 10);
      expect(late.events.map((e) => e.id)).toEqual(['e4']);
      expect((await events.byIds(['e3', 'nope'])).map((e) => e.id)).toEqual(['e3']);
      // The head is after everything recorded so far.
      expect((await events.after(await events.head(), {}, 10)).events).toEqual([]);
    });

    it('orders by the numbers, not their text: a transaction with a dozen events reads back in sequence', async () => {
      const events = createEventsService(db);
      const start = await events.head();
      // One transaction, so every row shares its tx and only seq orders them; seq crosses a power of ten
      // (9 → 10 …) whatever it starts at, which a text sort would put out of order.
      await db.transaction(async (tx) => {
        for (let i = 0; i < 120; i++)
          await tx.query(
            `INSERT INTO events (event_id, type, account_id, occurred_at, created_at) VALUES ($1, 'reading.created', 'acct_n', now(), now())`,
            [`n${i}`],
          );
      });
      const ids: string[] = [];
      let cursor = start;
      for (;;) {
        const page = await events.after(cursor, { accounts: ['acct_n'] }, 7);
        if (page.events.length === 0) break;
        ids.push(...page.events.map((e) => e.id));
        cursor = page.next;
      }
      expect(ids).toEqual(Array.from({ length: 120 }, (_, i) => `n${i}`));
    });

    it('refuses a cursor it did not make with API_ERR_EVENTS_BAD_CURSOR', async () => {
      const events = createEventsService(db);
      for (const bad of [
        '',
        'abc',
        Buffer.from('c1.1.x').toString('base64url'),
        Buffer.from('c1.01.2').toString('base64url'),
      ])
        await expect(events.after(bad, {}, 1)).rejects.toMatchObject({ code: 'API_ERR_EVENTS_BAD_CURSOR' });
    });

    it('relays ingest outbox rows into events in outbox order, once each, and drops malformed tuples', async () => {
      const events = createEventsService(db);
      const start = await events.head();
      const created = (t: number, account = 'acct_r') => [
        'reading.created',
        'heart_rate',
        account,
        'dev_r',
        t,
        { bpm: 70 },
        ['single-owner', 1, 'device'],
        null,
      ];
      await db.query('INSERT INTO event_outbox (body) VALUES ($1)', [
        JSON.stringify([created(T), created(T + 1)]),
      ]);
      // The same reading again (a resent publish) and a move of the first one to another person.
      await db.query('INSERT INTO event_outbox (body) VALUES ($1)', [JSON.stringify([created(T)])]);
      const cause = 'move:mv_1';
      await db.query('INSERT INTO event_outbox (body) VALUES ($1)', [
        JSON.stringify([
          ['reading.deleted', 'heart_rate', 'acct_r', 'dev_r', T, null, null, cause],
          [
            'reading.created',
            'heart_rate',
            'acct_s',
            'dev_r',
            T,
            { bpm: 70 },
            ['manual', 1, 'reassign'],
            cause,
          ],
          ['not.an.event', 'x', 'y', 'z', 1, null, null, null],
        ]),
      ]);
      await db.query('INSERT INTO event_outbox (body) VALUES ($1)', ['{not json']);
      let pass = await relayOnce(db, T + 10, 2);
      expect(pass).toEqual({ rows: 2, events: 2, malformed: 0 });
      pass = await relayOnce(db, T + 10, 10);
      expect(pass).toEqual({ rows: 2, events: 2, malformed: 2 });
      expect(await relayOnce(db, T + 10)).toEqual({ rows: 0, events: 0, malformed: 0 });
      const log = (await events.after(start, { accounts: ['acct_r', 'acct_s'] }, 10)).events;
      expect(log.map((e) => [e.type, e.accountId, e.occurredAt])).toEqual([
        ['reading.created', 'acct_r', T],
        ['reading.created', 'acct_r', T + 1],
        ['reading.deleted', 'acct_r', T],
        ['reading.created', 'acct_s', T],
      ]);
      expect(log[0]).toMatchObject({
        id: pointEventId(
          'reading.created',
          { account: 'acct_r', device: 'dev_r', metric: 'heart_rate', t: T },
          null,
        ),
        data: { values: { bpm: 70 }, attribution: { method: 'single-owner', confidence: 1, rule: 'device' } },
      });
      expect(log[3]!.data).toMatchObject({ cause, attribution: { method: 'manual' } });
      expect(new Set(log.map((e) => e.id)).size).toBe(4);
    });

    it('reads stored readings from Zstandard rows and from the deflated rows of earlier ingest releases; refuses a row with two bodies', async () => {
      const events = createEventsService(db);
      const start = await events.head();
      const line = (bpm: number, t: number) =>
        `heart_rate,account=acct_z,device=dev_z bpm=${bpm},attr_method="single-owner",attr_confidence=1,attr_rule="device" ${t}`;
      await db.query('INSERT INTO event_outbox (lines_deflated) VALUES ($1)', [
        deflateRawSync(`${line(61, T)}\n${line(62, T + 1)}`),
      ]);
      await db.query('INSERT INTO event_outbox (lines_zstd) VALUES ($1)', [
        zstdCompressSync(line(63, T + 2)),
      ]);
      await expect(
        db.query('INSERT INTO event_outbox (body, lines_zstd) VALUES ($1, $2)', [
          '[]',
          zstdCompressSync('x'),
        ]),
      ).rejects.toThrow(/event_outbox_one_body/);
      expect(await relayOnce(db, T + 10, 10)).toMatchObject({ rows: 2, events: 3, malformed: 0 });
      const log = (await events.after(start, { accounts: ['acct_z'] }, 10)).events;
      expect(log.map((e) => [e.occurredAt, e.data.values])).toEqual([
        [T, { bpm: 61 }],
        [T + 1, { bpm: 62 }],
        [T + 2, { bpm: 63 }],
      ]);
    });

    it('runs the relay in the background: an outbox row becomes an event without anyone asking', async () => {
      const events = createEventsService(db);
      const start = await events.head();
      const relay = startEventRelay(db, { now: () => T, logger: { warn: () => {} }, intervalMs: 200 });
      try {
        await db.query('INSERT INTO event_outbox (body) VALUES ($1)', [
          JSON.stringify([['reading.created', 'spo2', 'acct_bg', 'dev_bg', T, { spo2: 97 }, null, null]]),
        ]);
        await expect
          .poll(async () => (await events.after(start, { accounts: ['acct_bg'] }, 10)).events.length, {
            timeout: 5000,
          })
          .toBe(1);
      } finally {
        await relay.close();
      }
    });

    it('wakes subscribers when events are recorded, through LISTEN/NOTIFY as well as in-process', async () => {
      const events = createEventsService(db);
      const other = createEventsService(db);
      let woken = 0;
      const stop = events.subscribe(() => woken++);
      await new Promise((r) => setTimeout(r, 100));
      await other.append([ev(`w-${name}`, 'acct_c')]);
      await expect.poll(() => woken, { timeout: 3000 }).toBeGreaterThan(0);
      stop();
    });
  });
}

contract('PGlite', () => openPglite());

describe('event log on PostgreSQL with overlapping writers', () => {
  let server: RunningPostgres;
  let db: Database;
  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  contract('PostgreSQL', async () => openPostgres(server.url));

  it('lets one relay at a time work, so two API processes cannot interleave the log', async () => {
    const other = await openPostgres(server.url);
    try {
      await db.query('INSERT INTO event_outbox (body) VALUES ($1)', [
        JSON.stringify([['reading.created', 'spo2', 'acct_two', 'dev_two', T, { spo2: 96 }, null, null]]),
      ]);
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      // Another process holds the relay lock mid-pass.
      const holder = other.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [0x4c57_4556]);
        await held;
      });
      await new Promise((r) => setTimeout(r, 50));
      expect(await relayOnce(db, T)).toEqual({ rows: 0, events: 0, malformed: 0 });
      release();
      await holder;
      expect((await relayOnce(db, T)).rows).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('never hands out a cursor past a row that commits later with a lower sequence number', async () => {
    const events = createEventsService(db);
    const start = await events.head();
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    // The slow writer takes its sequence number first and commits last.
    const slow = db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO events (event_id, type, account_id, occurred_at, created_at) VALUES ('slow', 'reading.created', 'acct_a', now(), now())`,
      );
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    await events.append([ev('fast', 'acct_a')]);
    const early = await events.after(start, {}, 10);
    // The fast row is committed but sits behind a running transaction: not handed out yet.
    expect(early.events.map((e) => e.id)).toEqual([]);
    release();
    await slow;
    const later = await events.after(early.next, {}, 10);
    expect(later.events.map((e) => e.id).sort()).toEqual(['fast', 'slow']);
  });
});
