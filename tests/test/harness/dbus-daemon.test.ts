import { access } from 'node:fs/promises';
import dbus from 'dbus-next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDbusDaemon, startDbusDaemon } from '../../src/harness/index.js';
import { unixSocketAccepts } from '../../src/harness/probes.js';
import { isRunning, timed } from './liveness.js';

async function listNames(bus: dbus.MessageBus): Promise<string[]> {
  const proxy = await bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus');
  const names: unknown = await proxy.getInterface('org.freedesktop.DBus').ListNames!();
  return names as string[];
}

describe('startDbusDaemon', () => {
  let daemon: RunningDbusDaemon;
  let bus: dbus.MessageBus;

  beforeAll(async () => {
    const { value, ms } = await timed(() => startDbusDaemon());
    daemon = value;
    console.log(`dbus-daemon ready on ${daemon.address} in ${ms} ms`);
    bus = dbus.sessionBus({ busAddress: daemon.address });
  });
  afterAll(async () => {
    bus?.disconnect();
    await daemon?.stop();
  });

  it('listens on a unix:path socket inside its temp dir', () => {
    expect(daemon.address).toBe(`unix:path=${daemon.dataDir}/bus.sock`);
  });

  it('answers org.freedesktop.DBus.ListNames with the bus itself and our unique name', async () => {
    const names = await listNames(bus);
    expect(names).toContain('org.freedesktop.DBus');
    expect(names.filter((n) => n.startsWith(':'))).toHaveLength(1);
  });

  it('lets a client become primary owner of org.bluez and lists it afterwards', async () => {
    const reply = await bus.requestName('org.bluez', dbus.NameFlag.DO_NOT_QUEUE);
    expect(reply).toBe(dbus.RequestNameReply.PRIMARY_OWNER);
    expect(await listNames(bus)).toContain('org.bluez');
  });
});

describe('RunningDbusDaemon.stop', () => {
  it('ends the process, so the socket refuses connections, and removes the temp dir', async () => {
    const daemon = await startDbusDaemon();
    const socket = daemon.address.slice('unix:path='.length);
    await daemon.stop();

    expect(isRunning(daemon.pid)).toBe(false);
    expect(await unixSocketAccepts(socket, AbortSignal.timeout(1_000))).toBe(false);
    await expect(access(daemon.dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
