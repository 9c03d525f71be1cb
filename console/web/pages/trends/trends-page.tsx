import { useCallback, useMemo, useState } from 'preact/hooks';
import type { Household } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { Loading } from '../../components/loading.js';
import { PageTitle } from '../../components/page-title.js';
import { useI18n } from '../../i18n/context.js';
import { navigate, useLocation } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { Loaded } from '../account/loaded.js';
import { metricLabel } from '../inbox/reading-format.js';
import { BloodPressurePanel } from './bp-panel.js';
import { hasData } from './chart-data.js';
import { HeartRatePanel, MeanPanel } from './heart-rate-panel.js';
import type { PanelProps } from './panel-props.js';
import { SourcePriority } from './source-priority.js';
import { MetricTabs, type Person, peopleOf, TrendControls } from './trend-controls.js';
import { readQuery, type Span, spanOf, type TrendQuery, trendUrl, writeQuery } from './trend-query.js';
import { type HealthProfile, queryOf, type SourcesBody, type Trend } from './trends-api.js';
import { UnitsForm } from './units-form.js';
import { WeightPanel } from './weight-panel.js';

function Panel(props: PanelProps) {
  switch (props.query.metric) {
    case 'blood_pressure':
      return <BloodPressurePanel {...props} />;
    case 'body_weight':
      return <WeightPanel {...props} />;
    case 'heart_rate':
      return <HeartRatePanel {...props} />;
    default:
      return <MeanPanel {...props} />;
  }
}

function MetricSection({
  query,
  span,
  person,
  profile,
  session,
  go,
}: {
  query: TrendQuery;
  span: Span;
  person: Person;
  profile: HealthProfile | undefined;
  session: Session;
  go: (next: Partial<TrendQuery>) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const url = trendUrl(query, span);
  const [trend] = useResource<Trend>(url);
  const sourcesUrl = `/v1/trends/${encodeURIComponent(query.metric)}/sources`;
  const [sources, reloadSources] = useResource<SourcesBody>(
    `${sourcesUrl}?${queryOf({ account: query.account })}`,
  );
  const names = useMemo(() => {
    const map = new Map<string, string>();
    if (sources.status === 'ok') for (const s of sources.data.sources) if (s.name) map.set(s.id, s.name);
    return map;
  }, [sources]);
  const sourceName = useCallback((id: string) => names.get(id) ?? id, [names]);
  return (
    <section aria-labelledby="trend-title" class="stack" data-metric={query.metric}>
      <h2 id="trend-title">
        {t('trends.chartTitle', { metric: metricLabel(i18n, query.metric), name: person.name })}
      </h2>
      <Loaded resource={trend}>
        {(data) => (
          <>
            {!hasData(data) && <p class="muted no-data">{t('trends.noData')}</p>}
            <Panel
              trend={data}
              query={query}
              span={span}
              profile={profile}
              source={url}
              sourceName={sourceName}
              go={go}
            />
          </>
        )}
      </Loaded>
      {sources.status === 'ok' && (
        <SourcePriority
          sources={sources.data}
          url={`${sourcesUrl}?${queryOf({ account: query.account })}`}
          csrf={session.csrf_token}
          reload={reloadSources}
          sourceName={sourceName}
        />
      )}
    </section>
  );
}

/**
 * /trends: one metric at a time for the signed-in person or a member who shares with them, over a chosen
 * period and window. Everything the page shows is in its address (?metric=, ?account=, ?range=, …).
 */
export function TrendsPage({ session }: { session: Session }) {
  const { t } = useI18n();
  const { query: search, path } = useLocation();
  const query = readQuery(search);
  // The period ends when the page opened, so moving between metrics compares the same hours.
  const [now] = useState(() => Date.now());
  const span = useMemo(() => spanOf(query.range, now), [query.range, now]);
  const go = (next: Partial<TrendQuery>) =>
    navigate(`${path}?${writeQuery({ ...query, ...next })}`, { replace: true });
  const [households] = useResource<{ households: Household[] }>('/v1/households');
  const people = peopleOf(households, session.account_id, t('trends.me'));
  const person = people.find((p) => p.id === query.account) ?? { id: query.account, name: query.account };
  const [profile, reloadProfile] = useResource<HealthProfile>(
    `/v1/health-profile?${queryOf({ account: query.account })}`,
  );
  const profileData = profile.status === 'ok' ? profile.data : undefined;
  const own = query.account === '' || query.account === session.account_id;
  return (
    <div class="stack trends">
      <PageTitle>{t('trends.title')}</PageTitle>
      <MetricTabs query={query} />
      <TrendControls query={query} people={people} go={go} />
      <UnitsForm
        query={query}
        profile={profileData}
        canSave={own && profileData !== undefined}
        csrf={session.csrf_token}
        reloadProfile={reloadProfile}
        go={go}
      />
      {profile.status === 'loading' ? (
        <Loading />
      ) : (
        <MetricSection
          key={`${query.metric} ${query.account}`}
          query={query}
          span={span}
          person={person}
          profile={profileData}
          session={session}
          go={go}
        />
      )}
    </div>
  );
}
