import { MiScale } from '@linkwell/device-sim';
import { parseReadingsEnvelope, type Reading, type ScanResult, toHex } from '@linkwell/firmware-protocol';
import { createGateway, type Uplink } from '@linkwell/gateway';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../src/wait.js';
import { centralOver, closeCentrals, newClock, Probe } from './harness.js';

const SCALE = 'C4:00:00:00:80:01';
const FRAME_MS = 500;
/** 5 settling frames, 3 stabilised ones and "load removed" (device-sim mi-scale-sequence.ts). */
const FRAMES = 9;

const distinct = (frames: string[]) => frames.filter((f, i) => i === 0 || f !== frames[i - 1]);
const heardFrames = (adverts: ScanResult[]) =>
  distinct(adverts.flatMap((r) => (r.serviceData?.['181d'] ? [toHex(r.serviceData['181d'])] : [])));

afterEach(closeCentrals);

function world() {
  const clock = newClock();
  const scale = new MiScale({ address: SCALE, seed: 9, clock, model: 'mi-scale', users: [{ weightKg: 88 }] });
  const sent: string[] = [];
  scale.onAdvertisement((a) => {
    const f = a.serviceData?.['181d'];
    if (f) sent.push(toHex(f));
  });
  const probe = new Probe({ clock });
  const { central } = centralOver(
    [scale, probe],
    { poweredOnMs: 300 },
    { clock, advertisingIntervalMs: 200 },
  );
  /** Plays one weighing; each frame is left on the air for 500 ms of the sim clock (two repeat reports). */
  const weigh = async (heard: () => string[]) => {
    sent.length = 0;
    scale.step();
    for (let i = 0; i < FRAMES; i++) {
      await until(`frame ${i + 1}`, () => heard().length >= distinct(sent).length);
      if (i < FRAMES - 1) clock.advance(FRAME_MS);
    }
  };
  return { clock, scale, sent, central, weigh };
}

describe('advertisement watch over noble with the sim bindings', () => {
  it('reports every service-data frame, repeats included (allowDuplicates), and a scan does not end it', async () => {
    const w = world();
    const adverts: ScanResult[] = [];
    const stop = await w.central.watchAdvertisements({ services: ['181d'] }, (r) => adverts.push(r));
    await w.weigh(() => heardFrames(adverts));
    expect(heardFrames(adverts)).toEqual(distinct(w.sent));
    // Unchanged frames were heard again: more reports than changes.
    expect(adverts.length).toBeGreaterThan(distinct(w.sent).length);
    expect(adverts.every((r) => r.address === SCALE && r.name === 'MI SCALE2')).toBe(true);

    const found = await w.central.scan({ durationMs: 50 });
    expect(found.map((r) => r.address).sort()).toEqual(['C0:FF:EE:00:00:01', SCALE]);
    // A minute later; the reports of the last frame, still on the air, are not part of the next weighing.
    w.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 20));
    adverts.length = 0;
    await w.weigh(() => heardFrames(adverts));
    expect(heardFrames(adverts)).toEqual(distinct(w.sent));
    await stop();
    const after = adverts.length;
    w.clock.advance(2_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(adverts.length).toBe(after);
  });

  it('fails with GATEWAY_ERR_BLE_UNAVAILABLE when noble never powers on', async () => {
    const clock = newClock();
    const { central } = centralOver([new Probe({ clock })], { poweredOnMs: 100 }, { state: 'poweredOff' });
    await expect(central.watchAdvertisements({}, () => {})).rejects.toMatchObject({
      code: 'GATEWAY_ERR_BLE_UNAVAILABLE',
    });
  });

  it('a MiScale weighing reaches the gateway uplink as exactly one body_weight reading with the exact weight', async () => {
    const w = world();
    const readings: Reading[] = [];
    const uplink: Uplink = {
      async publishReadings(env) {
        readings.push(...parseReadingsEnvelope(JSON.stringify(env)).readings);
      },
      async publishEvent() {},
      async close() {},
    };
    const gw = createGateway({
      id: 'gw_noble_advert',
      central: w.central,
      uplink,
      logger: pino({ level: 'silent' }),
      now: () => w.clock.now(),
      batch: { maxReadings: 10, lingerMs: 20 },
    });
    const heard: ScanResult[] = [];
    // The start-up scan runs on real time (2 s); the watch starts right after it.
    await gw.start();
    const stopTap = await w.central.watchAdvertisements({ services: ['181d'] }, (r) => heard.push(r));
    await w.weigh(() => heardFrames(heard));
    // The closing frame, repeated for a while as the scale keeps advertising it.
    w.clock.advance(2_000);
    await stopTap();
    await until('the reading', () => readings.length > 0);
    await gw.stop();
    const taken = w.scale.taken[0]!;
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({
      device: SCALE,
      metric: 'body_weight',
      slot: null,
      values: { weight: taken.weightKg },
      quality: ['attribution_by_weight'],
      time_source: 'device',
      t: Math.floor((taken.at + 5 * FRAME_MS) / 1000) * 1000,
      rt: taken.at + 5 * FRAME_MS,
    });
  });
});
