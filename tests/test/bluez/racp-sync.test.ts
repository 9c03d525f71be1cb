import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, PulseOximeter } from '@linkwell/device-sim';
import { decodePlxSpotCheck, fromHex, type Reading } from '@linkwell/firmware-protocol';
import {
  CURSOR_FILE,
  createGateway,
  createNodeBleCentral,
  type Gateway,
  type NodeBleCentral,
  rawDateTimeMs,
} from '@linkwell/gateway';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from './world.js';

const OXI = 'D0:00:00:00:80:01';

/** RACP history download through unmodified node-ble, the real D-Bus and the simulated BlueZ. */
describe('RACP history sync through node-ble and the simulated BlueZ', () => {
  let world: World | undefined;
  let central: NodeBleCentral | undefined;
  let gateway: Gateway | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await gateway?.stop();
    await central?.close();
    await world?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    gateway = undefined;
    central = undefined;
    world = undefined;
    dir = undefined;
  });

  it('delivers each stored spot-check once: 3 on the first link, only the 2 new ones after a reconnect', async () => {
    const clock = new ManualClock(Date.UTC(2026, 3, 2, 7));
    const oxi = new PulseOximeter({ address: OXI, seed: 21, clock });
    const take = (n: number) => {
      for (let i = 0; i < n; i++) {
        clock.advance(60_000);
        oxi.spotCheck();
      }
    };
    take(3);
    world = await startWorld([oxi]);
    dir = await mkdtemp(join(tmpdir(), 'lw-racp-bluez-'));
    central = await createNodeBleCentral({ timeouts: { discoverMs: 1500, operationMs: 1500 } });
    gateway = createGateway({
      id: 'gw_racp',
      central,
      uplink: { async publishReadings() {}, async publishEvent() {}, async close() {} },
      logger: pino({ level: 'silent' }),
      racpSync: { stateDir: dir },
    });
    const spots: Reading[] = [];
    const synced: { records: number; stored: number | null }[] = [];
    const failed: unknown[] = [];
    gateway.bus.on('reading', (r) => r.char === '2a5e' && spots.push(r));
    gateway.bus.on('device.history_synced', (e) => synced.push(e));
    gateway.bus.on('device.feature_failed', (e) => failed.push(e));

    await gateway.start();
    await eventually('the first download', () => synced[0], 15_000);
    expect(synced[0]).toMatchObject({ records: 3, stored: 3 });

    const profile = gateway.devices.get(OXI)!.profile;
    await gateway.devices.hold(OXI);
    take(2);
    await gateway.devices.connect(OXI, profile);
    await eventually('the second download', () => synced[1], 15_000);
    expect(synced[1]).toMatchObject({ records: 2, stored: 5 });

    expect(failed).toEqual([]);
    const stamps = spots.map((r) => rawDateTimeMs(decodePlxSpotCheck(fromHex(r.raw)!).timestamp!));
    expect(stamps).toEqual(oxi.records.all().map((r) => Math.floor(r.value.deviceTime / 1000) * 1000));
    expect(new Set(spots.map((r) => r.id)).size).toBe(5);
    const saved = JSON.parse(await readFile(join(dir, CURSOR_FILE), 'utf8'));
    expect(saved.cursors[OXI].t).toBe(stamps[4]);
  });
});
