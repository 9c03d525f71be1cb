import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household, Reading } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';
import { navigate, useLocation } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { type Actions, useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { HouseholdScope, memberName } from '../household-scope.js';
import { formatValues, isoTime, metricLabel } from './reading-format.js';
import { chartable, TrendChart } from './trend-chart.js';

const METRICS = ['body_weight', 'body_composition', 'blood_pressure', 'heart_rate'] as const;
const DAYS = 30;

function ReadingItem({
  household,
  member,
  reading,
  actions,
}: {
  household: Household;
  member: string;
  reading: Reading;
  actions: Actions;
}) {
  const i18n = useI18n();
  const { t, date, locale } = i18n;
  const others = household.members.filter((m) => m.account_id !== member);
  const [to, setTo] = useState(others[0]?.account_id ?? '');
  const when = date(isoTime(reading.measured_at));
  const what = formatValues(reading.metric, reading.values, locale);
  const method = reading.attribution?.method;
  const methodKey = `method.${method ?? ''}`;
  const reassign = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('POST', `/v1/readings/${encodeURIComponent(reading.id)}/reassign`, actions.csrf, {
        to_account_id: to,
      });
      return t('readings.reassigned', { what, name: memberName(household, to) });
    });
  };
  const selectId = `reassign-${reading.id}`;
  return (
    <li class="card reading">
      <div>
        <p class="title">{what}</p>
        <p>
          <time dateTime={isoTime(reading.measured_at)}>{when}</time>
        </p>
        {reading.attribution != null && method !== undefined && (
          <p class="muted small">
            {typeof reading.attribution.confidence === 'number'
              ? t('readings.attribution', {
                  method: isMessageKey(methodKey) ? t(methodKey) : method,
                  percent: Math.round(reading.attribution.confidence * 100),
                })
              : t('readings.attributionNoConfidence', {
                  method: isMessageKey(methodKey) ? t(methodKey) : method,
                })}
          </p>
        )}
      </div>
      {others.length > 0 && (
        <form class="inline-form" onSubmit={reassign}>
          <label for={selectId}>{t('readings.moveTo')}</label>
          <select
            id={selectId}
            value={to}
            onChange={(e) => setTo((e.currentTarget as HTMLSelectElement).value)}
          >
            {others.map((m) => (
              <option key={m.account_id} value={m.account_id}>
                {m.display_name}
              </option>
            ))}
          </select>
          <button
            type="submit"
            class="secondary"
            disabled={actions.busy || to === ''}
            aria-label={t('readings.reassignLabel', { what, when })}
          >
            {t('readings.reassign')}
          </button>
        </form>
      )}
    </li>
  );
}

function MemberReadings({ household, session }: { household: Household; session: Session }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { query, path } = useLocation();
  const member = query.get('member') ?? session.account_id ?? '';
  const metric = query.get('metric') ?? 'body_weight';
  // The window is fixed when the page opens, so a reload after a change asks for the same readings.
  const [range] = useState(() => {
    const to = new Date();
    return { from: new Date(to.getTime() - DAYS * 86_400_000).toISOString(), to: to.toISOString() };
  });
  const url =
    `/v1/households/${encodeURIComponent(household.id)}/members/${encodeURIComponent(member)}/readings` +
    `?metric=${encodeURIComponent(metric)}&from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
  const [readings, reload] = useResource<{ readings: Reading[] }>(member === '' ? null : url);
  const state = useActions(session.csrf_token, reload);
  const go = (next: { member?: string; metric?: string }) => {
    const q = new URLSearchParams({ household: household.id, member, metric, ...next });
    navigate(`${path}?${q}`, { replace: true });
  };
  return (
    <>
      <div class="inline-form">
        <label for="readings-member">{t('readings.member')}</label>
        <select
          id="readings-member"
          value={member}
          onChange={(e) => go({ member: (e.currentTarget as HTMLSelectElement).value })}
        >
          {household.members.map((m) => (
            <option key={m.account_id} value={m.account_id}>
              {m.display_name}
            </option>
          ))}
        </select>
        <label for="readings-metric">{t('readings.metric')}</label>
        <select
          id="readings-metric"
          value={metric}
          onChange={(e) => go({ metric: (e.currentTarget as HTMLSelectElement).value })}
        >
          {METRICS.map((m) => (
            <option key={m} value={m}>
              {metricLabel(i18n, m)}
            </option>
          ))}
        </select>
      </div>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <section aria-labelledby="readings-title">
        <h2 id="readings-title">
          {t('readings.listTitle', {
            name: memberName(household, member),
            metric: metricLabel(i18n, metric),
            days: DAYS,
          })}
        </h2>
        <Loaded resource={readings}>
          {(data) => (
            <>
              {chartable(metric, data.readings) && <TrendChart metric={metric} readings={data.readings} />}
              {data.readings.length === 0 ? (
                <p class="muted">{t('readings.none')}</p>
              ) : (
                <ul class="cards">
                  {data.readings.map((reading) => (
                    <ReadingItem
                      key={reading.id}
                      household={household}
                      member={member}
                      reading={reading}
                      actions={state.actions}
                    />
                  ))}
                </ul>
              )}
            </>
          )}
        </Loaded>
      </section>
    </>
  );
}

export function ReadingsPage({ session }: { session: Session }) {
  const { t } = useI18n();
  return (
    <div class="stack">
      <PageTitle>{t('readings.title')}</PageTitle>
      <HouseholdScope>
        {(household) => <MemberReadings household={household} session={session} />}
      </HouseholdScope>
    </div>
  );
}
