import type { Peripheral } from '@abandonware/noble';
import { SimNobleBindings, Wristband } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import {
  AdvertOnlyScale,
  loadNoble,
  newClock,
  nextEvents,
  PROBE_ID,
  Probe,
  setup,
  within,
} from './harness.js';

const BAND = 'D0:00:00:00:20:01';
const SCALE = 'D0:00:00:00:20:02';

describe('SimNobleBindings under noble: adapter state and scanning', () => {
  it('powers on asynchronously after init and reports the adapter address', async () => {
    const { noble, bindings } = setup([]);
    const states: string[] = [];
    noble.on('stateChange', (s: string) => states.push(s));
    expect(states).toEqual([]);
    await within(nextEvents(noble, 'stateChange', 1), 1000, 'poweredOn');
    expect(states).toEqual(['poweredOn']);
    expect(noble.state).toBe('poweredOn');
    expect(noble.address).toBe(bindings.address);
  });

  it('builds an independent noble per with-bindings call', async () => {
    const clock = newClock();
    const a = setup([new Probe({ clock })]);
    const b = loadNoble(new SimNobleBindings({ peripherals: [] }));
    expect(b).not.toBe(a.noble);
    const seenByB: string[] = [];
    b.on('discover', (p: Peripheral) => seenByB.push(p.id));
    const seenByA = nextEvents(a.noble, 'discover', 1);
    await a.noble.startScanningAsync([], false);
    await within(seenByA, 1000, 'discover');
    await a.noble.stopScanningAsync();
    expect(seenByB).toEqual([]);
  });

  it('reports only devices offering a filtered service, with their advertisement in noble form', async () => {
    const clock = newClock();
    const { noble } = setup([new Wristband({ address: BAND, seed: 1, clock }), new Probe({ clock })]);
    const seen: Peripheral[] = [];
    noble.on('discover', (p: Peripheral) => seen.push(p));
    await noble.startScanningAsync(['180d'], false);
    await new Promise((r) => setTimeout(r, 50));
    await noble.stopScanningAsync();
    expect(seen.map((p) => [p.id, p.address, p.addressType, p.connectable, p.rssi])).toEqual([
      ['d00000002001', 'd0:00:00:00:20:01', 'public', true, -60],
    ]);
    expect(seen[0]!.advertisement).toEqual({
      localName: 'Linkwell Band',
      txPowerLevel: undefined,
      manufacturerData: undefined,
      serviceData: [],
      serviceUuids: ['180d', '180f'],
      serviceSolicitationUuids: [],
    });
  });

  it('matches a filter on Service Data and encodes manufacturer data with its company id little-endian', async () => {
    const clock = newClock();
    const { noble } = setup([new AdvertOnlyScale(SCALE, clock), new Probe({ clock })]);
    const seen = nextEvents(noble, 'discover', 1);
    await noble.startScanningAsync(['181b'], false);
    const [[p]] = (await within(seen, 1000, 'discover')) as [[Peripheral]];
    await noble.stopScanningAsync();
    expect(p.connectable).toBe(false);
    expect(p.advertisement.localName).toBe('MIBFS');
    expect(p.advertisement.txPowerLevel).toBe(-4);
    expect([...p.advertisement.manufacturerData]).toEqual([0x57, 0x01, 0xaa, 0xbb]);
    expect(p.advertisement.serviceData.map((d) => [d.uuid, [...d.data]])).toEqual([['181b', [0x02, 0x00]]]);
  });

  it('re-reports an advert-only device each time its Service Data changes while scanning', async () => {
    const clock = newClock();
    const scale = new AdvertOnlyScale(SCALE, clock);
    const { noble } = setup([scale]);
    const frames: number[][] = [];
    noble.on('discover', (p: Peripheral) => frames.push([...p.advertisement.serviceData[0]!.data]));
    await noble.startScanningAsync([], false);
    await within(nextEvents(noble, 'discover', 1), 1000, 'first report');
    scale.weigh([0x22, 0x84, 0x03]);
    scale.weigh([0x22, 0xa0, 0x03]);
    await noble.stopScanningAsync();
    scale.weigh([0x22, 0xb0, 0x03]);
    expect(frames).toEqual([
      [0x02, 0x00],
      [0x22, 0x84, 0x03],
      [0x22, 0xa0, 0x03],
    ]);
  });

  it('repeats reports once per advertising interval when duplicates are allowed', async () => {
    const clock = newClock();
    const { noble } = setup([new Probe({ clock })], { clock, advertisingIntervalMs: 100 });
    const ids: string[] = [];
    noble.on('discover', (p: Peripheral) => ids.push(p.id));
    await noble.startScanningAsync([], true);
    await within(nextEvents(noble, 'discover', 1), 1000, 'first report');
    clock.advance(300);
    await noble.stopScanningAsync();
    clock.advance(300);
    expect(ids).toEqual([PROBE_ID, PROBE_ID, PROBE_ID, PROBE_ID]);
  });

  it('reports a connectable device once per scan without duplicates, and again in the next scan', async () => {
    const clock = newClock();
    const probe = new Probe({ clock });
    const { noble } = setup([probe]);
    const ids: string[] = [];
    noble.on('discover', (p: Peripheral) => ids.push(p.id));
    await noble.startScanningAsync([], false);
    await within(nextEvents(noble, 'discover', 1), 1000, 'report');
    probe.advertise({ rssi: -70 });
    await new Promise((r) => setTimeout(r, 20));
    await noble.stopScanningAsync();
    await noble.startScanningAsync([], false);
    await within(nextEvents(noble, 'discover', 1), 1000, 'report');
    await noble.stopScanningAsync();
    expect(ids).toEqual([PROBE_ID, PROBE_ID]);
  });

  it('stops reporting a device that went out of range', async () => {
    const clock = newClock();
    const probe = new Probe({ clock });
    const { noble, bindings } = setup([probe]);
    bindings.removePeripheral(probe.address);
    const ids: string[] = [];
    noble.on('discover', (p: Peripheral) => ids.push(p.id));
    await noble.startScanningAsync([], true);
    await new Promise((r) => setTimeout(r, 30));
    bindings.addPeripheral(probe);
    await within(nextEvents(noble, 'discover', 1), 1000, 'report after coming back');
    await noble.stopScanningAsync();
    expect(ids).toEqual([PROBE_ID]);
  });

  it('confirms scan parameters', async () => {
    const { noble } = setup([]);
    await within(
      new Promise<void>((resolve) => noble.setScanParameters(0x10, 0x10, resolve)),
      1000,
      'scanParametersSet',
    );
  });
});
