import { isTimeZone } from '@linkwell/firmware-protocol';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { editableSubject, readableSubject } from './access.js';
import { createTrendsRepository, type HealthProfileRow } from './repository.js';
import { DEFAULT_ZONE } from './service.js';
import { parseUnitPrefs } from './units.js';

export interface ProfileChange {
  time_zone?: string;
  time_zone_from?: string;
  birth_date?: string | null;
  height_m?: number | null;
  units?: { mass?: string; pressure?: string; temperature?: string };
  bp_scheme?: string | null;
  bp_setting?: string | null;
  bmi_scheme?: string | null;
}

const badZone = (zone: string) =>
  new ApiError('API_ERR_BAD_TIME_ZONE', `${JSON.stringify(zone)} is not an IANA time zone.`, {
    time_zone: zone,
  });

/** A person's health profile: zone history, birth date, height, unit and scheme preferences. */
export function createProfileService(db: Database, now: () => number) {
  async function view(subject: string) {
    const repo = createTrendsRepository(db);
    const [p, spans] = await Promise.all([repo.profile(subject), repo.zoneSpans(subject)]);
    return {
      account: subject,
      time_zone: spans.at(-1)?.zone ?? DEFAULT_ZONE,
      time_zone_history: spans.map((s) => ({ time_zone: s.zone, from: new Date(s.fromMs).toISOString() })),
      birth_date: p?.birth_date ?? null,
      height_m: p?.height_m ?? null,
      units: p?.units ?? {},
      bp_scheme: p?.bp_scheme ?? null,
      bp_setting: p?.bp_setting ?? null,
      bmi_scheme: p?.bmi_scheme ?? null,
      updated_at: p?.updated_at.toISOString() ?? null,
    };
  }

  return {
    async get(caller: string, account: string | undefined) {
      return view(await readableSubject(db, caller, account));
    },

    async update(caller: string, account: string | undefined, change: ProfileChange) {
      const subject = await editableSubject(db, caller, account);
      const at = now();
      if (change.time_zone !== undefined && !isTimeZone(change.time_zone)) throw badZone(change.time_zone);
      if (change.birth_date != null) {
        const born = Date.parse(`${change.birth_date}T00:00:00Z`);
        if (Number.isNaN(born) || born > at || born < Date.parse('1900-01-01T00:00:00Z'))
          throw new ApiError('API_ERR_VALIDATION', 'Invalid body.birth_date: a past date after 1900-01-01.', {
            field: 'body.birth_date',
            issues: [{ field: 'body.birth_date', problem: 'a past date after 1900-01-01' }],
          });
      }
      if (change.units !== undefined) parseUnitPrefs(Object.values(change.units).join(','), 'body.units');
      const fromMs = change.time_zone_from === undefined ? at : Date.parse(change.time_zone_from);
      await db.transaction(async (tx) => {
        const repo = createTrendsRepository(tx);
        const old = await repo.profile(subject);
        const next: Omit<HealthProfileRow, 'updated_at'> = {
          birth_date: change.birth_date !== undefined ? change.birth_date : (old?.birth_date ?? null),
          height_m: change.height_m !== undefined ? change.height_m : (old?.height_m ?? null),
          units: change.units !== undefined ? { ...change.units } : (old?.units ?? {}),
          bp_scheme: change.bp_scheme !== undefined ? change.bp_scheme : (old?.bp_scheme ?? null),
          bp_setting: change.bp_setting !== undefined ? change.bp_setting : (old?.bp_setting ?? null),
          bmi_scheme: change.bmi_scheme !== undefined ? change.bmi_scheme : (old?.bmi_scheme ?? null),
        };
        await repo.saveProfile(subject, next, at);
        if (change.time_zone !== undefined) {
          const spans = await repo.zoneSpans(subject);
          // A first zone covers everything before it too; a later one starts when it is set (or when asked).
          const from = spans.length === 0 ? 0 : fromMs;
          if (spans.at(-1)?.zone !== change.time_zone)
            await repo.setTimeZone(subject, change.time_zone, from, at);
        }
      });
      return view(subject);
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
