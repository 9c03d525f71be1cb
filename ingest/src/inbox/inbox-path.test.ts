import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrate, openPglite, seedDemoHome } from '@linkwell/api';
import { type Reading, type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAttributor } from '../attribution/attributor.js';
import { createReadingsHandler } from '../broker/readings-handler.js';
import { createIngestMetrics } from '../metrics.js';
import { createRegistryReadModel } from '../registry/read-model.js';
import { memoryQuarantine } from '../store/quarantine.js';
import { inboxId } from './inbox-id.js';
import { InboxStore } from './inbox-store.js';
import { importLegacyHeld } from './legacy-held.js';

const SCALE = 'D0:00:00:00:00:03'; // the demo scale ('slots', 8 slots): slot 1 is acct_demo's
const SHARED = 'E9:00:00:00:00:01'; // claimed below as a shared scale ('weight')

function weight(device: string, slot: number | null, t: number, kg = 75.1): Reading {
  const raw = '02ac3a';
  return {
    id: readingId({ gw: 'gw_demo', device, slot, metric: 'body_weight', at: t, raw }),
    device,
    slot,
    metric: 'body_weight',
    char: '2a9d',
    t,
    rt: t,
    time_source: 'device',
    values: { weight: kg },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

const envelope = (readings: Reading[]) =>
  Buffer.from(
    JSON.stringify({ v: 1, gw: 'gw_demo', seq: 9, sent_at: 1, readings } satisfies ReadingsEnvelope),
  );

/** The readings handler with the real inbox table (PGlite) and the registry read model. */
describe('readings handler with the household inbox and the registry read model', () => {
  let db: Database;
  let metrics: ReturnType<typeof createIngestMetrics>;
  let lines: string[][];
  let events: Record<string, unknown>[];

  const handler = (inbox = new InboxStore(db, { maxPerGateway: 4 })) => {
    const resolver = createRegistryReadModel(db);
    return createReadingsHandler({
      resolver,
      attributor: createAttributor(resolver, db),
      inbox,
      batcher: { add: async (l) => void lines.push(l) },
      quarantine: memoryQuarantine(),
      metrics,
      logger: pino({ level: 'silent' }),
      now: () => 5000,
      notify: (_gw, e) => events.push(e),
    });
  };
  const items = async () =>
    (
      await db.query<{
        id: string;
        device_address: string;
        slot: number | null;
        reason: string;
        hint: unknown;
      }>(
        `SELECT id, device_address, slot, reason, hint FROM inbox_items WHERE state = 'held' ORDER BY measured_at`,
      )
    ).rows;

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
    await db.exec(`
      INSERT INTO devices (id, household_id, address, kind, attribution) VALUES ('dev_shared', 'hh_demo', '${SHARED}', 'scale', 'weight');
    `);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    await db.exec('DELETE FROM inbox_items; DELETE FROM attribution_rules; DELETE FROM member_baselines;');
    metrics = createIngestMetrics(new Registry());
    lines = [];
    events = [];
  });

  it('writes slot 1 with its attribution, and puts slot 2, slot 9 (outside 0..7), an unknown scale and a shared-scale weight in the inbox, each with its reason', async () => {
    const slot2 = weight(SCALE, 2, 2000);
    const slot9 = weight(SCALE, 9, 2500);
    const stranger = weight('E2:00:00:00:00:01', 2, 3000);
    const shared = weight(SHARED, null, 4000, 70);
    await handler()(
      'gw_demo',
      'lw/v1/gw/gw_demo/readings',
      envelope([weight(SCALE, 1, 1000), slot2, slot9, stranger, shared]),
    );
    expect(lines).toEqual([
      [
        'body_weight,account=acct_demo,device=dev_demo_scale slot=1i,weight=75.1,attr_confidence=1,attr_method="uds-user-index",attr_rule="slot-map" 1000',
      ],
    ]);
    expect(await items()).toEqual([
      {
        id: inboxId('gw_demo', slot2.id),
        device_address: SCALE,
        slot: 2,
        reason: 'unassigned_slot',
        hint: [],
      },
      {
        id: inboxId('gw_demo', slot9.id),
        device_address: SCALE,
        slot: 9,
        reason: 'unassigned_slot',
        hint: [],
      },
      {
        id: inboxId('gw_demo', stranger.id),
        device_address: 'E2:00:00:00:00:01',
        slot: 2,
        reason: 'unknown_device',
        hint: [],
      },
      {
        id: inboxId('gw_demo', shared.id),
        device_address: SHARED,
        slot: null,
        reason: 'ambiguous',
        hint: [],
      },
    ]);
    const household = await db.query<{ household_id: string; device_id: string | null }>(
      'SELECT household_id, device_id FROM inbox_items WHERE id = $1',
      [inboxId('gw_demo', slot2.id)],
    );
    expect(household.rows).toEqual([{ household_id: 'hh_demo', device_id: 'dev_demo_scale' }]);
    expect(events).toMatchObject([
      {
        type: 'ingest.readings_not_stored',
        seq: 9,
        readings: [
          { id: slot2.id, code: 'INGEST_ERR_UNASSIGNED_SLOT' },
          {
            id: slot9.id,
            code: 'INGEST_ERR_UNASSIGNED_SLOT',
            message: `${SCALE} user slot 9 is outside the device's slots 0..7`,
          },
          { id: stranger.id, code: 'INGEST_ERR_UNKNOWN_DEVICE' },
          { id: shared.id, code: 'INGEST_ERR_AMBIGUOUS_READING' },
        ],
      },
    ]);
  });

  it('attributes a shared-scale weight by a member rule (weight-proximity, the rule named) and lists candidates when two rules pass', async () => {
    await db.exec(`
      INSERT INTO attribution_rules (id, household_id, account_id, kind, min_kg, max_kg, threshold, created_by, created_at)
        VALUES ('rul_a', 'hh_demo', 'acct_demo', 'weight_range', 60, 80, 0.6, 'acct_demo', now());
    `);
    await handler()('gw_demo', 't', envelope([weight(SHARED, null, 6000, 72.5)]));
    expect(lines).toEqual([
      [
        'body_weight,account=acct_demo,device=dev_shared weight=72.5,attr_confidence=0.88,attr_method="weight-proximity",attr_rule="rule:rul_a weight-range 60-80kg" 6000',
      ],
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(await items()).toEqual([]);

    await db.exec(`
      INSERT INTO accounts (id, display_name) VALUES ('acct_twin', 'Twin') ON CONFLICT DO NOTHING;
      INSERT INTO household_members (household_id, account_id, role) VALUES ('hh_demo', 'acct_twin', 'adult') ON CONFLICT DO NOTHING;
      INSERT INTO attribution_rules (id, household_id, account_id, kind, min_kg, max_kg, threshold, created_by, created_at)
        VALUES ('rul_b', 'hh_demo', 'acct_twin', 'weight_range', 65, 85, 0.6, 'acct_demo', now());
    `);
    const twin = weight(SHARED, null, 7000, 74);
    await handler()('gw_demo', 't', envelope([twin]));
    expect(lines.flat()).toHaveLength(1);
    expect(await items()).toEqual([
      {
        id: inboxId('gw_demo', twin.id),
        device_address: SHARED,
        slot: null,
        reason: 'ambiguous',
        hint: [
          { account: 'acct_twin', confidence: 0.95, rule: 'rule:rul_b weight-range 65-85kg' },
          { account: 'acct_demo', confidence: 0.8, rule: 'rule:rul_a weight-range 60-80kg' },
        ],
      },
    ]);
  });

  it('refuses the publish at the per-gateway bound with INGEST_ERR_HELD_FULL, holding none of it, and takes a resend of held readings', async () => {
    const handle = handler();
    const first = [
      weight(SCALE, 2, 1000),
      weight(SCALE, 2, 2000),
      weight(SCALE, 3, 2000),
      weight(SCALE, 4, 2000),
    ];
    await handle('gw_demo', 't', envelope(first));
    const fifth = weight(SCALE, 2, 3000);
    await expect(handle('gw_demo', 't', envelope([fifth, weight(SCALE, 5, 3000)]))).rejects.toMatchObject({
      code: 'INGEST_ERR_HELD_FULL',
    });
    expect(events.at(-1)).toMatchObject({
      type: 'ingest.readings_refused',
      code: 'INGEST_ERR_HELD_FULL',
      message: 'INGEST_ERR_HELD_FULL: inbox full for gw_demo: 4 of 4 readings held',
      readings: [{ id: fifth.id }, { id: expect.any(String) }],
    });
    expect(await metrics.heldRefused.get()).toMatchObject({ values: [{ value: 2 }] });
    expect(await items()).toHaveLength(4);
    // The gateway resending the same envelope (no PUBACK seen) is not refused: nothing new to hold.
    await handle('gw_demo', 't', envelope(first));
    expect(await items()).toHaveLength(4);
  });

  it('rejects the publish with INGEST_ERR_INBOX_UNAVAILABLE when the inbox cannot commit, so no PUBACK is sent', async () => {
    // A real registry that has gone away: a PGlite instance closed under the store.
    const gone = await openPglite();
    await gone.close();
    const broken = new InboxStore(gone);
    await expect(handler(broken)('gw_demo', 't', envelope([weight(SCALE, 2, 1000)]))).rejects.toMatchObject({
      code: 'INGEST_ERR_INBOX_UNAVAILABLE',
    });
    expect(events).toEqual([]);
  });

  it("imports an earlier release's held.jsonl once: live entries only, torn line skipped, file renamed", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lw-legacy-held-'));
    try {
      const kept = weight(SCALE, 2, 8000);
      const replayed = weight(SCALE, 3, 8000);
      const held = (r: Reading, code: string) =>
        JSON.stringify({
          kind: 'held',
          code,
          message: 'm',
          gw: 'gw_demo',
          topic: 't',
          receivedAt: 7000,
          reading: r,
        });
      await writeFile(
        join(dir, 'held.jsonl'),
        `${[
          held(kept, 'INGEST_ERR_UNASSIGNED_SLOT'),
          held(replayed, 'INGEST_ERR_UNASSIGNED_SLOT'),
          JSON.stringify({ done: [`gw_demo|${replayed.id}`], why: 'replayed', at: 7500 }),
        ].join('\n')}\n{"kind":"held","co`,
      );
      const inbox = new InboxStore(db);
      expect(await importLegacyHeld(dir, (gw, e) => inbox.put(gw, e, { unbounded: true }))).toBe(1);
      expect(await items()).toEqual([
        {
          id: inboxId('gw_demo', kept.id),
          device_address: SCALE,
          slot: 2,
          reason: 'unassigned_slot',
          hint: [],
        },
      ]);
      expect(await readdir(dir)).toEqual(['held.jsonl.imported']);
      expect(await importLegacyHeld(dir, (gw, e) => inbox.put(gw, e))).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
