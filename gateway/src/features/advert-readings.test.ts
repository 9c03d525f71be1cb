import {
  type Clock,
  InMemoryRadio,
  ManualClock,
  MiScale,
  type MiScaleOptions,
  SimPeripheral,
} from '@linkwell/device-sim';
import {
  type BleCentral,
  encodeMiScaleV1,
  epochMsToDateTime,
  parseReadingsEnvelope,
  type Reading,
  type ReadingsEnvelope,
} from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createGateway, type GatewayDeps } from '../gateway.js';
import { UnpairedDevices } from '../state/unpaired-devices.js';
import type { Uplink } from '../uplink/mqtt-uplink.js';

const T0 = Date.UTC(2026, 10, 23, 8);
const SCALE = 'C4:00:00:00:00:10';
/** MiScale plays 5 settling frames, the stable ones, then "load removed", one every 500 ms. */
const WEIGHING_MS = 10 * 500;

/** A device whose advertisement the test sets byte for byte. */
class RawAdvertiser extends SimPeripheral {
  advertiseData(serviceData: Record<string, Uint8Array>): void {
    this.updateAdvertisement({ serviceData });
  }
}

function recordingUplink() {
  const envelopes: ReadingsEnvelope[] = [];
  const events: Record<string, unknown>[] = [];
  const uplink: Uplink = {
    async publishReadings(env) {
      envelopes.push(parseReadingsEnvelope(JSON.stringify(env)));
    },
    async publishEvent(e) {
      events.push(e);
    },
    async close() {},
  };
  return { uplink, envelopes, events, readings: () => envelopes.flatMap((e) => e.readings) };
}

function miScale(clock: Clock, opts: Partial<MiScaleOptions> = {}): MiScale {
  return new MiScale({
    address: SCALE,
    seed: 3,
    clock,
    model: 'mi-scale',
    users: [{ weightKg: 72 }, { weightKg: 58 }],
    ...opts,
  });
}

async function setup(
  devices: (clock: ManualClock) => SimPeripheral[],
  deps: Partial<GatewayDeps> = {},
  central?: (radio: InMemoryRadio) => BleCentral,
) {
  const clock = new ManualClock(T0);
  const radio = new InMemoryRadio();
  const peripherals = devices(clock);
  for (const p of peripherals) radio.add(p);
  const rec = recordingUplink();
  const gw = createGateway({
    id: 'gw_adv',
    central: central ? central(radio) : radio,
    uplink: rec.uplink,
    logger: pino({ level: 'silent' }),
    now: () => clock.now(),
    schedule: (fn, ms) => clock.setTimeout(fn, ms),
    batch: { maxReadings: 100, lingerMs: 60_000 },
    ...deps,
  });
  const rejected: unknown[] = [];
  const watchFailed: { code: string }[] = [];
  gw.bus.on('frame.rejected', (f) => rejected.push(f));
  gw.bus.on('advert.watch_failed', (e) => watchFailed.push(e));
  await gw.start();
  return { clock, radio, gw, peripherals, rejected, watchFailed, ...rec };
}

describe('readings from advertisement-only devices over the in-memory radio', () => {
  it('turns one Mi scale weighing into exactly one body_weight reading with the stabilised weight', async () => {
    const s = await setup((clock) => [miScale(clock)]);
    const attempts: string[] = [];
    s.gw.bus.on('device.reconnecting', (e) => attempts.push(e.address));
    const scale = s.peripherals[0] as MiScale;
    scale.step();
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    // It cannot be connected to, and the gateway does not try.
    expect(attempts).toEqual([]);
    const readings = s.readings();
    expect(readings).toHaveLength(1);
    const taken = scale.taken[0]!;
    // The clock is set: the time is the scale's own, of the first stabilised frame (5 settling frames before it).
    const firstStable = Math.floor((taken.at + 5 * 500) / 1000) * 1000;
    expect(readings[0]).toMatchObject({
      device: SCALE,
      metric: 'body_weight',
      char: '181d',
      slot: null,
      values: { weight: taken.weightKg },
      quality: ['attribution_by_weight'],
      time_source: 'device',
      t: firstStable,
      rt: taken.at + 5 * 500,
    });
  });

  it('gives two readings for two weighings, each with its own weight', async () => {
    const s = await setup((clock) => [miScale(clock)]);
    const scale = s.peripherals[0] as MiScale;
    scale.step({ user: 0 });
    s.clock.advance(WEIGHING_MS + 60_000);
    scale.step({ user: 1 });
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    expect(s.readings().map((r) => r.values.weight)).toEqual(scale.taken.map((t) => t.weightKg));
    expect(new Set(s.readings().map((r) => r.id)).size).toBe(2);
  });

  it('uses gateway time when the scale clock was never set', async () => {
    const s = await setup((clock) => [miScale(clock, { unsetClock: 1970 })]);
    const scale = s.peripherals[0] as MiScale;
    scale.step();
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    const [r] = s.readings();
    expect(r).toMatchObject({ time_source: 'gateway', t: scale.taken[0]!.at + 2500 });
  });

  it('relays the body-composition scale once, with the impedance its last stabilised frames add', async () => {
    const s = await setup((clock) => [miScale(clock, { model: 'mi-body-composition' })]);
    const scale = s.peripherals[0] as MiScale;
    scale.step();
    s.clock.advance(12 * 500);
    await s.gw.stop();
    const readings = s.readings();
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({
      metric: 'body_composition',
      values: { weight: scale.taken[0]!.weightKg, impedance: scale.taken[0]!.impedanceOhm },
    });
  });

  it('announces a scale first heard after the start-up scan as device.discovered', async () => {
    const late = miScale(new ManualClock(T0));
    const s = await setup(() => []);
    s.radio.add(late);
    await s.gw.stop();
    expect(s.events.filter((e) => e.type === 'device.discovered')).toEqual([
      expect.objectContaining({ address: SCALE, profile: 'xiaomi.mi-scale', vendor: 'Xiaomi' }),
    ]);
  });

  it('ignores a device the household unpaired', async () => {
    const unpaired = UnpairedDevices.inMemory();
    await unpaired.add(SCALE);
    const s = await setup((clock) => [miScale(clock)], { unpaired });
    (s.peripherals[0] as MiScale).step();
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    expect(s.readings()).toEqual([]);
  });

  it('ignores service data no advertisement profile claims', async () => {
    const s = await setup((clock) => [
      // A Mi scale name, but its frame under the MiBeacon UUID rather than 0x181D.
      new RawAdvertiser({
        address: 'C4:00:00:00:00:11',
        name: 'MI SCALE2',
        clock,
        advertisedServices: ['181d'],
      }),
      // A valid Mi frame from a device no Xiaomi profile matches (the generic scale profile has no advert block).
      new RawAdvertiser({ address: 'C4:00:00:00:00:12', name: 'Other', clock, advertisedServices: ['181d'] }),
    ]);
    const [a, b] = s.peripherals as RawAdvertiser[];
    a!.advertiseData({ fe95: stableFrame(70, T0) });
    b!.advertiseData({ '181d': stableFrame(70, T0) });
    b!.advertiseData({ '181d': stableFrame(70, T0, true) });
    s.clock.advance(10_000);
    await s.gw.stop();
    expect(s.readings()).toEqual([]);
    expect(s.rejected).toEqual([]);
  });

  it('reports a corrupt frame as frame.rejected with its PROTO_ERR code and publishes nothing', async () => {
    const s = await setup((clock) => [
      new RawAdvertiser({ address: SCALE, name: 'MI SCALE2', clock, advertisedServices: ['181d'] }),
    ]);
    const dev = s.peripherals[0] as RawAdvertiser;
    dev.advertiseData({ '181d': Uint8Array.of(0x22, 0x10) });
    s.clock.advance(10_000);
    await s.gw.stop();
    expect(s.readings()).toEqual([]);
    expect(s.rejected).toEqual([
      expect.objectContaining({
        address: SCALE,
        characteristic: '181d',
        code: 'PROTO_ERR_WRONG_LENGTH',
        raw: '2210',
      }),
    ]);
    expect(s.events.filter((e) => e.type === 'frame.rejected')).toEqual([
      expect.objectContaining({ address: SCALE, code: 'PROTO_ERR_WRONG_LENGTH' }),
    ]);
  });

  it('closes a weighing whose "load removed" frame never came after settleMs, once', async () => {
    const s = await setup(
      (clock) => [
        new RawAdvertiser({ address: SCALE, name: 'MI SCALE2', clock, advertisedServices: ['181d'] }),
      ],
      { advertisements: { settleMs: 3000 } },
    );
    const dev = s.peripherals[0] as RawAdvertiser;
    dev.advertiseData({ '181d': stableFrame(81.5, T0) });
    s.clock.advance(500);
    dev.advertiseData({ '181d': stableFrame(81.5, T0 + 1000) });
    s.clock.advance(2999);
    expect(s.gw.stats().readingsTaken).toBe(0);
    s.clock.advance(1);
    expect(s.gw.stats().readingsTaken).toBe(1);
    // The same closing frame heard again later (a repeat report) makes no second reading.
    dev.advertiseData({ '181d': stableFrame(81.5, T0) });
    dev.advertiseData({ '181d': stableFrame(81.5, T0 + 1000) });
    s.clock.advance(5000);
    await s.gw.stop();
    expect(s.readings().map((r: Reading) => [r.values.weight, r.t])).toEqual([[81.5, T0]]);
  });

  it('adds the weight hint when household members are configured', async () => {
    const s = await setup((clock) => [miScale(clock)], {
      attribution: { members: [{ member: 'dependent-1', recentKg: 72 }] },
    });
    (s.peripherals[0] as MiScale).step();
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    const [r] = s.readings();
    expect(r?.hint).toMatchObject({ by: 'weight', member: 'dependent-1', candidates: ['dependent-1'] });
    expect(r?.slot).toBeNull();
  });

  it('announces GATEWAY_ERR_ADVERT_WATCH_FAILED when the central cannot watch advertisements', async () => {
    const s = await setup(
      (clock) => [miScale(clock)],
      {},
      (radio) => ({ scan: (o) => radio.scan(o), connect: (a) => radio.connect(a) }),
    );
    (s.peripherals[0] as MiScale).step();
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    expect(s.watchFailed).toEqual([expect.objectContaining({ code: 'GATEWAY_ERR_ADVERT_WATCH_FAILED' })]);
    expect(s.readings()).toEqual([]);
  });

  it('retries a watch the central refused, and then relays the weighing', async () => {
    let refusals = 1;
    const s = await setup(
      (clock) => [miScale(clock)],
      { advertisements: { retryMs: 1000 } },
      (radio) => ({
        scan: (o) => radio.scan(o),
        connect: (a) => radio.connect(a),
        watchAdvertisements: async (o, on) => {
          if (refusals-- > 0) throw new Error('org.bluez.Error.NotReady');
          return radio.watchAdvertisements(o, on);
        },
      }),
    );
    expect(s.watchFailed).toHaveLength(1);
    s.clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    (s.peripherals[0] as MiScale).step();
    s.clock.advance(WEIGHING_MS);
    await s.gw.stop();
    expect(s.readings()).toHaveLength(1);
  });
});

function stableFrame(kg: number, at: number, loadRemoved = false): Uint8Array {
  return encodeMiScaleV1({
    unit: 'kg',
    weight: kg,
    stabilized: true,
    loadRemoved,
    theengsObjectMode: false,
    timestamp: epochMsToDateTime(at),
    otherControlBits: 0x02,
  });
}
