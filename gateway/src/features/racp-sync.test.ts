import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, type PulseOximeter, SimHome } from '@linkwell/device-sim';
import {
  type BleCentral,
  decodePlxSpotCheck,
  encodeRacp,
  fromHex,
  type Reading,
  toHex,
} from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { featureHome, T0, until } from '../../test/feature-home.js';
import { createGateway, type Gateway, type GatewayDeps } from '../gateway.js';
import { CURSOR_FILE, MemoryCursorStore } from './cursor-store.js';
import { RacpSync } from './racp-sync.js';
import { rawDateTimeMs } from './time-sync.js';

const OXI = 'D0:00:00:00:00:04';
const OXIMETER = [{ kind: 'pulse-oximeter' as const, address: OXI }];
const nullUplink = { async publishReadings() {}, async publishEvent() {}, async close() {} };

type Synced = { address: string; records: number; stored: number | null };

/** Device time (whole seconds) of each spot-check reading, read back from its raw frame. */
const stampsOf = (rs: Reading[]) =>
  rs.map((r) => rawDateTimeMs(decodePlxSpotCheck(fromHex(r.raw)!).timestamp!));
const stampsIn = (oxi: PulseOximeter) =>
  oxi.records.all().map((r) => Math.floor(r.value.deviceTime / 1000) * 1000);

function takeSpotChecks(oxi: PulseOximeter, clock: ManualClock, n: number): void {
  for (let i = 0; i < n; i++) {
    clock.advance(60_000);
    oxi.spotCheck();
  }
}

/** The oximeter home with history events recorded; spot-checks are the readings from 0x2A5E. */
function oxiHome(opts: Partial<GatewayDeps> & { wrap?: (c: BleCentral) => BleCentral } = {}) {
  const h = featureHome(OXIMETER, opts);
  const oxi = h.home.find('pulse-oximeter') as PulseOximeter;
  const synced: Synced[] = [];
  h.gw.bus.on('device.history_synced', (e) => synced.push(e));
  const spots = () => h.readings.filter((r) => r.char === '2a5e');
  /** What the `sync` command does: a fresh link, which downloads what is new. */
  const reconnect = async () => {
    const d = h.gw.devices.get(OXI)!;
    await h.gw.devices.hold(OXI);
    return () => h.gw.devices.connect(OXI, d.profile);
  };
  return { ...h, oxi, synced, spots, reconnect };
}

describe('RACP history download', () => {
  it('imports all 5 stored spot-checks on first connect, then only the 2 taken while away', async () => {
    const { clock, gw, oxi, synced, spots, reconnect } = oxiHome();
    takeSpotChecks(oxi, clock, 5);
    await gw.start();
    await until(() => synced.length === 1, 'the first download');
    expect(synced[0]).toMatchObject({ address: OXI, records: 5, stored: 5 });
    expect(stampsOf(spots())).toEqual(stampsIn(oxi));
    expect(spots().every((r) => r.quality.includes('history'))).toBe(true);

    const connect = await reconnect();
    takeSpotChecks(oxi, clock, 2);
    await connect();
    await until(() => synced.length === 2, 'the second download');
    expect(synced[1]).toMatchObject({ records: 2, stored: 7 });
    expect(spots()).toHaveLength(7);
    expect(stampsOf(spots())).toEqual(stampsIn(oxi));
    await gw.stop();
  });

  it('relays a spot-check taken while connected at once and does not import its stored copy again', async () => {
    const { clock, gw, oxi, synced, spots, reconnect } = oxiHome();
    takeSpotChecks(oxi, clock, 2);
    await gw.start();
    await until(() => synced.length === 1, 'the first download');
    takeSpotChecks(oxi, clock, 1);
    await until(() => spots().length === 3, 'the live spot-check');
    expect(spots()[2]!.quality).not.toContain('history');

    const connect = await reconnect();
    await connect();
    await until(() => synced.length === 2, 'the second download');
    expect(synced[1]).toMatchObject({ records: 0, stored: 3 });
    expect(spots()).toHaveLength(3);
    await gw.stop();
  });

  it('reports 0 records and relays nothing from an oximeter with an empty memory', async () => {
    const { gw, synced, spots } = oxiHome();
    await gw.start();
    await until(() => synced.length === 1, 'the download');
    expect(synced[0]).toMatchObject({ records: 0, stored: 0 });
    expect(spots()).toEqual([]);
    await gw.stop();
  });

  it('maps an error Response Code to GATEWAY_ERR_HISTORY_SYNC_FAILED, relays nothing and keeps the cursor', async () => {
    const cursors = new MemoryCursorStore();
    const { clock, gw, oxi, of, spots } = oxiHome({ racpSync: { cursors } });
    takeSpotChecks(oxi, clock, 3);
    // The oximeter answers its download with "procedure not completed" (GSS RACP Response Code 0x08).
    const success = toHex(encodeRacp({ opCode: 'response_code', requestOpCode: 1, responseCode: 'success' }));
    oxi.addFrameFilter((r) =>
      r.characteristic === '2a52' && toHex(r.bytes) === success
        ? encodeRacp({ opCode: 'response_code', requestOpCode: 1, responseCode: 'procedure_not_completed' })
        : r.bytes,
    );
    await gw.start();
    await until(() => of('device.feature_failed').length === 1, 'the failure');
    expect(of('device.feature_failed')[0]).toMatchObject({
      address: OXI,
      feature: 'racp-sync',
      code: 'GATEWAY_ERR_HISTORY_SYNC_FAILED',
    });
    expect(of('device.feature_failed')[0]!.message).toContain('procedure_not_completed after 3 record(s)');
    expect(spots()).toEqual([]);
    expect(await cursors.get(OXI)).toBeUndefined();
    expect(gw.devices.get(OXI)?.connected).toBe(true);
    await gw.stop();
  });

  it('gives up after 50 ms without an answer with GATEWAY_ERR_HISTORY_SYNC_FAILED and keeps the link', async () => {
    // A central whose RACP indications never arrive, as when the device never answers.
    const deaf = (c: BleCentral): BleCentral => ({
      scan: (o) => c.scan(o),
      async connect(a) {
        const link = await c.connect(a);
        return Object.assign(Object.create(link) as typeof link, {
          subscribe: (s: string, ch: string, on: (v: Uint8Array) => void) =>
            link.subscribe(s, ch, ch === '2a52' ? () => {} : on),
        });
      },
    });
    const { clock, gw, oxi, of, spots } = oxiHome({ wrap: deaf, racpSync: { responseTimeoutMs: 50 } });
    takeSpotChecks(oxi, clock, 2);
    await gw.start();
    await until(() => of('device.feature_failed').length === 1, 'the failure');
    expect(of('device.feature_failed')[0]).toMatchObject({
      feature: 'racp-sync',
      code: 'GATEWAY_ERR_HISTORY_SYNC_FAILED',
    });
    expect(of('device.feature_failed')[0]!.message).toContain(`${OXI}: no RACP answer within 50 ms`);
    expect(spots()).toEqual([]);
    expect(gw.devices.get(OXI)?.connected).toBe(true);
    await gw.stop();
  });

  it('syncNow downloads on the open link and refuses a device that is not connected', async () => {
    const racp = new RacpSync();
    const { clock, gw, oxi, synced, spots } = oxiHome({ racpSync: racp });
    await gw.start();
    await until(() => synced.length === 1, 'the first download');
    // Taken while the download after connect ran on: indicated live, so this one comes at once.
    takeSpotChecks(oxi, clock, 1);
    await until(() => spots().length === 1, 'the live spot-check');
    expect(await racp.syncNow(OXI.toLowerCase())).toMatchObject({ address: OXI, records: 0, stored: 1 });
    await expect(racp.syncNow('D0:00:00:00:00:99')).rejects.toMatchObject({
      code: 'GATEWAY_ERR_NOT_CONNECTED',
    });
    await gw.stop();
  });
});

describe('RACP cursor across gateway restarts', () => {
  let dir: string | undefined;
  let gw: Gateway | undefined;
  afterEach(async () => {
    await gw?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    gw = undefined;
    dir = undefined;
  });

  function start(home: SimHome, clock: ManualClock, stateDir: string) {
    gw = createGateway({
      id: 'gw_restart',
      central: home.radio(),
      uplink: nullUplink,
      logger: pino({ level: 'silent' }),
      now: () => clock.now(),
      racpSync: { stateDir },
    });
    const spots: Reading[] = [];
    const synced: Synced[] = [];
    gw.bus.on('reading', (r) => r.char === '2a5e' && spots.push(r));
    gw.bus.on('device.history_synced', (e) => synced.push(e));
    return { gw, spots, synced };
  }

  it('imports nothing twice when a new gateway starts with the same state directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-cursor-'));
    const clock = new ManualClock(T0);
    const home = new SimHome({ clock, seed: 11, devices: OXIMETER });
    const oxi = home.find('pulse-oximeter') as PulseOximeter;
    takeSpotChecks(oxi, clock, 4);

    const first = start(home, clock, dir);
    await first.gw.start();
    await until(() => first.synced.length === 1, 'the first download');
    expect(first.spots).toHaveLength(4);
    await first.gw.stop();
    const saved = JSON.parse(await readFile(join(dir, CURSOR_FILE), 'utf8'));
    expect(Object.keys(saved.cursors)).toEqual([OXI]);
    expect(saved.cursors[OXI].t).toBe(stampsIn(oxi)[3]);

    takeSpotChecks(oxi, clock, 1);
    const second = start(home, clock, dir);
    await second.gw.start();
    await until(() => second.synced.length === 1, 'the download after the restart');
    expect(second.synced[0]).toMatchObject({ records: 1, stored: 5 });
    expect(stampsOf(second.spots)).toEqual(stampsIn(oxi).slice(4));
  });
});
