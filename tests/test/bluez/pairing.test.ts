import { ManualClock } from '@linkwell/device-sim';
import { registerPairingAgent } from '@linkwell/gateway';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_SERVICE, LOCKED_CHR, PasskeyCuff, Probe } from './peripherals.js';
import { dbusError, eventually, nodeBleConnect, prop, proxy, startWorld, uuid, type World } from './world.js';

const CUFF = 'D0:00:00:00:40:01';
const PATH = `/org/bluez/hci0/dev_${CUFF.replaceAll(':', '_')}`;
const DEVICE = 'org.bluez.Device1';

describe('pairing and bonds on the simulated BlueZ', () => {
  let world: World | undefined;
  let cuff: PasskeyCuff;

  async function start(): Promise<World> {
    cuff = new PasskeyCuff({ address: CUFF, clock: new ManualClock(0) });
    world = await startWorld([cuff], { agentTimeoutMs: 2000 });
    return world;
  }
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('refuses a bonded-only read with NotPermitted "Not paired", then reads it after Pair with passkey 123456', async () => {
    const w = await start();
    const asked: string[] = [];
    await registerPairingAgent(w.raw(), {
      passkeyFor: (address) => {
        asked.push(address);
        return '123456';
      },
    });
    const ble = await nodeBleConnect(CUFF);
    try {
      const locked = await ble.characteristic(uuid(LOCK_SERVICE), uuid(LOCKED_CHR));
      expect(await dbusError(locked.readValue())).toEqual({
        type: 'org.bluez.Error.NotPermitted',
        text: 'Not paired',
      });
      await ble.device.pair();
      expect(asked).toEqual([CUFF]);
      expect(await ble.device.isPaired()).toBe(true);
      expect(await prop(w.raw(), PATH, DEVICE, 'Bonded')).toBe(true);
      expect([...(await locked.readValue())]).toEqual([0x07, 0x00]);
      expect(cuff.hasBond('C0:DE:C0:DE:00:01')).toBe(true);

      expect(await dbusError(ble.device.pair())).toEqual({
        type: 'org.bluez.Error.AlreadyExists',
        text: 'Already Exists',
      });
      await ble.device.disconnect();
      await ble.device.connect();
      expect([...(await locked.readValue())]).toEqual([0x07, 0x00]);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('fails Pair with AuthenticationFailed when no agent can enter the passkey, dropping the link', async () => {
    const w = await start();
    const ble = await nodeBleConnect(CUFF);
    const reasons: string[] = [];
    (await proxy(w.raw(), PATH, DEVICE)).on('Disconnected', (reason: string) => reasons.push(reason));
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(await dbusError(ble.device.pair())).toEqual({
        type: 'org.bluez.Error.AuthenticationFailed',
        text: 'Authentication Failed',
      });
      await eventually('the Disconnected signal', () => reasons[0]);
      expect(reasons).toEqual(['org.bluez.Reason.Authentication']);
      expect(await ble.device.isConnected()).toBe(false);
      expect(await ble.device.isPaired()).toBe(false);
    } finally {
      ble.destroy();
    }
  });

  it('fails Pair with AuthenticationFailed for a wrong passkey, and with AuthenticationCanceled when cancelled', async () => {
    const w = await start();
    let answer: () => Promise<string> = async () => '654321';
    await registerPairingAgent(w.raw(), { passkeyFor: () => answer() });
    const ble = await nodeBleConnect(CUFF);
    try {
      expect((await dbusError(ble.device.pair())).type).toBe('org.bluez.Error.AuthenticationFailed');
      // node-ble calls "CancelPair", which Device1 does not have (it is CancelPairing), so it never reaches the bus.
      await expect(ble.device.cancelPair()).rejects.toThrow(TypeError);

      const device = await proxy(w.raw(), PATH, DEVICE);
      expect(await dbusError(device.CancelPairing!())).toEqual({
        type: 'org.bluez.Error.DoesNotExist',
        text: 'Does Not Exist',
      });
      answer = () => new Promise<string>(() => {});
      const pairing = dbusError(ble.device.pair());
      await eventually('the agent to be asked', async () =>
        (await prop(w.raw(), PATH, DEVICE, 'Connected')) === true ? true : undefined,
      );
      await new Promise((r) => setTimeout(r, 100));
      await device.CancelPairing!();
      expect(await pairing).toEqual({
        type: 'org.bluez.Error.AuthenticationCanceled',
        text: 'Authentication Canceled',
      });
      expect(await ble.device.isPaired()).toBe(false);
    } finally {
      await ble.device.disconnect().catch(() => {});
      ble.destroy();
    }
  });

  it('forgets bond and object with RemoveDevice; the next discovery shows the device again, unpaired', async () => {
    const w = await start();
    await registerPairingAgent(w.raw(), { passkeyFor: () => '123456' });
    const ble = await nodeBleConnect(CUFF);
    await ble.device.pair();
    const bus = w.raw();
    const removed: string[] = [];
    (await proxy(bus, '/', 'org.freedesktop.DBus.ObjectManager')).on('InterfacesRemoved', (path: string) =>
      removed.push(path),
    );
    await new Promise((r) => setTimeout(r, 50));
    await (await proxy(bus, '/org/bluez/hci0', 'org.bluez.Adapter1')).RemoveDevice!(PATH);
    expect(removed).toContain(PATH);
    expect((await bus.getProxyObject('org.bluez', '/org/bluez/hci0')).nodes).toEqual([]);
    expect(cuff.connection).toBeUndefined();
    ble.destroy();

    const again = await nodeBleConnect(CUFF);
    try {
      expect(await again.device.isPaired()).toBe(false);
      const locked = await again.characteristic(uuid(LOCK_SERVICE), uuid(LOCKED_CHR));
      expect((await dbusError(locked.readValue())).text).toBe('Not paired');
    } finally {
      await again.device.disconnect();
      again.destroy();
    }
  });

  it('fails Connect with "br-connection-key-missing" when the device lost the bond, until the bond is removed', async () => {
    const w = await start();
    await registerPairingAgent(w.raw(), { passkeyFor: () => '123456' });
    const ble = await nodeBleConnect(CUFF);
    await ble.device.pair();
    await ble.device.disconnect();
    cuff.forgetBonds();
    const reasons: string[] = [];
    (await proxy(w.raw(), PATH, DEVICE)).on('Disconnected', (reason: string) => reasons.push(reason));
    await new Promise((r) => setTimeout(r, 50));
    try {
      expect(await dbusError(ble.device.connect())).toEqual({
        type: 'org.bluez.Error.Failed',
        text: 'br-connection-key-missing',
      });
      await eventually('the Disconnected signal', () => reasons[0]);
      expect(reasons).toEqual(['org.bluez.Reason.Authentication']);

      await (await proxy(w.raw(), '/org/bluez/hci0', 'org.bluez.Adapter1')).RemoveDevice!(PATH);
      const fresh = await nodeBleConnect(CUFF);
      await fresh.device.pair();
      const locked = await fresh.characteristic(uuid(LOCK_SERVICE), uuid(LOCKED_CHR));
      expect([...(await locked.readValue())]).toEqual([0x07, 0x00]);
      await fresh.device.disconnect();
      fresh.destroy();
    } finally {
      ble.destroy();
    }
  });

  it('pairs a Just Works device without asking any agent, connecting first if needed', async () => {
    const probe = new Probe({ address: 'D0:00:00:00:40:02', clock: new ManualClock(0) });
    const w = await startWorld([probe]);
    world = w;
    const ble = await nodeBleConnect('D0:00:00:00:40:02');
    try {
      await ble.device.disconnect();
      await ble.device.pair();
      expect(await ble.device.isPaired()).toBe(true);
      expect(await ble.device.isConnected()).toBe(true);
      expect(probe.hasBond('C0:DE:C0:DE:00:01')).toBe(true);
      expect(probe.connection?.encrypted).toBe(true);
    } finally {
      await ble.device.disconnect();
      ble.destroy();
    }
  });

  it('keeps one agent per client and answers AgentManager1 misuse like bluetoothd', async () => {
    const w = await start();
    const bus = w.raw();
    const manager = await proxy(bus, '/org/bluez', 'org.bluez.AgentManager1');
    expect(await dbusError(manager.RequestDefaultAgent!('/nowhere'))).toEqual({
      type: 'org.bluez.Error.DoesNotExist',
      text: 'Does Not Exist',
    });
    expect((await dbusError(manager.RegisterAgent!('/a', 'Telepathy'))).type).toBe(
      'org.bluez.Error.InvalidArguments',
    );
    await manager.RegisterAgent!('/a', 'KeyboardDisplay');
    expect(await dbusError(manager.RegisterAgent!('/b', 'KeyboardDisplay'))).toEqual({
      type: 'org.bluez.Error.AlreadyExists',
      text: 'Already Exists',
    });
    await manager.UnregisterAgent!('/a');
    expect((await dbusError(manager.UnregisterAgent!('/a'))).type).toBe('org.bluez.Error.DoesNotExist');
  });
});
