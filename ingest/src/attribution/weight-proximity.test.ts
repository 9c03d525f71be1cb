import { describe, expect, it } from 'vitest';
import { decideWeight, type MemberRule, median, ruleConfidence } from './weight-proximity.js';

const range = (id: string, accountId: string, minKg: number, maxKg: number, threshold = 0.6): MemberRule => ({
  id,
  accountId,
  deviceId: null,
  kind: 'weight_range',
  minKg,
  maxKg,
  toleranceKg: null,
  threshold,
});
const trend = (id: string, accountId: string, toleranceKg: number, threshold = 0.5): MemberRule => ({
  id,
  accountId,
  deviceId: null,
  kind: 'weight_near_trend',
  minKg: null,
  maxKg: null,
  toleranceKg,
  threshold,
});
const ctx = (o: Partial<Parameters<typeof decideWeight>[1]>) => ({
  deviceId: 'dev_s',
  members: ['a', 'b', 'c'],
  rules: [],
  recent: new Map<string, number[]>(),
  ...o,
});

describe('median', () => {
  it('is the middle value, the mean of the two middle ones for an even count, undefined for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('ruleConfidence', () => {
  it('weight_range: 1 at the centre, 0.5 at both edges, no opinion outside', () => {
    const r = range('r', 'a', 60, 80);
    expect(ruleConfidence(r, 70, undefined)).toBe(1);
    expect(ruleConfidence(r, 60, undefined)).toBe(0.5);
    expect(ruleConfidence(r, 80, undefined)).toBe(0.5);
    expect(ruleConfidence(r, 75, undefined)).toBe(0.75);
    expect(ruleConfidence(r, 59.99, undefined)).toBeUndefined();
    expect(ruleConfidence(r, 80.01, undefined)).toBeUndefined();
  });

  it('weight_near_trend: 1 − distance / tolerance from the median of recent weights; none without recent weights or beyond the tolerance', () => {
    const r = trend('t', 'a', 2);
    expect(ruleConfidence(r, 71, [70, 69, 90])).toBe(0.5); // median 70, not dragged by the stray 90
    expect(ruleConfidence(r, 70, [70])).toBe(1);
    expect(ruleConfidence(r, 72, [70])).toBe(0);
    expect(ruleConfidence(r, 72.01, [70])).toBeUndefined();
    expect(ruleConfidence(r, 70, [])).toBeUndefined();
    expect(ruleConfidence(r, 70, undefined)).toBeUndefined();
  });
});

describe('decideWeight', () => {
  it('attributes to the one member whose rule passes its threshold, naming the rule', () => {
    const d = decideWeight(62, ctx({ rules: [range('r1', 'a', 55, 65), range('r2', 'b', 75, 95)] }));
    expect(d).toEqual({
      kind: 'attributed',
      account: 'a',
      attribution: { method: 'weight-proximity', confidence: 0.8, rule: 'rule:r1 weight-range 55-65kg' },
    });
  });

  it('holds when the best rule stays under its threshold, listing it as a candidate', () => {
    const d = decideWeight(64.5, ctx({ rules: [range('r1', 'a', 55, 65, 0.9)] }));
    expect(d).toMatchObject({
      kind: 'ambiguous',
      hint: [{ account: 'a', confidence: 0.55, rule: 'rule:r1 weight-range 55-65kg' }],
    });
  });

  it('holds when two members pass their thresholds, however different their confidences', () => {
    const d = decideWeight(
      70,
      ctx({ rules: [range('r1', 'a', 60, 80), trend('r2', 'b', 3)], recent: new Map([['b', [71]]]) }),
    );
    expect(d).toEqual({
      kind: 'ambiguous',
      hint: [
        { account: 'a', confidence: 1, rule: 'rule:r1 weight-range 60-80kg' },
        { account: 'b', confidence: 0.67, rule: 'rule:r2 weight-near-trend ±3kg' },
      ],
      message: '70 kg passes the rules of 2 members (a, b)',
    });
  });

  it('never attributes without a rule: members without one are candidates by the default tolerance (2 kg or 3 %) only', () => {
    const d = decideWeight(
      100.5,
      ctx({
        recent: new Map([
          ['a', [100]],
          ['b', [80]],
          ['c', [98]],
        ]),
      }),
    );
    // a: tolerance max(2, 3 % of 100) = 3 → 1 − 0.5/3; c: max(2, 2.94) → 1 − 2.5/2.94; b is 20 kg away.
    expect(d).toEqual({
      kind: 'ambiguous',
      hint: [
        { account: 'a', confidence: 0.83, rule: 'default weight-near-trend ±3kg' },
        { account: 'c', confidence: 0.15, rule: 'default weight-near-trend ±2.94kg' },
      ],
      message: "100.5 kg: no member's rule attributes it with enough confidence",
    });
  });

  it('ignores rules of non-members and rules for another device (that member gets the default hint instead)', () => {
    const other = { ...range('r1', 'a', 60, 80), deviceId: 'dev_other' };
    const d = decideWeight(
      70,
      ctx({ members: ['a', 'b'], rules: [other, range('r2', 'zz', 60, 80)], recent: new Map([['a', [70]]]) }),
    );
    expect(d).toEqual({
      kind: 'ambiguous',
      hint: [{ account: 'a', confidence: 1, rule: 'default weight-near-trend ±2.1kg' }],
      message: "70 kg: no member's rule attributes it with enough confidence",
    });
  });

  it('gives a member with an applicable rule no default hint, even when the rule has no opinion', () => {
    const d = decideWeight(
      90,
      ctx({ members: ['a'], rules: [range('r1', 'a', 60, 80)], recent: new Map([['a', [90]]]) }),
    );
    expect(d).toMatchObject({ kind: 'ambiguous', hint: [] });
  });

  it('passes to the member with a passing rule even when another rule of theirs does not', () => {
    const d = decideWeight(
      70.5,
      ctx({ rules: [range('r1', 'a', 69, 71, 1), trend('r2', 'a', 2)], recent: new Map([['a', [70.2]]]) }),
    );
    expect(d).toMatchObject({
      kind: 'attributed',
      account: 'a',
      attribution: { rule: 'rule:r2 weight-near-trend ±2kg', confidence: 0.85 },
    });
  });

  it("adds the gateway's hint members not otherwise listed (its named member with its confidence), and only household members", () => {
    const d = decideWeight(
      70,
      ctx({
        gatewayHint: { by: 'weight', member: 'b', confidence: 0.72, candidates: ['b', 'c', 'stranger'] },
      }),
    );
    expect(d).toMatchObject({
      kind: 'ambiguous',
      hint: [
        { account: 'b', confidence: 0.72, rule: 'gateway-hint' },
        { account: 'c', confidence: 0, rule: 'gateway-hint' },
      ],
    });
  });
});
