import type { WeightScale } from '@linkwell/device-sim';
import { parseReadingsEnvelope } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { featureHome, until } from '../../test/feature-home.js';
import { AttributionHint, weightHint } from './attribution-hint.js';

const SCALE = 'D0:00:00:00:00:03';
const ALEX = { member: 'alex', recentKg: 82 };
const SAM = { member: 'sam', recentKg: 64 };

describe('weightHint', () => {
  it('names the only member within tolerance, confidence 1 − distance/tolerance', () => {
    // Alex's tolerance is max(2, 3 % of 82 = 2.46) = 2.46 kg; 81.4 is 0.6 kg away.
    expect(weightHint(81.4, [ALEX, SAM])).toEqual({
      by: 'weight',
      member: 'alex',
      confidence: 0.76,
      candidates: ['alex'],
    });
  });

  it('uses the 2 kg floor for a light member: 62.1 kg is within 2 kg of 64, not within 3 %', () => {
    expect(weightHint(62.1, [SAM])?.member).toBe('sam');
    expect(weightHint(61.9, [SAM])).toBeUndefined();
  });

  it('is ambiguous when two members are within tolerance: member null, both listed nearest first', () => {
    const twins = [
      { member: 'kim', recentKg: 70 },
      { member: 'lee', recentKg: 71.5 },
    ];
    expect(weightHint(71, twins)).toEqual({
      by: 'weight',
      member: null,
      confidence: 0,
      candidates: ['lee', 'kim'],
    });
  });

  it('gives no hint for a weight outside every tolerance (a guest of 100 kg)', () => {
    expect(weightHint(100, [ALEX, SAM])).toBeUndefined();
  });
});

describe('attribution hints on a scale without UDS', () => {
  it('hints a guest weight to the nearest member, ambiguous or not at all, and keeps the slot null', async () => {
    const hints = new AttributionHint({ members: [ALEX, SAM] });
    const { clock, home, gw, readings } = featureHome(
      [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } }],
      { attribution: hints },
    );
    const scale = home.find('scale') as WeightScale;
    await gw.start();
    const weighGuest = async (members: (kg: number) => void) => {
      scale.step();
      // The indication is still on its way: set the members' weights relative to what the scale measured.
      members(scale.taken.at(-1)!.weightKg!);
      const n = readings.length;
      await until(() => readings.length === n + 1, 'the weight');
      clock.advance(60_000);
      return readings.at(-1)!;
    };

    const near = await weighGuest((kg) => {
      hints.learn('alex', kg + 0.5);
      hints.learn('sam', kg - 10);
    });
    expect(near.slot).toBeNull();
    expect(near.quality).toContain('unknown_user');
    const tol = Math.max(2, 0.03 * (near.values.weight! + 0.5));
    expect(near.hint).toEqual({
      by: 'weight',
      member: 'alex',
      confidence: Math.round((1 - 0.5 / tol) * 100) / 100,
      candidates: ['alex'],
    });
    const env = { v: 1 as const, gw: 'gw_features', seq: 0, sent_at: 0, readings: [near] };
    expect(parseReadingsEnvelope(JSON.stringify(env)).readings[0]!.hint?.member).toBe('alex');

    const ambiguous = await weighGuest((kg) => {
      hints.learn('alex', kg + 0.5);
      hints.learn('sam', kg - 1);
    });
    expect(ambiguous.hint).toEqual({
      by: 'weight',
      member: null,
      confidence: 0,
      candidates: ['alex', 'sam'],
    });

    const stranger = await weighGuest((kg) => {
      hints.learn('alex', kg + 15);
      hints.learn('sam', kg - 15);
    });
    expect(stranger).not.toHaveProperty('hint');
    expect(stranger.slot).toBeNull();
    await gw.stop();
  });

  it('learns a member weight from readings attributed to their UDS slot, and hints nothing for them', async () => {
    const hints = new AttributionHint({
      members: [{ member: 'alex', recentKg: 50, slots: [{ address: SCALE.toLowerCase(), index: 1 }] }],
    });
    const { clock, home, gw, readings } = featureHome(
      [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } }],
      { users: [{ address: SCALE, index: 1, consent: 1234 }], attribution: hints },
    );
    const scale = home.find('scale') as WeightScale;
    scale.step({ user: 1 });
    clock.advance(60_000);
    await gw.start();
    await until(() => readings.some((r) => r.metric === 'body_weight'), 'the weight');
    const weight = readings.find((r) => r.metric === 'body_weight')!;
    expect(weight.slot).toBe(1);
    expect(weight).not.toHaveProperty('hint');
    expect(hints.recentKg('alex')).toBe(scale.taken[0]!.weightKg);
    await gw.stop();
  });

  it('refuses a member id the wire format cannot carry with GATEWAY_ERR_CONFIG', () => {
    expect(() => new AttributionHint({ members: [{ member: 'Alex Smith', recentKg: 80 }] })).toThrow(
      expect.objectContaining({ code: 'GATEWAY_ERR_CONFIG' }),
    );
  });
});
