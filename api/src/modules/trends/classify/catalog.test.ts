import { describe, expect, it } from 'vitest';
import {
  BMI_SCHEME_DATA,
  BMI_SCHEMES,
  BP_SCHEMES,
  BUILT_IN_BP_SCHEMES,
  DISCLAIMER,
  validateCustomBpProgramme,
} from './index.js';

describe('classifier catalog', () => {
  it('lists the BP schemes acc-aha-2017, acc-aha-2025, esc-2024 and custom with versions', () => {
    expect(BP_SCHEMES.map((s) => [s.id, s.version])).toEqual([
      ['acc-aha-2017', '2017'],
      ['acc-aha-2025', '2025'],
      ['esc-2024', '2024'],
      ['custom', null],
    ]);
  });

  it('lists the BMI schemes who, who-asian and china with versions', () => {
    expect(BMI_SCHEMES.map((s) => [s.id, s.version])).toEqual([
      ['who', '2000'],
      ['who-asian', '2004'],
      ['china', '2013'],
    ]);
  });

  // The built-in bands obey the same rules as a custom programme: floor at 0/0, strictly rising thresholds.
  it.each(
    Object.values(BUILT_IN_BP_SCHEMES).flatMap((s) =>
      (['office', 'home'] as const).map((setting) => [s.id, setting, s.settings[setting]] as const),
    ),
  )(
    '%s %s bands pass the custom-programme rules and carry both labels',
    (id, _setting, { bands, citation }) => {
      const asProgramme = {
        name: id,
        version: '1',
        categories: bands.map((b) => ({
          code: b.code,
          label: b.label_en,
          systolic_at_least: b.systolic_at_least,
          diastolic_at_least: b.diastolic_at_least,
        })),
      };
      expect(validateCustomBpProgramme(asProgramme)).toEqual({ ok: true, programme: asProgramme });
      for (const b of bands)
        expect([b.label_en.length > 0, /\p{Script=Han}/u.test(b.label_zh)]).toEqual([true, true]);
      expect(citation).toMatch(/\d{4}/);
    },
  );

  it.each(Object.values(BMI_SCHEME_DATA))('$id bands start at 0 and rise strictly', ({ bands }) => {
    const bounds = bands.map((b) => b.at_least);
    expect(bounds[0]).toBe(0);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]!).toBeGreaterThan(bounds[i - 1]!);
    for (const b of bands) expect(/\p{Script=Han}/u.test(b.label_zh)).toBe(true);
  });

  it('carries the disclaimer in English and Simplified Chinese', () => {
    expect(DISCLAIMER).toEqual({
      en: 'For information only; not a diagnosis. Talk to a clinician about your readings.',
      'zh-CN': '仅供参考，不构成诊断。请就您的读数咨询医生。',
    });
  });
});
