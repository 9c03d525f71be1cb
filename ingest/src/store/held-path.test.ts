import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrate, openPglite, seedDemoHome } from '@linkwell/api';
import { type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createReadingsHandler } from '../broker/readings-handler.js';
import { createIngestMetrics } from '../metrics.js';
import { createRegistryReadModel } from '../registry/read-model.js';
import { type FileQuarantine, openFileQuarantine } from './quarantine.js';

const SCALE = 'D0:00:00:00:00:03'; // the demo scale: slot 1 is assigned to acct_demo, slot 2 to nobody

function weight(device: string, slot: number | null, t: number) {
  const raw = '02ac3a';
  return {
    id: readingId({ gw: 'gw_demo', device, slot, metric: 'body_weight', at: t, raw }),
    device,
    slot,
    metric: 'body_weight',
    char: '2a9d',
    t,
    rt: t,
    time_source: 'device' as const,
    values: { weight: 75.1 },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

const envelope = (readings: ReturnType<typeof weight>[]) =>
  Buffer.from(
    JSON.stringify({ v: 1, gw: 'gw_demo', seq: 9, sent_at: 1, readings } satisfies ReadingsEnvelope),
  );

describe('readings handler with the held store and the registry read model', () => {
  let db: Database;
  let dir: string;
  let q: FileQuarantine;
  let metrics: ReturnType<typeof createIngestMetrics>;
  let lines: string[][];
  let events: Record<string, unknown>[];

  const handler = () =>
    createReadingsHandler({
      resolver: createRegistryReadModel(db),
      batcher: { add: async (l) => void lines.push(l) },
      quarantine: q,
      metrics,
      logger: pino({ level: 'silent' }),
      now: () => 5000,
      notify: (_gw, e) => events.push(e),
    });

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
  });
  afterAll(async () => {
    await db?.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-held-path-'));
    q = await openFileQuarantine(dir, { held: { maxPerGateway: 2 } });
    metrics = createIngestMetrics(new Registry());
    lines = [];
    events = [];
  });
  afterEach(async () => {
    await q.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes slot 1 of the demo scale and holds slot 2 as INGEST_ERR_UNASSIGNED_SLOT, an unknown scale as UNKNOWN_DEVICE', async () => {
    const slot2 = weight(SCALE, 2, 2000);
    const stranger = weight('E2:00:00:00:00:01', 2, 3000);
    await handler()(
      'gw_demo',
      'lw/v1/gw/gw_demo/readings',
      envelope([weight(SCALE, 1, 1000), slot2, stranger]),
    );
    expect(lines).toEqual([['body_weight,account=acct_demo,device=dev_demo_scale slot=1i,weight=75.1 1000']]);
    expect(q.held.items().map((i) => [i.device, i.slot, i.code])).toEqual([
      [SCALE, 2, 'INGEST_ERR_UNASSIGNED_SLOT'],
      ['E2:00:00:00:00:01', 2, 'INGEST_ERR_UNKNOWN_DEVICE'],
    ]);
    expect(events).toMatchObject([
      {
        type: 'ingest.readings_not_stored',
        seq: 9,
        readings: [
          { id: slot2.id, code: 'INGEST_ERR_UNASSIGNED_SLOT' },
          { id: stranger.id, code: 'INGEST_ERR_UNKNOWN_DEVICE' },
        ],
      },
    ]);
  });

  it('refuses the publish at the per-gateway bound with INGEST_ERR_HELD_FULL and tells the gateway', async () => {
    const handle = handler();
    await handle('gw_demo', 't', envelope([weight(SCALE, 2, 1000), weight(SCALE, 2, 2000)]));
    const third = weight(SCALE, 2, 3000);
    await expect(handle('gw_demo', 't', envelope([third]))).rejects.toMatchObject({
      code: 'INGEST_ERR_HELD_FULL',
    });
    expect(events.at(-1)).toEqual({
      type: 'ingest.readings_refused',
      code: 'INGEST_ERR_HELD_FULL',
      message: 'INGEST_ERR_HELD_FULL: held store full for gw_demo: 2 of 2 readings held',
      seq: 9,
      readings: [{ id: third.id }],
    });
    expect(await metrics.heldRefused.get()).toMatchObject({ values: [{ value: 1 }] });
    expect(q.held.stats().readings).toBe(2);
  });
});
