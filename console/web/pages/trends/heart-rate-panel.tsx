import { useMemo } from 'preact/hooks';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { fieldStat, mergeOnX, type PlotData, windowTimes } from './chart-data.js';
import { formatNumber, labelOf, seriesLabel } from './labels.js';
import type { PanelProps } from './panel-props.js';
import { PlotLegend, TrendPlot } from './trend-plot.js';
import { queryOf, type RestingDay } from './trends-api.js';
import { WindowsTable } from './windows-table.js';

/** A civil date placed at its noon UTC: inside that day in every zone from UTC−12 to UTC+11. */
const dayTime = (date: string) => Date.parse(`${date}T12:00:00Z`) / 1000;

function RestingTable({ days }: { days: readonly RestingDay[] }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const shown = days.filter((d) => d.bpm !== null);
  if (shown.length === 0) return <p class="muted">{t('trends.hr.restingNone')}</p>;
  return (
    <div class="table-scroll">
      <table class="trend-table resting-table">
        <caption>{t('trends.hr.restingCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('trends.hr.date')}</th>
            <th scope="col">{t('trends.hr.bpm')}</th>
            <th scope="col">{t('trends.hr.method')}</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => (
            <tr key={d.date}>
              <th scope="row">{d.date}</th>
              <td>{formatNumber(locale, d.bpm as number)}</td>
              <td>{labelOf(i18n, 'trends.hr.method', d.method)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Heart rate per window (mean as a line, lowest and highest as points) and the resting heart rate per day. */
export function HeartRatePanel({ trend, query, span, source, sourceName }: PanelProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const restingUrl = `/v1/trends/heart_rate/resting?${queryOf({
    from: span.from,
    to: span.to,
    account: query.account,
  })}`;
  const [resting] = useResource<{ days: RestingDay[] }>(restingUrl);
  const days = resting.status === 'ok' ? resting.data.days : undefined;
  const data = useMemo((): PlotData => {
    const base: PlotData = {
      x: windowTimes(trend),
      series: [
        {
          key: 'bpm_mean',
          label: seriesLabel(i18n, 'bpm', 'mean'),
          stroke: '#b91c1c',
          style: 'line',
          values: fieldStat(trend, 'bpm', 'mean'),
        },
        {
          key: 'bpm_min',
          label: seriesLabel(i18n, 'bpm', 'min'),
          stroke: '#f87171',
          style: 'points',
          values: fieldStat(trend, 'bpm', 'min'),
        },
        {
          key: 'bpm_max',
          label: seriesLabel(i18n, 'bpm', 'max'),
          stroke: '#f87171',
          style: 'points',
          values: fieldStat(trend, 'bpm', 'max'),
        },
      ],
    };
    const known = days?.filter((d) => d.bpm !== null);
    if (known === undefined || known.length === 0) return base;
    return mergeOnX(
      base,
      known.map((d) => dayTime(d.date)),
      [
        {
          key: 'resting_bpm',
          label: t('trends.hr.resting'),
          stroke: '#7c3aed',
          style: 'line',
          values: known.map((d) => d.bpm),
          // Its nulls come only from the windows' times; a day without a value is already left out.
          spanGaps: true,
        },
      ],
    );
  }, [i18n, t, trend, days]);
  return (
    <>
      <TrendPlot data={data} source={source} />
      <PlotLegend data={data} note={t('trends.gapNote')} />
      <WindowsTable trend={trend} fields={['bpm']} sourceName={sourceName} />
      <section aria-labelledby="resting-title">
        <h3 id="resting-title">{t('trends.hr.resting')}</h3>
        {days !== undefined && <RestingTable days={days} />}
        {resting.status === 'error' && <p class="muted">{t('trends.hr.restingNone')}</p>}
      </section>
    </>
  );
}

// Body composition has seven fields in three units; the two percentages share an axis and say the most.
const FIELDS: Record<string, readonly string[]> = {
  body_composition: ['fat_percent', 'muscle_percent'],
};
const STROKES = ['#1d4ed8', '#b45309', '#047857'] as const;

/** SpO2, pulse rate, temperature, body composition: the mean of each field per window. */
export function MeanPanel({ trend, source, sourceName }: PanelProps) {
  const i18n = useI18n();
  const fields = useMemo(() => FIELDS[trend.metric] ?? Object.keys(trend.units), [trend]);
  const data = useMemo(
    (): PlotData => ({
      x: windowTimes(trend),
      series: fields.map((field, i) => ({
        key: `${field}_mean`,
        label: seriesLabel(i18n, field, 'mean'),
        stroke: STROKES[i % STROKES.length]!,
        style: trend.kind === 'continuous' ? 'line' : 'points',
        values: fieldStat(trend, field, 'mean'),
      })),
    }),
    [i18n, trend, fields],
  );
  return (
    <>
      <TrendPlot data={data} source={source} />
      <PlotLegend data={data} note={i18n.t('trends.gapNote')} />
      <WindowsTable trend={trend} fields={fields} sourceName={sourceName} />
    </>
  );
}
