import { describe, expect, it } from 'vitest';
import { bpAdherence7d, hasStage2, streakDays } from './adherence.js';

describe('adherence, streak and stage 2 (health traits)', () => {
  it('counts days of the last 7 with at least two BP readings', () => {
    const bp = new Map([
      [93, 5], // outside the 7 days 94…100
      [94, 2],
      [95, 1],
      [96, 3],
      [98, 2],
      [99, 2],
      [100, 4],
    ]);
    expect(bpAdherence7d(bp, 100)).toBe(5);
    expect(bpAdherence7d(new Map(), 100)).toBe(0);
  });

  it('counts the streak to today, or to yesterday while today has none yet', () => {
    expect(streakDays(new Set([95, 96, 97, 98, 99, 100]), 100)).toBe(6);
    expect(streakDays(new Set([95, 96, 97, 98, 99]), 100)).toBe(5);
    expect(streakDays(new Set([95, 96, 97, 98]), 100)).toBe(0);
  });

  it('sees a stage 2 flag in the last 30 days only', () => {
    expect(hasStage2([{ day: 71, flag: 'bp_stage2', count: 1 }], 100)).toBe(true);
    expect(hasStage2([{ day: 70, flag: 'bp_stage2', count: 1 }], 100)).toBe(false);
    expect(hasStage2([{ day: 90, flag: 'bp_stage2', count: 0 }], 100)).toBe(false);
    expect(hasStage2([{ day: 90, flag: 'other', count: 3 }], 100)).toBe(false);
  });
});
