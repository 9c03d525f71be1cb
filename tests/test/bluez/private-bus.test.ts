import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ManualClock, startPrivateBus, startSimulatedBluez, Wristband } from '@linkwell/device-sim';
import nodeBle from 'node-ble';
import { describe, expect, it } from 'vitest';
import { unixSocketAccepts } from '../../src/harness/probes.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startPrivateBus (the CLI’s launcher for the simulated BlueZ)', () => {
  it('starts a dbus-daemon on which the simulated BlueZ owns org.bluez and node-ble finds hci0', async () => {
    const bus = await startPrivateBus();
    const previous = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    try {
      expect(bus.address).toMatch(/^unix:path=.*\/linkwell-bus-[^/]+\/bus\.sock$/);
      const bluez = await startSimulatedBluez({
        busAddress: bus.address,
        peripherals: [new Wristband({ address: 'D0:00:00:00:80:01', seed: 1, clock: new ManualClock(0) })],
      });
      process.env.DBUS_SYSTEM_BUS_ADDRESS = bus.address;
      const { bluetooth, destroy } = nodeBle.createBluetooth();
      expect(await bluetooth.adapters()).toEqual(['hci0']);
      destroy();

      await expect(startSimulatedBluez({ busAddress: bus.address })).rejects.toMatchObject({
        code: 'SIM_ERR_BUS_UNAVAILABLE',
        message: expect.stringContaining('org.bluez is already owned'),
      });
      await bluez.stop();
    } finally {
      if (previous === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = previous;
      await bus.stop();
    }
  });

  it('stop() ends the daemon, closes the socket and removes its directory', async () => {
    const bus = await startPrivateBus();
    const socket = bus.address.slice('unix:path='.length);
    await bus.stop();
    expect(isRunning(bus.pid)).toBe(false);
    expect(await unixSocketAccepts(socket, AbortSignal.timeout(1000))).toBe(false);
    await expect(access(dirname(socket))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reports a missing dbus-daemon as SIM_ERR_BUS_UNAVAILABLE with the Debian package to install', async () => {
    await expect(startPrivateBus({ command: 'linkwell-no-such-dbus-daemon' })).rejects.toMatchObject({
      code: 'SIM_ERR_BUS_UNAVAILABLE',
      message: expect.stringContaining('apt-get install dbus-daemon'),
    });
  });

  it('fails startSimulatedBluez with SIM_ERR_BUS_UNAVAILABLE when nothing listens at the address', async () => {
    await expect(
      startSimulatedBluez({ busAddress: 'unix:path=/tmp/linkwell-no-such-bus.sock' }),
    ).rejects.toMatchObject({
      code: 'SIM_ERR_BUS_UNAVAILABLE',
      message: expect.stringContaining('cannot connect'),
    });
  });
});
