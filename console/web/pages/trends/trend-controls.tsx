import type { Household } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import { Link } from '../../router.js';
import type { Resource } from '../../use-resource.js';
import { metricLabel } from '../inbox/reading-format.js';
import { RANGES, type RangeKey, WINDOWS } from './chart-data.js';
import { labelOf } from './labels.js';
import { METRICS, type TrendQuery, writeQuery } from './trend-query.js';

export interface Person {
  /** '' for the signed-in person (the API's default). */
  readonly id: string;
  readonly name: string;
}

/**
 * The signed-in person first, then everyone in their households. Whether a member shares their data is
 * the API's decision: choosing one who does not gives its coded refusal on the page.
 */
export function peopleOf(
  households: Resource<{ households: Household[] }>,
  self: string | undefined,
  me: string,
): Person[] {
  const people: Person[] = [{ id: '', name: me }];
  if (households.status !== 'ok') return people;
  const seen = new Set([self]);
  for (const household of households.data.households) {
    for (const member of household.members) {
      if (seen.has(member.account_id)) continue;
      seen.add(member.account_id);
      people.push({ id: member.account_id, name: member.display_name });
    }
  }
  return people;
}

/** One link per metric, the current one marked: each is a plain address, so it can be opened or shared. */
export function MetricTabs({ query }: { query: TrendQuery }) {
  const i18n = useI18n();
  return (
    <nav class="metric-tabs" aria-label={i18n.t('trends.metric')}>
      <ul>
        {METRICS.map((metric) => (
          <li key={metric}>
            <Link
              href={`/trends?${writeQuery({ ...query, metric })}`}
              aria-current={metric === query.metric ? 'page' : undefined}
            >
              {metricLabel(i18n, metric)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function TrendControls({
  query,
  people,
  go,
}: {
  query: TrendQuery;
  people: readonly Person[];
  go: (next: Partial<TrendQuery>) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const value = (e: Event) => (e.currentTarget as HTMLSelectElement).value;
  return (
    <div class="inline-form trend-controls">
      <label for="trend-member">{t('trends.member')}</label>
      <select id="trend-member" value={query.account} onChange={(e) => go({ account: value(e) })}>
        {people.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label for="trend-range">{t('trends.range')}</label>
      <select
        id="trend-range"
        value={query.range}
        onChange={(e) => {
          const range = value(e) as RangeKey;
          // Hours suit a day; over longer periods they would be thousands of points.
          go({ range, window: range === '1d' ? 'PT1H' : query.window === 'PT1H' ? 'daily' : query.window });
        }}
      >
        {(Object.keys(RANGES) as RangeKey[]).map((r) => (
          <option key={r} value={r}>
            {labelOf(i18n, 'trends.range', r)}
          </option>
        ))}
      </select>
      <label for="trend-window">{t('trends.window')}</label>
      <select
        id="trend-window"
        value={query.window}
        onChange={(e) => go({ window: value(e) as TrendQuery['window'] })}
      >
        {WINDOWS.map((w) => (
          <option key={w} value={w}>
            {labelOf(i18n, 'trends.window', w)}
          </option>
        ))}
      </select>
    </div>
  );
}
