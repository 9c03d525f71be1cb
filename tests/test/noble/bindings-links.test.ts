import { DISCONNECT_REASONS, Wristband } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import { discover, newClock, nextEvents, PROBE_ID, Probe, setup, stateAfter, within } from './harness.js';

const BAND = 'D0:00:00:00:22:01';
const BAND_ID = 'd00000002201';

async function linkedProbe(pairing?: { method: 'just-works' | 'passkey'; passkey?: string }) {
  const clock = newClock();
  const probe = new Probe({ clock, ...(pairing ? { pairing } : {}) });
  const { noble, bindings } = setup([probe]);
  const p = await discover(noble, PROBE_ID);
  await p.connectAsync();
  const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync(['aaaa'], []);
  const chr = (uuid: string) => characteristics.find((c) => c.uuid === uuid)!;
  return { probe, noble, bindings, p, chr };
}

describe('SimNobleBindings under noble: link lifecycle', () => {
  it('reports the HCI reason 0x08 when the device drops the link with a supervision timeout', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 5, clock });
    const { noble } = setup([band]);
    const p = await discover(noble, BAND_ID);
    await p.connectAsync();
    const dropped = nextEvents(p, 'disconnect', 1);
    band.connection!.close('connection timeout');
    expect(await within(dropped, 1000, 'disconnect')).toEqual([[0x08]]);
    expect(p.state).toBe('disconnected');
  });

  it('reports 0x16 when noble ends the link, and the device sees the central leave', async () => {
    const { p, probe } = await linkedProbe();
    const dropped = nextEvents(p, 'disconnect', 1);
    await p.disconnectAsync();
    expect(await dropped).toEqual([[DISCONNECT_REASONS['local host terminated connection']]]);
    expect(probe.connection).toBeUndefined();
  });

  it('leaves a request to a dropped device unanswered, as noble does', async () => {
    const { p, chr, probe } = await linkedProbe();
    probe.stallAfter(0, 60_000);
    const read = chr('0001').readAsync();
    const dropped = nextEvents(p, 'disconnect', 1);
    probe.connection!.close('remote user terminated connection');
    expect(await dropped).toEqual([[0x13]]);
    expect(await stateAfter(read, 50)).toBe('pending');
  });

  it('keeps a connect to an absent device pending, queues the next one behind it, and cancels it', async () => {
    const clock = newClock();
    const absent = new Probe({ clock });
    const band = new Wristband({ address: BAND, seed: 5, clock });
    const { noble, bindings } = setup([absent, band]);
    const pa = await discover(noble, PROBE_ID);
    const pb = await discover(noble, BAND_ID);
    bindings.removePeripheral(absent.address);

    const first = pa.connectAsync();
    const second = pb.connectAsync();
    expect(await stateAfter(first, 100)).toBe('pending');
    expect(await stateAfter(second, 0)).toBe('pending');

    pa.cancelConnect();
    await expect(first).rejects.toThrow('connection canceled!');
    await within(second, 1000, 'queued connect');
    expect([pa.state, pb.state]).toEqual(['error', 'connected']);
  });

  it('connects once a device that was out of range comes back', async () => {
    const clock = newClock();
    const probe = new Probe({ clock });
    const { noble, bindings } = setup([probe]);
    const p = await discover(noble, PROBE_ID);
    bindings.removePeripheral(probe.address);
    const connecting = p.connectAsync();
    expect(await stateAfter(connecting, 50)).toBe('pending');
    bindings.addPeripheral(probe);
    await within(connecting, 1000, 'connect');
    expect(probe.connection?.central).toBe(bindings.centralId);
  });

  it('pairs Just Works on insufficient authentication and retries the read once', async () => {
    const { chr, probe, bindings } = await linkedProbe({ method: 'just-works' });
    expect(probe.connection?.encrypted).toBe(false);
    expect([...(await within(chr('0003').readAsync(), 1000, 'bonded read'))]).toEqual([9]);
    expect(probe.connection?.encrypted).toBe(true);
    expect(probe.hasBond(bindings.centralId)).toBe(true);
  });

  it('starts every link unencrypted, since noble keeps no bonds, and pairs again when needed', async () => {
    const { p, chr, probe } = await linkedProbe({ method: 'just-works' });
    await chr('0003').readAsync();
    await p.disconnectAsync();
    await p.connectAsync();
    expect(probe.connection?.encrypted).toBe(false);
    const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync(['aaaa'], ['0003']);
    expect([...(await characteristics[0]!.readAsync())]).toEqual([9]);
    expect(probe.connection?.encrypted).toBe(true);
  });

  it('cannot pair with a passkey device: the read stays unanswered and the device ends the link with 0x05', async () => {
    const { p, chr, probe, bindings } = await linkedProbe({ method: 'passkey', passkey: '123456' });
    const errors = nextEvents(bindings, 'simError', 1);
    const dropped = nextEvents(p, 'disconnect', 1);
    const read = chr('0003').readAsync();
    expect(await within(dropped, 1000, 'disconnect')).toEqual([
      [DISCONNECT_REASONS['authentication failure']],
    ]);
    const [[, operation, error]] = (await errors) as [[string, string, { code: string }]];
    expect([operation, error.code]).toEqual(['pair', 'SIM_ERR_AUTHENTICATION_FAILED']);
    expect(await stateAfter(read, 50)).toBe('pending');
    expect(probe.hasBond(bindings.centralId)).toBe(false);
  });

  it('ends every link with 0x16 on reset', async () => {
    const { p, noble, probe } = await linkedProbe();
    const dropped = nextEvents(p, 'disconnect', 1);
    (noble as unknown as { reset(): void }).reset();
    expect(await within(dropped, 1000, 'disconnect')).toEqual([[0x16]]);
    expect(probe.connection).toBeUndefined();
  });

  it('reports a powered-off adapter and drops its links', async () => {
    const { p, noble, bindings } = await linkedProbe();
    const states = nextEvents(noble, 'stateChange', 1);
    const dropped = nextEvents(p, 'disconnect', 1);
    bindings.setState('poweredOff');
    expect(await states).toEqual([['poweredOff']]);
    expect(await dropped).toEqual([[0x16]]);
  });
});
