import { type BloodPressureCuff, UNSET_2000, type WeightScale } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import { featureHome, T0, until } from '../../test/feature-home.js';

const CUFF = 'D0:00:00:00:00:02';
const SCALE = 'D0:00:00:00:00:03';
const HOUR = 3_600_000;

describe('time sync on connect', () => {
  it('sets the cuff clock and moves the two readings its unset clock stamped to when they were taken', async () => {
    const { clock, home, gw, readings, of } = featureHome([{ kind: 'bp-cuff', address: CUFF }]);
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    cuff.measure({ user: 1 });
    clock.advance(60_000);
    clock.advance(2 * HOUR);
    cuff.measure({ user: 2 });
    clock.advance(60_000);
    clock.advance(5 * HOUR);
    expect(cuff.stored).toBe(2);
    expect(cuff.readings.map((r) => r.measurement.timestamp?.year)).toEqual([2000, 2000]);

    await gw.start();
    await until(() => readings.length === 2, 'two stored readings');
    expect(cuff.deviceClock.isSet).toBe(true);
    const [synced] = of('device.time_synced');
    expect(synced?.address).toBe(CUFF);
    // The cuff's clock started at 2000-01-01 when it was built at T0 and ran since.
    expect(Math.abs((synced?.offsetMs as number) - (T0 - UNSET_2000))).toBeLessThan(1000);
    readings.forEach((r, i) => {
      const truth = cuff.readings[i]!;
      expect(r.time_source).toBe('corrected');
      expect(Math.abs(r.t - truth.at)).toBeLessThanOrEqual(1000);
      expect(r.slot).toBe(truth.user);
      expect(r.values.systolic).toBe(truth.systolic);
      expect(r.quality).toContain('history');
    });

    // Taken after the sync: the cuff's own, now right, time stamp stays the device's.
    cuff.measure({ user: 1 });
    clock.advance(60_000);
    await until(() => readings.length === 3, 'the live reading');
    const live = readings[2]!;
    expect(live.time_source).toBe('device');
    expect(Math.abs(live.t - cuff.readings[2]!.at)).toBeLessThanOrEqual(1000);
    expect(live.quality).not.toContain('history');
    await gw.stop();
  });

  it('keeps days-old history from a scale whose clock was right as device time', async () => {
    const { clock, home, gw, readings, of } = featureHome(
      [{ kind: 'scale', address: SCALE, options: { unsetClock: false, unsuccessfulRate: 0 } }],
      { users: [{ address: SCALE, index: 1, consent: 1234 }] },
    );
    const scale = home.find('scale') as WeightScale;
    scale.step({ user: 1 });
    clock.advance(3 * 24 * HOUR);
    await gw.start();
    await until(() => readings.some((r) => r.metric === 'body_weight'), 'the stored weight');
    const w = readings.find((r) => r.metric === 'body_weight')!;
    expect(Math.abs((of('device.time_synced')[0]?.offsetMs as number) ?? Number.NaN)).toBeLessThan(1000);
    expect(w.time_source).toBe('device');
    expect(w.t).toBe(Math.floor(scale.taken[0]!.at / 1000) * 1000);
    expect(w.quality).toContain('history');
    await gw.stop();
  });

  it('does not touch the clock when time sync is off, and unset stamps then fall back to gateway time', async () => {
    const { clock, home, gw, readings, of } = featureHome([{ kind: 'bp-cuff', address: CUFF }], {
      timeSync: false,
    });
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    cuff.measure({ user: 1 });
    clock.advance(HOUR);
    await gw.start();
    await until(() => readings.length === 1, 'the stored reading');
    expect(cuff.deviceClock.isSet).toBe(false);
    expect(of('device.time_synced')).toEqual([]);
    expect(readings[0]).toMatchObject({ time_source: 'gateway', t: clock.now() });
    await gw.stop();
  });
});
