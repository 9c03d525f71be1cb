import type { Characteristic, Peripheral } from '@abandonware/noble';
import { Wristband } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import { discover, newClock, nextEvents, PROBE_ID, Probe, setup, stateAfter, within } from './harness.js';

const BAND = 'D0:00:00:00:21:01';
const BAND_ID = 'd00000002101';

async function connectedProbe(opts: { mtu?: number } = {}) {
  const clock = newClock();
  const probe = new Probe({ clock });
  const { noble, bindings } = setup([probe], opts);
  const p = await discover(noble, PROBE_ID);
  await p.connectAsync();
  const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync(['aaaa'], []);
  const chr = (uuid: string) => characteristics.find((c) => c.uuid === uuid)!;
  return { clock, probe, noble, bindings, p, chr };
}

function notifications(c: Characteristic, count: number): Promise<[number[], boolean][]> {
  return nextEvents(c, 'data', count).then((all) =>
    all.map(([data, isNotification]) => [[...(data as Buffer)], isNotification as boolean]),
  );
}

describe('SimNobleBindings under noble: GATT over a link', () => {
  it('connects with MTU 23 and discovers filtered services and characteristics with noble property names', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 3, clock });
    const { noble, bindings } = setup([band]);
    const p = await discover(noble, BAND_ID, ['180d']);
    await p.connectAsync();
    expect([p.state, p.mtu]).toEqual(['connected', 23]);
    expect(band.connection?.central).toBe(bindings.centralId);
    const { services, characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync(
      ['180d'],
      ['2a37', '2a38'],
    );
    expect(services.map((s) => s.uuid)).toEqual(['180d']);
    expect(characteristics.map((c) => [c.uuid, c.properties])).toEqual([
      ['2a37', ['notify']],
      ['2a38', ['read']],
    ]);
    const all = await p.discoverServicesAsync([]);
    expect(all.map((s) => s.uuid)).toEqual(expect.arrayContaining(['180d', '180f', '180a']));
  });

  it('reports the MTU the bindings were configured with', async () => {
    const { p } = await connectedProbe({ mtu: 185 });
    expect(p.mtu).toBe(185);
  });

  it('reads values, and answers a read the device refuses with no bytes', async () => {
    const { chr, bindings } = await connectedProbe();
    expect([...(await chr('0001').readAsync())]).toEqual([1, 2, 3, 4]);
    const errors = nextEvents(bindings, 'simError', 1);
    // 0002 only indicates: the device answers Read Not Permitted and noble's HCI stack yields no bytes.
    expect([...(await chr('0002').readAsync())]).toEqual([]);
    const [[id, operation, error]] = (await errors) as [[string, string, { att: number }]];
    expect([id, operation, error.att]).toEqual([PROBE_ID, 'read', 0x02]);
  });

  it('writes with response and without response', async () => {
    const { chr, probe } = await connectedProbe();
    await chr('0005').writeAsync(Buffer.from([1, 2]), false);
    await chr('0004').writeAsync(Buffer.from([3]), true);
    expect(probe.writes).toEqual([
      { characteristic: '0005', value: [1, 2] },
      { characteristic: '0004', value: [3] },
    ]);
  });

  it('never confirms a write the device rejects (noble has no error path) and reports the ATT error', async () => {
    const { chr, bindings, probe } = await connectedProbe();
    const errors = nextEvents(bindings, 'simError', 1);
    expect(await stateAfter(chr('0005').writeAsync(Buffer.from([0xff]), false), 100)).toBe('pending');
    const [[, operation, error]] = (await errors) as [[string, string, { code: string; att: number }]];
    expect([operation, error.code, error.att]).toEqual(['write', 'SIM_ERR_VALUE_REJECTED', 0x80]);
    expect(probe.writes).toEqual([]);
  });

  it('subscribes through the CCCD and delivers notifications as data with isNotification true', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 3, clock });
    const { noble } = setup([band]);
    const p = await discover(noble, BAND_ID);
    await p.connectAsync();
    const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync(['180d'], ['2a37']);
    const hrm = characteristics[0]!;
    const [cccd] = await hrm.discoverDescriptorsAsync();
    expect(cccd!.uuid).toBe('2902');
    expect([...(await cccd!.readValueAsync())]).toEqual([0, 0]);

    await hrm.subscribeAsync();
    expect([...(await cccd!.readValueAsync())]).toEqual([1, 0]);
    const got = notifications(hrm, 3);
    clock.advance(3000);
    expect(await within(got, 1000, 'three notifications')).toEqual(
      band.sent.slice(0, 3).map((s) => [[...s.frame], true]),
    );

    await hrm.unsubscribeAsync();
    expect([...(await cccd!.readValueAsync())]).toEqual([0, 0]);
    clock.advance(3000);
    expect(band.sent).toHaveLength(3);
  });

  it('enables indications (CCCD 0x0002) for an indicate-only characteristic and confirms each one', async () => {
    const { chr, probe } = await connectedProbe();
    const ind = chr('0002');
    await ind.subscribeAsync();
    const [cccd] = await ind.discoverDescriptorsAsync();
    expect([...(await cccd!.readValueAsync())]).toEqual([2, 0]);
    const got = notifications(ind, 1);
    expect(await probe.push('0002', 7)).toBe(true);
    expect(await got).toEqual([[[7], true]]);
    expect(probe.wire.map((w) => w.kind)).toEqual(['indication']);
  });

  it("lists the CCCD before the device's own descriptors, and enables notifications by writing the CCCD", async () => {
    const { chr, probe } = await connectedProbe();
    const level = chr('0006');
    const descriptors = await level.discoverDescriptorsAsync();
    expect(descriptors.map((d) => d.uuid)).toEqual(['2902', '2901']);
    expect(Buffer.from(await descriptors[1]!.readValueAsync()).toString()).toBe('Probe level');
    await descriptors[0]!.writeValueAsync(Buffer.from([1, 0]));
    expect(probe.connection?.cccd('aaaa', '0006')).toBe('notify');
    const got = notifications(level, 1);
    await probe.push('0006', 5);
    expect(await got).toEqual([[[5], true]]);
  });

  it('reads declarations and values by ATT handle, and writes by handle', async () => {
    const { p, probe, bindings } = await connectedProbe();
    // Handles: 1 service aaaa; 2/3 0001 declaration/value; … 11/12 0005 declaration/value.
    expect([...(await p.readHandleAsync(1))]).toEqual([0xaa, 0xaa]);
    expect([...(await p.readHandleAsync(2))]).toEqual([0x02, 0x03, 0x00, 0x01, 0x00]);
    expect([...(await p.readHandleAsync(3))]).toEqual([1, 2, 3, 4]);
    expect([...(await p.readHandleAsync(99))]).toEqual([]);
    await p.writeHandleAsync(12, Buffer.from([6]), false);
    expect(probe.writes).toEqual([{ characteristic: '0005', value: [6] }]);
    const errors = nextEvents(bindings, 'simError', 1);
    expect(await stateAfter(p.writeHandleAsync(3, Buffer.from([1]), false), 100)).toBe('pending');
    const [[, operation]] = (await errors) as [[string, string]];
    expect(operation).toBe('writeHandle');
  });

  it('updates the RSSI of a connected peripheral', async () => {
    const { p } = await connectedProbe();
    expect(await p.updateRssiAsync()).toBe(-60);
  });

  it('refuses a characteristic object from an earlier link until it is discovered again', async () => {
    const { p, chr } = await connectedProbe();
    const old = chr('0001');
    await p.disconnectAsync();
    await p.connectAsync();
    await expect(old.readAsync()).rejects.toThrow(/SIM_ERR_NO_SUCH_CHARACTERISTIC/);
    const { characteristics } = await p.discoverSomeServicesAndCharacteristicsAsync(['aaaa'], ['0001']);
    expect([...(await characteristics[0]!.readAsync())]).toEqual([1, 2, 3, 4]);
  });

  it('answers included-service discovery with none', async () => {
    const { p } = await connectedProbe();
    const [service] = (p as Peripheral).services;
    expect(await service!.discoverIncludedServicesAsync([])).toEqual([]);
  });
});
