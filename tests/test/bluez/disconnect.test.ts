import { ManualClock, Wristband } from '@linkwell/device-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { CHR, PROBE_SERVICE, Probe } from './peripherals.js';
import { dbusError, eventually, nodeBleConnect, prop, proxy, startWorld, uuid, type World } from './world.js';

const BAND = 'D0:00:00:00:50:01';
const PROBE = 'D0:00:00:00:50:02';
const path = (a: string) => `/org/bluez/hci0/dev_${a.replaceAll(':', '_')}`;

describe('links ending on the simulated BlueZ', () => {
  let world: World | undefined;
  let clock: ManualClock;
  let band: Wristband;
  let probe: Probe;

  async function start(): Promise<World> {
    clock = new ManualClock(0);
    band = new Wristband({ address: BAND, seed: 3, clock });
    probe = new Probe({ address: PROBE, clock });
    world = await startWorld([band, probe]);
    return world;
  }
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  async function disconnectedReasons(w: World, address: string): Promise<string[]> {
    const reasons: string[] = [];
    (await proxy(w.raw(), path(address), 'org.bluez.Device1')).on('Disconnected', (r: string, m: string) =>
      reasons.push(`${r}: ${m}`),
    );
    await new Promise((r) => setTimeout(r, 50)); // AddMatch travels separately
    return reasons;
  }

  it('turns a supervision timeout into Connected=false, node-ble "disconnect" and Disconnected(Timeout)', async () => {
    const w = await start();
    const ble = await nodeBleConnect(BAND);
    const reasons = await disconnectedReasons(w, BAND);
    const events: boolean[] = [];
    ble.device.on('disconnect', (s) => events.push(s.connected));
    try {
      const battery = await ble.characteristic(uuid('180f'), uuid('2a19'));
      expect([...(await battery.readValue())]).toEqual([100]);
      band.connection!.close('connection timeout');
      await eventually('the disconnect event', () => events[0]);
      expect(events).toEqual([false]);
      expect(await ble.device.isConnected()).toBe(false);
      expect(await prop(w.raw(), path(BAND), 'org.bluez.Device1', 'ServicesResolved')).toBe(false);
      await eventually('the reason', () => reasons[0]);
      expect(reasons).toEqual(['org.bluez.Reason.Timeout: Connection timeout']);
      expect(await dbusError(battery.readValue())).toEqual({
        type: 'org.bluez.Error.Failed',
        text: 'Not connected',
      });
    } finally {
      ble.destroy();
    }
  });

  it('reports Disconnect() as org.bluez.Reason.Local and the device hanging up as org.bluez.Reason.Remote', async () => {
    const w = await start();
    const ble = await nodeBleConnect(BAND);
    const reasons = await disconnectedReasons(w, BAND);
    try {
      await ble.device.disconnect();
      expect(band.connection).toBeUndefined();
      await ble.device.connect();
      band.connection!.close('remote user terminated connection');
      await eventually('two reasons', () => (reasons.length === 2 ? true : undefined));
      expect(reasons).toEqual([
        'org.bluez.Reason.Local: Connection terminated by local host',
        'org.bluez.Reason.Remote: Connection terminated by remote user',
      ]);
    } finally {
      ble.destroy();
    }
  });

  it('fails a read that is in flight when the link times out with Failed "Operation failed"', async () => {
    await start();
    const ble = await nodeBleConnect(PROBE);
    try {
      const label = await ble.characteristic(PROBE_SERVICE, CHR.label);
      probe.stallAfter(0, 6000);
      const read = dbusError(label.readValue());
      await new Promise((r) => setTimeout(r, 100));
      clock.advance(6000);
      expect(await read).toEqual({ type: 'org.bluez.Error.Failed', text: 'Operation failed' });
      expect(await ble.device.isConnected()).toBe(false);
    } finally {
      ble.destroy();
    }
  });

  it('keeps GATT objects across a reconnect and registers the notify session again, as BlueZ does', async () => {
    await start();
    const ble = await nodeBleConnect(BAND);
    try {
      const hrm = await ble.characteristic(uuid('180d'), uuid('2a37'));
      const got: number[][] = [];
      hrm.on('valuechanged', (b: Buffer) => got.push([...b]));
      await hrm.startNotifications();
      band.connection!.close('connection timeout');
      await eventually('the drop', async () => ((await ble.device.isConnected()) ? undefined : true));
      await ble.device.connect();
      expect(band.connection?.cccd('180d', '2a37')).toBe('notify');
      const before = band.sent.length;
      clock.advance(2000);
      await eventually('2 notifications after the reconnect', () => (got.length >= 2 ? true : undefined));
      expect(got).toEqual(band.sent.slice(before).map((s) => [...s.frame]));
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('times out the link of a device that leaves the simulation and removes its (unbonded) object', async () => {
    const w = await start();
    const ble = await nodeBleConnect(PROBE);
    const reasons = await disconnectedReasons(w, PROBE);
    try {
      w.bluez.remove(PROBE);
      await eventually('the reason', () => reasons[0]);
      expect(reasons).toEqual(['org.bluez.Reason.Timeout: Connection timeout']);
      expect((await w.raw().getProxyObject('org.bluez', '/org/bluez/hci0')).nodes).toEqual([path(BAND)]);
    } finally {
      ble.destroy();
    }
  });
});
