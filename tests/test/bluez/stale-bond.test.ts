import { ManualClock, Wristband } from '@linkwell/device-sim';
import { createGateway, createNodeBleCentral, type Gateway, type NodeBleCentral } from '@linkwell/gateway';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from './world.js';

const BAND = 'D0:00:00:00:70:01';

/** A wristband reset after pairing (it lost its bonds) makes BlueZ refuse the next connect; the gateway heals it. */
describe('stale-bond recovery through node-ble and the simulated BlueZ', () => {
  let world: World | undefined;
  let central: NodeBleCentral | undefined;
  let gateway: Gateway | undefined;
  afterEach(async () => {
    await gateway?.stop();
    await central?.close();
    await world?.stop();
    gateway = undefined;
    central = undefined;
    world = undefined;
  });

  it('removes the bond BlueZ kept, pairs again and reconnects when the band forgot it', async () => {
    const band = new Wristband({ address: BAND, seed: 5, clock: new ManualClock(Date.UTC(2026, 3, 2)) });
    world = await startWorld([band]);
    central = await createNodeBleCentral({ timeouts: { discoverMs: 1500, operationMs: 1500 } });
    const events: { type: string; [k: string]: unknown }[] = [];
    gateway = createGateway({
      id: 'gw_stale',
      central,
      uplink: { async publishReadings() {}, async publishEvent() {}, async close() {} },
      logger: pino({ level: 'silent' }),
      reconnect: { initialMs: 50, maxMs: 200 },
    });
    for (const type of ['device.connected', 'device.bond_stale', 'device.bond_recovery'] as const)
      gateway.bus.on(type, (e: object) => events.push({ type, ...e }));
    await gateway.start();
    expect(gateway.devices.get(BAND)?.connected).toBe(true);
    expect(await gateway.devices.pair(BAND)).toBe(true);
    expect(band.hasBond(world.bluez.adapterAddress)).toBe(true);

    band.forgetBonds();
    band.connection?.close('connection timeout');
    await eventually('the recovery', () => events.find((e) => e.type === 'device.bond_recovery'), 20_000);
    expect(events.filter((e) => e.type !== 'device.connected')).toEqual([
      { type: 'device.bond_stale', address: BAND, signature: 'connect refused: authentication failed' },
      { type: 'device.bond_recovery', address: BAND, ok: true },
    ]);
    expect(gateway.devices.get(BAND)?.connected).toBe(true);
    expect(events.filter((e) => e.type === 'device.connected')).toHaveLength(2);
    expect(band.connection?.encrypted).toBe(true);
  });
});
