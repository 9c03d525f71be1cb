import { type Clock, SimPeripheral, Wristband } from '@linkwell/device-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { AdvertOnlyScale, centralOver, closeCentrals, newClock, PROBE, Probe, within } from './harness.js';

const BAND = 'D0:00:00:00:23:01';
const SCALE = 'D0:00:00:00:23:02';
const VENDOR_SERVICE = 'f000aa00-0451-4000-b000-000000000000';
const VENDOR_DATA = 'f000aa01-0451-4000-b000-000000000000';

/** A device with vendor 128-bit UUIDs, to check the adapter's UUID spelling both ways. */
class VendorDevice extends SimPeripheral {
  constructor(clock: Clock) {
    super({ address: 'D0:00:00:00:23:03', name: 'Vendor', clock, advertisedServices: [VENDOR_SERVICE] });
    this.define(VENDOR_SERVICE, VENDOR_DATA, { read: () => Uint8Array.of(0x5a) });
  }
}

afterEach(closeCentrals);

describe('noble BleCentral adapter', () => {
  it('scans for the given duration and maps advertisements to the port, addresses upper-case', async () => {
    const clock = newClock();
    const { central } = centralOver([
      new Wristband({ address: BAND, seed: 1, clock }),
      new AdvertOnlyScale(SCALE, clock),
    ]);
    const results = await central.scan({ durationMs: 100 });
    expect(results.sort((a, b) => a.address.localeCompare(b.address))).toEqual([
      { address: BAND, name: 'Linkwell Band', services: ['180d', '180f'], rssi: -60, connectable: true },
      {
        address: SCALE,
        name: 'MIBFS',
        services: [],
        rssi: -60,
        serviceData: { '181b': Uint8Array.of(0x02, 0x00) },
        manufacturerData: { 343: Uint8Array.of(0xaa, 0xbb) },
        connectable: false,
      },
    ]);
  });

  it('filters a scan by advertised service or Service Data UUID', async () => {
    const clock = newClock();
    const { central } = centralOver([
      new Wristband({ address: BAND, seed: 1, clock }),
      new AdvertOnlyScale(SCALE, clock),
    ]);
    expect((await central.scan({ durationMs: 50, services: ['180d'] })).map((r) => r.address)).toEqual([
      BAND,
    ]);
    expect((await central.scan({ durationMs: 50, services: ['181b'] })).map((r) => r.address)).toEqual([
      SCALE,
    ]);
  });

  it('connects to an address it has not seen yet by scanning for it first', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 1, clock });
    const { central, bindings } = centralOver([band]);
    const link = await central.connect(BAND.toLowerCase());
    expect(link.address).toBe(BAND);
    expect(band.connection?.central).toBe(bindings.centralId);
    expect(await link.services()).toEqual(expect.arrayContaining(['180d', '180f', '180a']));
    expect(await link.characteristics('180d')).toEqual(
      expect.arrayContaining([
        { uuid: '2a37', properties: ['notify'] },
        { uuid: '2a38', properties: ['read'] },
      ]),
    );
    expect([...(await link.read('180d', '2a38'))]).toEqual([2]);
  });

  it('relays notifications byte for byte until unsubscribed', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 9, clock });
    const { central } = centralOver([band]);
    const link = await central.connect(BAND);
    const values: number[][] = [];
    const stop = await link.subscribe('180d', '2a37', (v) => values.push([...v]));
    clock.advance(3000);
    await within(
      new Promise<void>((resolve) => {
        const poll = () => (values.length >= 3 ? resolve() : setTimeout(poll, 5));
        poll();
      }),
      1000,
      'three notifications',
    );
    expect(values).toEqual(band.sent.map((s) => [...s.frame]));
    await stop();
    expect(band.connection?.cccd('180d', '2a37')).toBe('off');
    clock.advance(3000);
    expect(values).toHaveLength(3);
  });

  it('subscribes to an indicate-only characteristic and writes with and without response', async () => {
    const clock = newClock();
    const probe = new Probe({ clock });
    const { central } = centralOver([probe]);
    const link = await central.connect(PROBE);
    const values: number[][] = [];
    await link.subscribe('aaaa', '0002', (v) => values.push([...v]));
    expect(probe.connection?.cccd('aaaa', '0002')).toBe('indicate');
    expect(await probe.push('0002', 1, 2)).toBe(true);
    expect(values).toEqual([[1, 2]]);
    await link.write('aaaa', '0005', Uint8Array.of(7));
    await link.write('aaaa', '0004', Uint8Array.of(8), { withResponse: false });
    expect(probe.writes).toEqual([
      { characteristic: '0005', value: [7] },
      { characteristic: '0004', value: [8] },
    ]);
  });

  it('hands a subscriber notifications only, never the answers to reads', async () => {
    const probe = new Probe({ clock: newClock() });
    const { central } = centralOver([probe]);
    const link = await central.connect(PROBE);
    const values: number[][] = [];
    await link.subscribe('aaaa', '0006', (v) => values.push([...v]));
    expect([...(await link.read('aaaa', '0006'))]).toEqual([42]);
    await probe.push('0006', 5);
    expect(values).toEqual([[5]]);
  });

  it('spells 128-bit UUIDs with dashes towards the gateway and without towards noble', async () => {
    const { central } = centralOver([new VendorDevice(newClock())]);
    const [found] = await central.scan({ durationMs: 50, services: [VENDOR_SERVICE] });
    expect(found?.services).toEqual([VENDOR_SERVICE]);
    const link = await central.connect(found!.address);
    expect(await link.services()).toEqual([VENDOR_SERVICE]);
    expect([...(await link.read(VENDOR_SERVICE, VENDOR_DATA))]).toEqual([0x5a]);
  });

  it('reads a bonded characteristic after noble pairs Just Works', async () => {
    const probe = new Probe({ clock: newClock(), pairing: { method: 'just-works' } });
    const { central } = centralOver([probe]);
    const link = await central.connect(PROBE);
    expect([...(await link.read('aaaa', '0003'))]).toEqual([9]);
  });

  it('names disconnect reasons as the other transports do', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 1, clock });
    const probe = new Probe({ clock });
    const { central } = centralOver([band, probe]);
    const dropped = await central.connect(BAND);
    const left = await central.connect(PROBE);
    const reasons: string[] = [];
    dropped.onDisconnect((r) => reasons.push(`band: ${r}`));
    left.onDisconnect((r) => reasons.push(`probe: ${r}`));
    band.connection!.close('connection timeout');
    await left.disconnect();
    await within(
      new Promise<void>((resolve) => dropped.onDisconnect(() => resolve())),
      1000,
      'band disconnect',
    );
    expect(reasons.sort()).toEqual(['band: connection timeout', 'probe: local host terminated connection']);
    expect(probe.connection).toBeUndefined();
  });

  it('ends its links and stops scanning on close', async () => {
    const clock = newClock();
    const band = new Wristband({ address: BAND, seed: 1, clock });
    const { central } = centralOver([band]);
    await central.connect(BAND);
    await central.close();
    expect(band.connection).toBeUndefined();
  });
});
