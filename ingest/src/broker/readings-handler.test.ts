import { type ReadingsEnvelope, readingId } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SINGLE_OWNER } from '../attribution/attribution.js';
import { createAttributor } from '../attribution/attributor.js';
import type { InboxEntry } from '../inbox/inbox-store.js';
import { createIngestMetrics } from '../metrics.js';
import type { DeviceAccountResolver } from '../registry/resolver.js';
import { memoryQuarantine } from '../store/quarantine.js';
import { createReadingsHandler } from './readings-handler.js';

const KNOWN = 'D0:00:00:00:00:01';
const OWNER = ',attr_confidence=1,attr_method="single-owner",attr_rule="device-owner"';

// Pure pipeline logic: the registry and the inbox as in-memory fakes (the inbox table is tested against
// PGlite in inbox/inbox-path.test.ts). A resolver without `device` knows no claimed device beyond its map,
// so the attributor never needs the database here.
const noDb = {
  query: async () => {
    throw new Error('not used');
  },
};

function memoryInbox() {
  const held: (InboxEntry & { gw: string })[] = [];
  return {
    held,
    put: async (gw: string, e: readonly InboxEntry[]) => void held.push(...e.map((x) => ({ ...x, gw }))),
  };
}

function handlerDeps(resolver: DeviceAccountResolver) {
  return { resolver, attributor: createAttributor(resolver, noDb), inbox: memoryInbox() };
}

function reading(device: string, bpm: number, t: number) {
  const raw = '0648';
  return {
    id: readingId({ gw: 'gw_a', device, slot: null, metric: 'heart_rate', at: t, raw }),
    device,
    slot: null,
    metric: 'heart_rate',
    char: '2a37',
    t,
    rt: t,
    time_source: 'gateway' as const,
    values: { bpm },
    quality: [],
    raw,
    parser: 'fp/0.1.0',
  };
}

function setup() {
  const lines: string[][] = [];
  const notified: { gw: string; event: Record<string, unknown> }[] = [];
  const quarantine = memoryQuarantine();
  const resolver: DeviceAccountResolver = {
    async resolve(gw, address) {
      return gw === 'gw_a' && address === KNOWN ? OWNED : undefined;
    },
    invalidate() {},
  };
  const deps = handlerDeps(resolver);
  const handle = createReadingsHandler({
    ...deps,
    batcher: { add: async (l) => void lines.push(l) },
    quarantine,
    metrics: createIngestMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
    now: () => 1000,
    notify: (gw, event) => notified.push({ gw, event }),
  });
  return { handle, lines, notified, quarantine, inbox: deps.inbox };
}

const OWNED = { deviceId: 'dev_1', accountId: 'acct_1', attr: SINGLE_OWNER };

const env = (readings: ReturnType<typeof reading>[], gw = 'gw_a'): Buffer =>
  Buffer.from(JSON.stringify({ v: 1, gw, seq: 3, sent_at: 5, readings } satisfies ReadingsEnvelope));

describe('readings handler', () => {
  it('writes a known device reading under the registry account, not anything from the payload', async () => {
    const { handle, lines, quarantine } = setup();
    await handle('gw_a', 'lw/v1/gw/gw_a/readings', env([reading(KNOWN, 72, 1_700_000_000_000)]));
    expect(lines).toEqual([[`heart_rate,account=acct_1,device=dev_1 bpm=72${OWNER} 1700000000000`]]);
    expect(quarantine.entries).toEqual([]);
  });

  it('dead-letters invalid JSON with INGEST_ERR_INVALID_PAYLOAD and tells the gateway', async () => {
    const { handle, lines, quarantine, notified } = setup();
    await handle('gw_a', 'lw/v1/gw/gw_a/readings', Buffer.from('{"v":1,'));
    expect(lines).toEqual([]);
    expect(quarantine.entries).toMatchObject([
      { kind: 'dead', code: 'INGEST_ERR_INVALID_PAYLOAD', payload: '{"v":1,' },
    ]);
    expect(notified).toMatchObject([
      {
        gw: 'gw_a',
        event: {
          type: 'ingest.payload_rejected',
          code: 'INGEST_ERR_INVALID_PAYLOAD',
          cause: 'PROTO_ERR_INVALID_JSON',
        },
      },
    ]);
  });

  it('dead-letters an envelope naming another gateway with INGEST_ERR_GATEWAY_MISMATCH', async () => {
    const { handle, lines, quarantine } = setup();
    await handle('gw_a', 'lw/v1/gw/gw_a/readings', env([reading(KNOWN, 72, 1)], 'gw_b'));
    expect(lines).toEqual([]);
    expect(quarantine.entries.map((e) => e.code)).toEqual(['INGEST_ERR_GATEWAY_MISMATCH']);
  });

  it('holds an unclaimed device reading and dead-letters a 400 bpm one, writing only the good one', async () => {
    const { handle, lines, quarantine, notified, inbox } = setup();
    const unknown = reading('AA:BB:CC:DD:EE:FF', 70, 2);
    const implausible = reading(KNOWN, 400, 3);
    await handle('gw_a', 'lw/v1/gw/gw_a/readings', env([unknown, implausible, reading(KNOWN, 60, 4)]));
    expect(lines).toEqual([[`heart_rate,account=acct_1,device=dev_1 bpm=60${OWNER} 4`]]);
    expect(quarantine.entries.map((e) => [e.kind, e.code])).toEqual([
      ['dead', 'INGEST_ERR_IMPLAUSIBLE_VALUE'],
    ]);
    expect(inbox.held).toMatchObject([
      { gw: 'gw_a', reading: unknown, reason: 'unknown_device', deviceId: null, hint: [], receivedAt: 1000 },
    ]);
    expect(notified[0]?.event).toMatchObject({
      type: 'ingest.readings_not_stored',
      readings: [
        { id: implausible.id, code: 'INGEST_ERR_IMPLAUSIBLE_VALUE' },
        {
          id: unknown.id,
          code: 'INGEST_ERR_UNKNOWN_DEVICE',
          message: "AA:BB:CC:DD:EE:FF is not claimed by gw_a's household",
        },
      ],
    });
  });

  it('rejects (so the PUBACK is withheld) when the write fails', async () => {
    const { quarantine } = setup();
    const handle = createReadingsHandler({
      ...handlerDeps({ resolve: async () => ({ deviceId: 'd', accountId: 'a' }), invalidate() {} }),
      batcher: { add: async () => Promise.reject(new Error('influx down')) },
      quarantine,
      metrics: createIngestMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      now: () => 0,
      notify: () => {},
    });
    await expect(handle('gw_a', 't', env([reading(KNOWN, 72, 1)]))).rejects.toThrow('influx down');
  });
  it('dead-letters a reading without values rather than writing a point InfluxDB cannot store', async () => {
    const { handle, lines, quarantine } = setup();
    // Valid on the wire (values is a record), so only the handler can refuse it.
    const empty = { ...reading(KNOWN, 72, 5), values: {} } as unknown as ReturnType<typeof reading>;
    await handle('gw_a', 'lw/v1/gw/gw_a/readings', env([empty, reading(KNOWN, 61, 6)]));
    expect(lines).toEqual([[`heart_rate,account=acct_1,device=dev_1 bpm=61${OWNER} 6`]]);
    expect(quarantine.entries).toMatchObject([
      { kind: 'dead', code: 'INGEST_ERR_IMPLAUSIBLE_VALUE', message: 'heart_rate reading has no values' },
    ]);
  });

  it('asks the registry once per device in an envelope, and keeps the readings in order', async () => {
    const asked: string[] = [];
    const other = 'D0:00:00:00:00:02';
    const lines: string[][] = [];
    const handle = createReadingsHandler({
      ...handlerDeps({
        async resolve(_gw, address) {
          asked.push(address);
          return { deviceId: address === KNOWN ? 'dev_1' : 'dev_2', accountId: 'acct_1', attr: SINGLE_OWNER };
        },
        invalidate() {},
      }),
      batcher: { add: async (l) => void lines.push(l) },
      quarantine: memoryQuarantine(),
      metrics: createIngestMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      now: () => 0,
      notify: () => {},
    });
    const readings = Array.from({ length: 50 }, (_, i) =>
      reading(i % 2 === 0 ? KNOWN : other, 60 + (i % 30), i),
    );
    await handle('gw_a', 'lw/v1/gw/gw_a/readings', env(readings));
    expect(asked).toEqual([KNOWN, other]);
    expect(lines[0]?.map((l) => l.split(' ')[2])).toEqual(readings.map((r) => String(r.t)));
    expect(lines[0]?.[1]).toBe(`heart_rate,account=acct_1,device=dev_2 bpm=61${OWNER} 1`);
  });
});
