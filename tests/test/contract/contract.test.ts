import { BloodPressureCuff, ManualClock, type SimPeripheral, Wristband } from '@linkwell/device-sim';
import {
  currentTimeFromEpochMs,
  dateTimeToEpochMs,
  decodeBloodPressureMeasurement,
  decodeHeartRateMeasurement,
  decodeIntermediateCuffPressure,
  encodeCurrentTime,
} from '@linkwell/firmware-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTransport, TransportFixture } from '../../src/contract/fixture.js';
import { bluezFixture } from '../../src/contract/fixtures/bluez.js';
import { inMemoryFixture } from '../../src/contract/fixtures/in-memory.js';
import { nobleFixture } from '../../src/contract/fixtures/noble.js';
import { collect, eventually, utf8 } from '../../src/contract/scenario.js';

/**
 * The shared contract: one scenario, three client stacks. A transport passes only if discovery, DIS
 * reads, notifications, indications, disconnect and the delivery of records stored while disconnected
 * all behave exactly as on the in-memory radio — byte for byte against the devices' wire logs.
 */
const FIXTURES: TransportFixture[] = [inMemoryFixture, bluezFixture, nobleFixture];
const BAND = 'D0:00:00:00:10:01';
const CUFF = 'D0:00:00:00:10:02';
const T0 = Date.UTC(2026, 10, 23, 7, 0, 0);
const N = 10;

describe.each(FIXTURES)('BLE contract over $name', (fixture) => {
  let clock: ManualClock;
  let band: Wristband;
  let cuff: BloodPressureCuff;
  let running: RunningTransport;

  beforeAll(async () => {
    clock = new ManualClock(T0);
    band = new Wristband({ address: BAND, seed: 20261123, clock });
    cuff = new BloodPressureCuff({ address: CUFF, seed: 7, clock });
    running = await fixture.start([band, cuff] satisfies SimPeripheral[]);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('discovers both devices, and filters by advertised service', async () => {
    const all = await running.central.scan({ durationMs: 1500 });
    expect(all.map((r) => r.address).sort()).toEqual([BAND, CUFF]);
    const hr = await running.central.scan({ durationMs: 1500, services: ['180d'] });
    expect(hr.map((r) => [r.address, r.name])).toEqual([[BAND, 'Linkwell Band']]);
    expect(hr[0]!.services).toContain('180d');
  });

  it('connects, reads Device Information, and receives N heart-rate notifications byte for byte', async () => {
    const link = await running.central.connect(BAND);
    expect(await link.services()).toEqual(expect.arrayContaining(['180d', '180a', '180f']));
    expect(utf8(await link.read('180a', '2a29'))).toBe('Linkwell Sim');
    const hrm = (await link.characteristics('180d')).find((c) => c.uuid === '2a37');
    expect(hrm?.properties).toContain('notify');

    const before = band.sent.length;
    const { values, stop } = await collect(link, '180d', '2a37');
    clock.advance(N * 1000);
    await eventually(`${N} notifications`, () => (values.length >= N ? true : undefined));
    const sent = band.sent.slice(before, before + N);
    expect(values.map((v) => [...v])).toEqual(sent.map((s) => [...s.frame]));
    expect(values.map((v) => decodeHeartRateMeasurement(v).heartRateBpm)).toEqual(sent.map((s) => s.bpm));
    await stop();

    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    await link.disconnect();
    await eventually('the wristband to see the disconnect', () => (band.connection ? undefined : true));
    clock.advance(5000);
    expect(band.sent.length).toBe(before + N);
  });

  it('relays intermediate cuff pressure as notifications and the result as an indication', async () => {
    const link = await running.central.connect(CUFF);
    await link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
    const icp = await collect(link, '1810', '2a36');
    const bpm = await collect(link, '1810', '2a35');
    cuff.measure({ user: 1 });
    clock.advance(60_000);
    await eventually('the measurement indication', () => (bpm.values.length === 1 ? true : undefined));
    const pressures = icp.values.map((v) => decodeIntermediateCuffPressure(v).currentCuffPressure);
    expect(pressures.length).toBeGreaterThan(5);
    const m = decodeBloodPressureMeasurement(bpm.values[0]!);
    expect(m.userId).toBe(1);
    expect(dateTimeToEpochMs(m.timestamp!)).toBeGreaterThanOrEqual(T0);
    await icp.stop();
    await bpm.stop();
    await link.disconnect();
    await eventually('the cuff to see the disconnect', () => (cuff.connection ? undefined : true));
  });

  it('delivers records stored while disconnected after reconnecting, oldest first, each confirmed', async () => {
    cuff.measure({ user: 1 });
    clock.advance(60_000);
    cuff.measure({ user: 2 });
    clock.advance(60_000);
    expect(cuff.stored).toBe(2);
    const storedFrames = cuff.wire.length;

    const link = await running.central.connect(CUFF);
    const bpm = await collect(link, '1810', '2a35');
    await eventually('two stored measurements', () => (bpm.values.length === 2 ? true : undefined));
    const decoded = bpm.values.map(decodeBloodPressureMeasurement);
    expect(decoded.map((m) => m.userId)).toEqual([1, 2]);
    const times = decoded.map((m) => dateTimeToEpochMs(m.timestamp!)!);
    expect(times[0]!).toBeLessThan(times[1]!);
    await eventually('the cuff to drop confirmed records', () => (cuff.stored === 0 ? true : undefined));
    const indicated = cuff.wire.slice(storedFrames).filter((w) => w.kind === 'indication');
    expect(indicated.map((w) => [...w.bytes])).toEqual(bpm.values.map((v) => [...v]));
    await bpm.stop();
    await link.disconnect();
  });
});
