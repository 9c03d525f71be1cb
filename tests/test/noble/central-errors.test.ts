import { Wristband } from '@linkwell/device-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { centralOver, closeCentrals, newClock, PROBE, Probe } from './harness.js';

const BAND = 'D0:00:00:00:24:01';
const FAST = { poweredOnMs: 100, findMs: 100, connectMs: 100, discoverMs: 200, operationMs: 100 };

afterEach(closeCentrals);

const code = (code: string) => expect.objectContaining({ code });

describe('noble BleCentral adapter: failures as gateway error codes', () => {
  it('fails with GATEWAY_ERR_BLE_UNAVAILABLE when noble never powers on', async () => {
    const { central } = centralOver([], FAST, { state: 'poweredOff' });
    await expect(central.scan({ durationMs: 10 })).rejects.toEqual(code('GATEWAY_ERR_BLE_UNAVAILABLE'));
    await expect(central.connect(BAND)).rejects.toThrow(
      /did not power on within 100 ms \(state poweredOff\)/,
    );
  });

  it('fails with GATEWAY_ERR_BLE_NOT_FOUND for an address nobody advertises, or that is not an address', async () => {
    const { central } = centralOver([new Probe({ clock: newClock() })], FAST);
    await expect(central.connect('D0:00:00:00:24:99')).rejects.toThrow(
      /GATEWAY_ERR_BLE_NOT_FOUND: D0:00:00:00:24:99 was not heard advertising within 100 ms/,
    );
    await expect(central.connect('kitchen-scale')).rejects.toEqual(code('GATEWAY_ERR_BLE_NOT_FOUND'));
  });

  it('times out a connect to a device gone out of range, cancels it, and can connect elsewhere next', async () => {
    const clock = newClock();
    const probe = new Probe({ clock });
    const band = new Wristband({ address: BAND, seed: 1, clock });
    const { central, bindings } = centralOver([probe, band], FAST);
    await central.scan({ durationMs: 30 });
    bindings.removePeripheral(probe.address);
    await expect(central.connect(PROBE)).rejects.toThrow(
      /GATEWAY_ERR_BLE_TIMEOUT: connecting to C0:FF:EE:00:00:01 did not finish within 100 ms/,
    );
    // noble queues connects behind a pending one: without the cancel this would time out too.
    const link = await central.connect(BAND);
    expect(link.address).toBe(BAND);
  });

  it('times out a write the device rejects, since noble never reports it', async () => {
    const probe = new Probe({ clock: newClock() });
    const { central } = centralOver([probe], FAST);
    const link = await central.connect(PROBE);
    await expect(link.write('aaaa', '0005', Uint8Array.of(0xff))).rejects.toEqual(
      code('GATEWAY_ERR_BLE_TIMEOUT'),
    );
  });

  it('times out a read from a device that stopped answering', async () => {
    const probe = new Probe({ clock: newClock() });
    const { central } = centralOver([probe], FAST);
    const link = await central.connect(PROBE);
    await link.characteristics('aaaa');
    probe.stallAfter(0, 60_000);
    await expect(link.read('aaaa', '0001')).rejects.toThrow(/GATEWAY_ERR_BLE_TIMEOUT: read aaaa\/0001/);
  });

  it('fails an operation cut short by the link dropping, and every later one, with GATEWAY_ERR_BLE_DISCONNECTED', async () => {
    const probe = new Probe({ clock: newClock() });
    const { central } = centralOver([probe], { ...FAST, operationMs: 5_000 });
    const link = await central.connect(PROBE);
    await link.characteristics('aaaa');
    probe.stallAfter(0, 60_000);
    const inFlight = link.read('aaaa', '0001');
    probe.connection!.close('connection timeout');
    await expect(inFlight).rejects.toThrow(
      /GATEWAY_ERR_BLE_DISCONNECTED: .*link ended \(connection timeout\)/,
    );
    await expect(link.read('aaaa', '0001')).rejects.toEqual(code('GATEWAY_ERR_BLE_DISCONNECTED'));
    await expect(link.subscribe('aaaa', '0002', () => {})).rejects.toEqual(
      code('GATEWAY_ERR_BLE_DISCONNECTED'),
    );
    await expect(link.disconnect()).resolves.toBeUndefined();
  });

  it('fails with GATEWAY_ERR_BLE_AUTH_FAILED when a passkey device ends the link over Just Works', async () => {
    const probe = new Probe({ clock: newClock(), pairing: { method: 'passkey', passkey: '123456' } });
    const { central } = centralOver([probe], FAST);
    const link = await central.connect(PROBE);
    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    await expect(link.read('aaaa', '0003')).rejects.toThrow(
      /GATEWAY_ERR_BLE_AUTH_FAILED: .*the link ended with authentication failure/,
    );
    expect(reasons).toEqual(['authentication failure']);
  });

  it('refuses what the GATT table does not offer before asking noble', async () => {
    const probe = new Probe({ clock: newClock() });
    const { central } = centralOver([probe], FAST);
    const link = await central.connect(PROBE);
    await expect(link.read('bbbb', '0001')).rejects.toThrow(
      /GATEWAY_ERR_BLE_NOT_FOUND: .* has no service bbbb/,
    );
    await expect(link.read('aaaa', '0099')).rejects.toEqual(code('GATEWAY_ERR_BLE_NOT_FOUND'));
    await expect(link.read('aaaa', '0002')).rejects.toThrow(
      /GATEWAY_ERR_BLE_OPERATION_FAILED: aaaa\/0002 .* does not support read \(it offers indicate\)/,
    );
    await expect(link.write('aaaa', '0004', Uint8Array.of(1))).rejects.toEqual(
      code('GATEWAY_ERR_BLE_OPERATION_FAILED'),
    );
    await expect(link.subscribe('aaaa', '0001', () => {})).rejects.toEqual(
      code('GATEWAY_ERR_BLE_OPERATION_FAILED'),
    );
  });

  it('refuses a second link to a device it is connected to', async () => {
    const { central } = centralOver([new Probe({ clock: newClock() })], FAST);
    await central.connect(PROBE);
    await expect(central.connect(PROBE)).rejects.toThrow(
      /GATEWAY_ERR_BLE_OPERATION_FAILED: .* already connected/,
    );
  });
});
