import { useMemo } from 'preact/hooks';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { BmiCard } from './bmi-card.js';
import { fieldStat, mergeOnX, type PlotData, windowTimes } from './chart-data.js';
import { labelOf, seriesLabel } from './labels.js';
import type { PanelProps } from './panel-props.js';
import { PlotLegend, TrendPlot } from './trend-plot.js';
import { SMOOTHERS } from './trend-query.js';
import { queryOf, type SmoothedWeight } from './trends-api.js';
import { WindowsTable } from './windows-table.js';

function SmootherPicker({ value, onChange }: { value: string; onChange: (smoother: string) => void }) {
  const i18n = useI18n();
  return (
    <div class="inline-form">
      <label for="weight-smoother">{i18n.t('trends.weight.smoother')}</label>
      <select
        id="weight-smoother"
        value={value}
        onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {SMOOTHERS.map((s) => (
          <option key={s} value={s}>
            {labelOf(i18n, 'trends.weight.smoother', s)}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Weight: the mean per window, every weighing as a point and the smoothed trend line through them, the
 * weekly rate of change, and the BMI with its bands.
 */
export function WeightPanel({ trend, query, span, profile, source, sourceName, go }: PanelProps) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const smoothedUrl = `/v1/trends/body_weight/smoothed?${queryOf({
    from: span.from,
    to: span.to,
    smoother: query.smoother,
    account: query.account,
    units: query.units,
  })}`;
  const [smoothed] = useResource<SmoothedWeight>(smoothedUrl);
  const extra = smoothed.status === 'ok' ? smoothed.data : undefined;
  const data = useMemo((): PlotData => {
    const base: PlotData = {
      x: windowTimes(trend),
      series: [
        {
          key: 'weight_mean',
          label: seriesLabel(i18n, 'weight', 'mean'),
          stroke: '#1d4ed8',
          style: 'points',
          values: fieldStat(trend, 'weight', 'mean'),
        },
      ],
    };
    if (extra === undefined) return base;
    return mergeOnX(
      base,
      extra.points.map((p) => p.t / 1000),
      [
        {
          key: 'weight_raw',
          label: t('trends.weight.raw'),
          stroke: '#6b7280',
          style: 'points',
          values: extra.points.map((p) => p.raw),
        },
        {
          key: 'weight_smoothed',
          label: t('trends.weight.smoothed'),
          stroke: '#047857',
          style: 'line',
          values: extra.points.map((p) => p.smoothed),
          // Its nulls come only from the other series' times: the line joins consecutive weighings.
          spanGaps: true,
        },
      ],
    );
  }, [i18n, t, trend, extra]);
  const unit = extra?.unit ?? trend.units.weight?.display ?? 'kg';
  return (
    <>
      <TrendPlot data={data} source={source} />
      <PlotLegend data={data} note={t('trends.gapNote')} />
      <SmootherPicker value={query.smoother} onChange={(smoother) => go({ smoother })} />
      {extra !== undefined ? (
        <p class="weekly-rate">
          {extra.weekly_rate === null
            ? t('trends.weight.rateNone')
            : t('trends.weight.rate', {
                rate: new Intl.NumberFormat(locale, {
                  maximumFractionDigits: 2,
                  signDisplay: 'exceptZero',
                }).format(extra.weekly_rate),
                unit,
              })}
        </p>
      ) : (
        smoothed.status === 'error' && <p class="muted">{t('trends.weight.smoothedUnavailable')}</p>
      )}
      <WindowsTable trend={trend} fields={['weight']} sourceName={sourceName} />
      <BmiCard account={query.account} scheme={query.bmiScheme || profile?.bmi_scheme || 'who'} go={go} />
    </>
  );
}
