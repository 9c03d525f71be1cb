import { createDevice, type InMemoryRadio, SimPeripheral } from '@linkwell/device-sim';
import type { BleCentral } from '@linkwell/firmware-protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import { commandHome, startedCommandHome } from '../../test/command-home.js';
import { PasskeyBook } from './passkeys.js';

const BAND = 'D0:00:00:00:00:01';
const THERMO = 'D0:00:00:00:00:05';
const SCALE = 'D0:00:00:00:00:03';
const NOWHERE = 'D0:00:00:00:09:99';

describe('pair command', () => {
  it('pairs a thermometer that appeared after start: finds it, connects it under sig.health-thermometer, bonds', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const thermo = createDevice('thermometer', { address: THERMO, seed: 3, clock: h.clock });
    h.radio.add(thermo);
    const r = await h.send({ op: 'pair', address: THERMO }, 'pair-1');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'pair-1',
      status: 'ok',
      data: {
        address: THERMO,
        name: 'Linkwell Thermo',
        profile: 'sig.health-thermometer',
        bonded: true,
        connected: true,
        passkey_asked: null,
      },
    });
    expect(thermo.hasBond(h.radio.centralId)).toBe(true);
    expect(thermo.connection?.encrypted).toBe(true);
    expect(h.gw.devices.get(THERMO)).toMatchObject({
      connected: true,
      profile: { id: 'sig.health-thermometer' },
    });
    expect(h.events).toContainEqual(
      expect.objectContaining({ type: 'device.paired', address: THERMO, profile: 'sig.health-thermometer' }),
    );
  });

  it('bonds a device that is already connected over its open link, without a second connection', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const r = await h.send({ op: 'pair', address: BAND }, 'pair-2');
    expect(r).toMatchObject({
      status: 'ok',
      data: { profile: 'sig.heart-rate', bonded: true, connected: true },
    });
    expect(h.of('device.connected')).toHaveLength(1);
    expect(h.home.find('wristband')?.hasBond(h.radio.centralId)).toBe(true);
  });

  it('answers GATEWAY_ERR_BLE_NOT_FOUND for an address nobody advertises', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const r = await h.send({ op: 'pair', address: NOWHERE }, 'pair-3');
    expect(r).toMatchObject({ status: 'error', error: { code: 'GATEWAY_ERR_BLE_NOT_FOUND' } });
    expect(r.status === 'error' && r.error.message).toBe(`${NOWHERE} was not heard advertising within 0 ms`);
  });

  it('answers GATEWAY_ERR_UNSUPPORTED for a device no profile matches, naming what it advertised', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    h.radio.add(
      new SimPeripheral({ address: NOWHERE, name: 'Gizmo', clock: h.clock, advertisedServices: ['fff0'] }),
    );
    const r = await h.send({ op: 'pair', address: NOWHERE }, 'pair-4');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'pair-4',
      status: 'error',
      error: {
        code: 'GATEWAY_ERR_UNSUPPORTED',
        message: `no profile handles ${NOWHERE}  Gizmo  services fff0  → no matching profile`,
      },
    });
  });

  it('hands the passkey to the stack when it asks, and reports that it asked', async () => {
    const book = new PasskeyBook();
    // What BlueZ does with the gateway's agent: ask for the digits the device shows.
    const agentCentral = (radio: InMemoryRadio): BleCentral => ({
      scan: (o) => radio.scan(o),
      connect: (a) => radio.connect(a),
      pair: async (a) => {
        const conn = radio.devices().find((p) => p.address === a)?.connection;
        await conn?.pair({ requestPasskey: async () => book.passkeyFor(a) });
      },
    });
    const h = await startedCommandHome([{ kind: 'scale', address: SCALE, options: { passkey: '246810' } }], {
      wrap: agentCentral,
      commands: { passkeys: book },
    });
    const wrong = await h.send({ op: 'pair', address: SCALE, passkey: '000000' }, 'pk-1');
    expect(wrong).toMatchObject({ status: 'error', error: { code: 'SIM_ERR_AUTHENTICATION_FAILED' } });
    const right = await h.send({ op: 'pair', address: SCALE, passkey: '246810' }, 'pk-2');
    expect(right).toMatchObject({ status: 'ok', data: { bonded: true, passkey_asked: true } });
    expect(h.home.find('scale')?.hasBond(h.radio.centralId)).toBe(true);
    // The offer ends with the command.
    expect(book.passkeyFor(SCALE)).toBeUndefined();
  });
});

describe('unpair command', () => {
  it('disconnects the wristband, stops reconnecting it and forgets it', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const r = await h.send({ op: 'unpair', address: BAND }, 'unpair-1');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'unpair-1',
      status: 'ok',
      data: { address: BAND, profile: 'sig.heart-rate', was_connected: true, bond_removed: false },
    });
    expect(h.home.find('wristband')?.connection).toBeUndefined();
    await new Promise((r) => setTimeout(r, 30));
    expect(h.of('device.reconnecting')).toEqual([]);
    expect(h.gw.devices.get(BAND)).toBeUndefined();
  });

  it('answers GATEWAY_ERR_UNKNOWN_DEVICE for a device the gateway does not manage', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const r = await h.send({ op: 'unpair', address: NOWHERE }, 'unpair-2');
    expect(r).toMatchObject({
      status: 'error',
      error: {
        code: 'GATEWAY_ERR_UNKNOWN_DEVICE',
        message: `${NOWHERE} is not a device this gateway manages`,
      },
    });
  });
});

describe('command payloads and redelivery', () => {
  it('answers a redelivered tid with the first result instead of running it again', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const first = await h.send({ op: 'unpair', address: BAND }, 'again-1');
    // Run again, unpair would now fail with GATEWAY_ERR_UNKNOWN_DEVICE.
    const second = await h.send({ op: 'unpair', address: BAND }, 'again-1');
    expect(second).toEqual(first);
    expect(h.of('command.completed').map((e) => [e.tid, e.status, e.cached])).toEqual([
      ['again-1', 'ok', false],
      ['again-1', 'ok', true],
    ]);
  });

  it('answers an invalid command whose tid is readable with GATEWAY_ERR_BAD_COMMAND', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    h.deliver(JSON.stringify({ v: 1, tid: 'bad-1', sent_at: 0, cmd: { op: 'reboot' } }));
    h.deliver(JSON.stringify({ v: 1, tid: 'bad-2', sent_at: 0, cmd: { op: 'pair', address: 'd0:00' } }));
    await new Promise((r) => setTimeout(r, 20));
    expect(h.results.map((r) => [r.tid, r.status === 'error' && r.error.code])).toEqual([
      ['bad-1', 'GATEWAY_ERR_BAD_COMMAND'],
      ['bad-2', 'GATEWAY_ERR_BAD_COMMAND'],
    ]);
  });

  it('logs and drops a payload without a readable tid, and keeps answering the next command', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    h.deliver('{not json');
    h.deliver(JSON.stringify({ v: 1, tid: 'has space', cmd: { op: 'sync' } }));
    const r = await h.send({ op: 'unpair', address: NOWHERE }, 'after-junk');
    expect(h.results.map((x) => x.tid)).toEqual(['after-junk']);
    expect(r.status).toBe('error');
  });

  it('does not answer at all when commands are turned off', async () => {
    const h = commandHome([{ kind: 'wristband', address: BAND }], { commands: false });
    await h.gw.start();
    onTestFinished(() => h.gw.stop());
    expect(() => h.deliver('{}')).toThrow(/has not registered/);
  });
});
