import type { BloodPressureCuff } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import { featureHome, until } from '../../test/feature-home.js';

const CUFF = 'D0:00:00:00:00:02';

describe('history classification', () => {
  it('flags replayed readings as history, live ones not, and drops a repeat of a reading already taken', async () => {
    const { clock, home, gw, readings } = featureHome([{ kind: 'bp-cuff', address: CUFF }]);
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    cuff.measure({ user: 1 });
    clock.advance(60_000);
    clock.advance(3_600_000);
    await gw.start();
    await until(() => readings.length === 1, 'the stored reading');
    cuff.measure({ user: 2 });
    clock.advance(60_000);
    await until(() => readings.length === 2, 'the live reading');
    expect(readings.map((r) => r.quality.includes('history'))).toEqual([true, false]);

    // The cuff sends the first result again, as after a lost confirmation: same frame, same id, not taken twice.
    cuff.emitRaw('1810', '2a35', cuff.readings[0]!.frame);
    cuff.emitRaw('1810', '2a35', cuff.readings[1]!.frame);
    await new Promise((r) => setTimeout(r, 10));
    expect(readings).toHaveLength(2);
    await gw.stop();
  });

  it('leaves readings unflagged and repeats through when the feature is off', async () => {
    const { clock, home, gw, readings } = featureHome([{ kind: 'bp-cuff', address: CUFF }], {
      history: false,
    });
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    cuff.measure({ user: 1 });
    clock.advance(3_600_000);
    await gw.start();
    await until(() => readings.length === 1, 'the stored reading');
    cuff.emitRaw('1810', '2a35', cuff.readings[0]!.frame);
    await until(() => readings.length === 2, 'the repeat');
    expect(readings[0]!.quality).not.toContain('history');
    expect(readings[1]!.id).toBe(readings[0]!.id);
    await gw.stop();
  });
});
