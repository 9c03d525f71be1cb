import { describe, expect, it } from 'vitest';
import type { LifecycleStage } from '../catalog.js';
import { type LifecycleInput, lifecycleStage, transitionOf } from './lifecycle.js';

const T = 1000;
const base: LifecycleInput = {
  today: T,
  hasDevice: true,
  firstReadingDay: 800,
  lastReadingDay: T,
  firstDeviceDay: 790,
  churnRisk: 0,
  previous: null,
};
const stage = (over: Partial<LifecycleInput>) => lifecycleStage({ ...base, ...over });

describe('lifecycle stage', () => {
  it('is prospect without a device or a reading', () => {
    expect(
      stage({ hasDevice: false, firstReadingDay: null, lastReadingDay: null, firstDeviceDay: null }),
    ).toBe('prospect');
  });

  it('is onboarding for the first 14 days after the first reading, or the first device', () => {
    expect(stage({ firstReadingDay: 990, lastReadingDay: 990 })).toBe('onboarding');
    expect(stage({ firstReadingDay: 987, lastReadingDay: 987 })).toBe('onboarding'); // day 13
    expect(stage({ firstReadingDay: 986, lastReadingDay: 986 })).toBe('active'); // day 14
    expect(stage({ firstReadingDay: null, lastReadingDay: null, firstDeviceDay: 995 })).toBe('onboarding');
  });

  it('is dormant after 30 silent days and churned after 90', () => {
    expect(stage({ lastReadingDay: 970 })).toBe('active'); // 30
    expect(stage({ lastReadingDay: 969 })).toBe('dormant'); // 31
    expect(stage({ lastReadingDay: 910 })).toBe('dormant'); // 90
    expect(stage({ lastReadingDay: 909 })).toBe('churned'); // 91
    // A device linked 100 days ago and never used: silent since it was linked.
    expect(stage({ firstReadingDay: null, lastReadingDay: null, firstDeviceDay: 900 })).toBe('churned');
  });

  it('is at_risk from churn risk 0.5', () => {
    expect(stage({ lastReadingDay: 995, churnRisk: 0.5 })).toBe('at_risk');
    expect(stage({ lastReadingDay: 995, churnRisk: 0.49 })).toBe('active');
  });

  it('is reactivated after dormant or churned, for 30 days', () => {
    expect(stage({ previous: { stage: 'dormant', since: 950 } })).toBe('reactivated');
    expect(stage({ previous: { stage: 'churned', since: 800 } })).toBe('reactivated');
    expect(stage({ previous: { stage: 'reactivated', since: 975 } })).toBe('reactivated'); // 25 days
    expect(stage({ previous: { stage: 'reactivated', since: 970 } })).toBe('active'); // 30 days
    // Breaking the rhythm again beats reactivation.
    expect(stage({ churnRisk: 0.8, previous: { stage: 'dormant', since: 950 } })).toBe('at_risk');
  });

  it('walks every transition of one person and records each change once', () => {
    // day, input → expected stage; `previous` is fed from the step before, as the batch does.
    const steps: [Partial<LifecycleInput>, LifecycleStage][] = [
      [
        { today: 0, hasDevice: false, firstReadingDay: null, lastReadingDay: null, firstDeviceDay: null },
        'prospect',
      ],
      [{ today: 10, firstReadingDay: 10, lastReadingDay: 10, firstDeviceDay: 10 }, 'onboarding'],
      [{ today: 30, firstReadingDay: 10, lastReadingDay: 30, firstDeviceDay: 10 }, 'active'],
      [{ today: 40, firstReadingDay: 10, lastReadingDay: 30, firstDeviceDay: 10, churnRisk: 0.7 }, 'at_risk'],
      [{ today: 61, firstReadingDay: 10, lastReadingDay: 30, firstDeviceDay: 10, churnRisk: 1 }, 'dormant'],
      [{ today: 121, firstReadingDay: 10, lastReadingDay: 30, firstDeviceDay: 10, churnRisk: 1 }, 'churned'],
      [{ today: 130, firstReadingDay: 10, lastReadingDay: 130, firstDeviceDay: 10 }, 'reactivated'],
      [{ today: 170, firstReadingDay: 10, lastReadingDay: 170, firstDeviceDay: 10 }, 'active'],
    ];
    let previous: LifecycleInput['previous'] = null;
    const transitions: string[] = [];
    for (const [over, expected] of steps) {
      const s = lifecycleStage({ ...base, ...over, previous });
      expect(s).toBe(expected);
      const t = transitionOf(previous?.stage ?? null, s);
      if (t) transitions.push(`${t.from ?? '∅'}→${t.to}`);
      if (t || previous === null) previous = { stage: s, since: over.today ?? T };
    }
    expect(transitions).toEqual([
      '∅→prospect',
      'prospect→onboarding',
      'onboarding→active',
      'active→at_risk',
      'at_risk→dormant',
      'dormant→churned',
      'churned→reactivated',
      'reactivated→active',
    ]);
    expect(transitionOf('active', 'active')).toBeUndefined();
  });
});
