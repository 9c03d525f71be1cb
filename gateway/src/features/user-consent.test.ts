import type { WeightScale } from '@linkwell/device-sim';
import { describe, expect, it } from 'vitest';
import { featureHome, until } from '../../test/feature-home.js';

const SCALE = 'D0:00:00:00:00:03';
const USERS = [
  { address: SCALE, index: 1, consent: 1234 },
  { address: SCALE, index: 2, consent: 5678 },
];

describe('UDS consent on a multi-user scale', () => {
  it('consents each user on their own link and attributes every replayed weight to the right slot', async () => {
    const { clock, home, gw, readings, of } = featureHome(
      [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } }],
      { users: USERS, uds: { quietMs: 20 } },
    );
    const scale = home.find('scale') as WeightScale;
    for (const user of [1, 2, 1]) {
      scale.step({ user });
      clock.advance(10 * 60_000);
    }
    expect(scale.storedReadings(1)).toHaveLength(2);
    expect(scale.storedReadings(2)).toHaveLength(1);

    await gw.start();
    await until(() => readings.filter((r) => r.metric === 'body_weight').length === 3, 'three weights');
    await until(() => of('device.user_consented').length === 2, 'two consents');
    expect(of('device.user_consented').map((e) => e.index)).toEqual([1, 2]);
    // One consented user per link: the gateway handed over once, without counting it as a failure.
    expect(of('device.disconnected').map((e) => e.reason)).toEqual(['next UDS user']);
    expect(of('device.reconnecting')).toEqual([
      { type: 'device.reconnecting', address: SCALE, attempt: 0, delayMs: 0 },
    ]);
    expect(scale.storedReadings(1)).toHaveLength(0);
    expect(scale.storedReadings(2)).toHaveLength(0);

    const weights = readings.filter((r) => r.metric === 'body_weight');
    const bySlot = (slot: number) => weights.filter((r) => r.slot === slot).map((r) => r.values.weight);
    const truth = (user: number) => scale.taken.filter((t) => t.userId === user).map((t) => t.weightKg);
    expect(bySlot(1)).toEqual(truth(1));
    expect(bySlot(2)).toEqual(truth(2));
    // The scale's clock was unset (2000) when they stepped on; the gateway moved the stamps to the real times.
    for (const w of weights) {
      // Oldest first per user, as the scale replays them.
      const mine = weights.filter((x) => x.slot === w.slot);
      const t = scale.taken.filter((x) => x.userId === w.slot)[mine.indexOf(w)]!;
      expect(w.time_source).toBe('corrected');
      expect(Math.abs(w.t - t.at)).toBeLessThanOrEqual(1000);
      expect(w.quality).toContain('history');
    }
    // Body composition came along, attributed to the same users.
    expect(new Set(readings.filter((r) => r.metric === 'body_composition').map((r) => r.slot))).toEqual(
      new Set([1, 2]),
    );
    await gw.stop();
  });

  it('with revisitMs, starts the next round on an awake scale, so the other user’s new weighing arrives', async () => {
    const { clock, home, gw, readings, of } = featureHome(
      [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } }],
      { users: USERS, uds: { quietMs: 20, revisitMs: 100 } },
    );
    const scale = home.find('scale') as WeightScale;
    await gw.start();
    await until(() => of('device.user_consented').length === 2, 'the first round');
    // The link is now user 2's: user 1's weighing stays on the scale until a round consents as user 1.
    scale.step({ user: 1 });
    clock.advance(60_000);
    await until(
      () => readings.some((r) => r.metric === 'body_weight' && r.slot === 1),
      "user 1's weighing after the revisit",
    );
    expect(of('device.disconnected').map((e) => e.reason)).toContain('next round of UDS users');
    expect(readings.filter((r) => r.metric === 'body_weight').map((r) => [r.slot, r.values.weight])).toEqual([
      [1, scale.taken[0]!.weightKg],
    ]);
    await gw.stop();
  });

  it('reports a refused consent with GATEWAY_ERR_CONSENT_FAILED and leaves that user history on the scale', async () => {
    const { clock, home, gw, readings, of } = featureHome(
      [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } }],
      { users: [{ address: SCALE, index: 1, consent: 4321 }] },
    );
    const scale = home.find('scale') as WeightScale;
    scale.step({ user: 1 });
    clock.advance(60_000);
    await gw.start();
    await until(() => of('device.feature_failed').length === 1, 'the failure');
    expect(of('device.feature_failed')[0]).toMatchObject({
      address: SCALE,
      feature: 'user-consent',
      code: 'GATEWAY_ERR_CONSENT_FAILED',
    });
    expect(of('device.feature_failed')[0]?.message).toContain('user_not_authorized');
    expect(of('device.user_consented')).toEqual([]);
    expect(of('device.connected')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(readings).toEqual([]);
    expect(scale.storedReadings(1)).toHaveLength(1);
    await gw.stop();
  });

  it('does not pair or consent when no user is configured for the scale', async () => {
    const { home, gw, of } = featureHome([{ kind: 'scale', address: SCALE }]);
    await gw.start();
    expect(of('device.connected')).toHaveLength(1);
    expect(of('device.user_consented')).toEqual([]);
    expect(home.find('scale')?.hasBond('in-memory-central')).toBe(false);
    await gw.stop();
  });
});
