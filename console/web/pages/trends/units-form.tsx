import { send } from '../../api/client.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useActions } from '../account/actions.js';
import type { TrendQuery } from './trend-query.js';
import type { HealthProfile } from './trends-api.js';

// The display units GET /v1/trends/{metric}?units= accepts; storage keeps canonical units whatever is chosen.
const CHOICES = {
  mass: ['kg', 'lb', 'jin'],
  pressure: ['mmHg', 'kPa'],
  temperature: ['C', 'F'],
} as const;
type Dimension = keyof typeof CHOICES;
const DIMENSIONS = Object.keys(CHOICES) as Dimension[];

export type Units = Record<Dimension, string>;

/** The view's units: ?units= first, then the person's saved units, then the canonical ones. */
export function currentUnits(query: string, profile: HealthProfile | undefined): Units {
  const asked = query.split(',').filter(Boolean);
  const unit = (d: Dimension): string =>
    asked.find((u) => (CHOICES[d] as readonly string[]).includes(u)) ?? profile?.units?.[d] ?? CHOICES[d][0];
  return { mass: unit('mass'), pressure: unit('pressure'), temperature: unit('temperature') };
}

const SYMBOL: Record<string, string> = { C: '°C', F: '°F' };

/** Unit pickers for this view, and a button that keeps them in the person's health profile. */
export function UnitsForm({
  query,
  profile,
  canSave,
  csrf,
  reloadProfile,
  go,
}: {
  query: TrendQuery;
  profile: HealthProfile | undefined;
  canSave: boolean;
  csrf: string | undefined;
  reloadProfile: () => void;
  go: (next: Partial<TrendQuery>) => void;
}) {
  const { t } = useI18n();
  const state = useActions(csrf, reloadProfile);
  const units = currentUnits(query.units, profile);
  const choose = (d: Dimension, value: string) => {
    const next = { ...units, [d]: value };
    go({ units: DIMENSIONS.map((k) => next[k]).join(',') });
  };
  const save = (event: Event) => {
    event.preventDefault();
    void state.actions.run(async () => {
      // A partial change: the API keeps every other part of the profile as it is.
      await send('PUT', '/v1/health-profile', csrf, { units });
      return t('trends.units.saved');
    });
  };
  return (
    <form class="units-form" onSubmit={save}>
      <fieldset>
        <legend>{t('trends.units.title')}</legend>
        <div class="inline-form">
          {DIMENSIONS.map((d) => (
            <span key={d} class="field">
              <label for={`unit-${d}`}>{t(`trends.units.${d}`)}</label>
              <select
                id={`unit-${d}`}
                value={units[d]}
                onChange={(e) => choose(d, (e.currentTarget as HTMLSelectElement).value)}
              >
                {CHOICES[d].map((u) => (
                  <option key={u} value={u}>
                    {SYMBOL[u] ?? u}
                  </option>
                ))}
              </select>
            </span>
          ))}
          {canSave && (
            <button type="submit" class="secondary" disabled={state.actions.busy}>
              {t('trends.units.save')}
            </button>
          )}
        </div>
      </fieldset>
      <Alert view={state.alert} />
      <Status message={state.status} />
    </form>
  );
}
