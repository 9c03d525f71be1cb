import { useMemo } from 'preact/hooks';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { BpClassificationCard, SchemePicker } from './bp-classification.js';
import { bpBands, fieldStat, type PlotData, type PlotSeries, windowTimes } from './chart-data.js';
import { seriesLabel } from './labels.js';
import type { PanelProps } from './panel-props.js';
import { PlotLegend, TrendPlot } from './trend-plot.js';
import type { BpBandBody, BpClassificationBody, SchemesBody } from './trends-api.js';
import { queryOf } from './trends-api.js';
import { WindowsTable } from './windows-table.js';

// Systolic in red, diastolic in blue (the colours cuffs and paper charts use); min and max lighter.
const COLOURS = {
  systolic: { mean: '#b91c1c', spread: '#f87171' },
  diastolic: { mean: '#1d4ed8', spread: '#60a5fa' },
} as const;

/** The pressure span the axis always shows, so the normal to stage 2 bands frame even a single reading. */
const Y_AT_LEAST = [60, 150] as const;

function bpPlot(i18n: ReturnType<typeof useI18n>, trend: PanelProps['trend']): PlotData {
  const series: PlotSeries[] = [];
  for (const field of ['systolic', 'diastolic'] as const) {
    series.push(
      {
        key: `${field}_mean`,
        label: seriesLabel(i18n, field, 'mean'),
        stroke: COLOURS[field].mean,
        style: 'line',
        values: fieldStat(trend, field, 'mean'),
      },
      {
        key: `${field}_min`,
        label: seriesLabel(i18n, field, 'min'),
        stroke: COLOURS[field].spread,
        style: 'points',
        values: fieldStat(trend, field, 'min'),
      },
      {
        key: `${field}_max`,
        label: seriesLabel(i18n, field, 'max'),
        stroke: COLOURS[field].spread,
        style: 'points',
        values: fieldStat(trend, field, 'max'),
      },
    );
  }
  return { x: windowTimes(trend), series };
}

/**
 * The classification's thresholds carry codes only; the scheme catalogue names them in both languages.
 * A custom programme is not in the catalogue, so its bands keep their codes as names.
 */
function withLabels(
  bands: readonly BpBandBody[],
  catalogue: SchemesBody | undefined,
  scheme: string,
  setting: string,
): BpBandBody[] {
  const named = catalogue?.blood_pressure.find((s) => s.id === scheme)?.settings[setting]?.bands ?? [];
  return bands.map((band) => {
    const entry = named.find((n) => n.code === band.code);
    return band.label_en !== undefined || entry === undefined
      ? band
      : { ...band, label_en: entry.label_en, label_zh: entry.label_zh };
  });
}

/**
 * Systolic and diastolic per window (mean as a line, lowest and highest as points) over the bands of the
 * person's guideline, then the classification of the period and the numbers as a table.
 */
export function BloodPressurePanel({ trend, query, span, profile, source, sourceName, go }: PanelProps) {
  const i18n = useI18n();
  const scheme = query.bpScheme || profile?.bp_scheme || 'acc-aha-2017';
  const setting = query.bpSetting || profile?.bp_setting || 'home';
  const classUrl = `/v1/classifications/blood_pressure?${queryOf({
    from: span.from,
    to: span.to,
    account: query.account,
    scheme,
    setting,
  })}`;
  const [classification] = useResource<BpClassificationBody>(classUrl);
  const [schemes] = useResource<SchemesBody>('/v1/classifications/schemes');
  const body = classification.status === 'ok' ? classification.data : undefined;
  const labels = schemes.status === 'ok' ? schemes.data : undefined;
  const bands = useMemo(
    () =>
      body === undefined
        ? undefined
        : bpBands(withLabels(body.bands ?? body.thresholds?.bands ?? [], labels, body.scheme, body.setting)),
    [body, labels],
  );
  const data = useMemo(() => bpPlot(i18n, trend), [i18n, trend]);
  return (
    <>
      <TrendPlot data={data} source={source} bands={bands} yAtLeast={Y_AT_LEAST} />
      <PlotLegend
        data={data}
        note={
          bands === undefined
            ? i18n.t('trends.gapNote')
            : `${i18n.t('trends.bp.bandsNote')} ${i18n.t('trends.gapNote')}`
        }
      />
      <WindowsTable trend={trend} fields={['systolic', 'diastolic', 'pulse']} sourceName={sourceName} />
      <SchemePicker scheme={scheme} setting={setting} onChange={go} />
      {body !== undefined && bands !== undefined ? (
        <BpClassificationCard body={body} bands={bands} />
      ) : (
        classification.status === 'error' && <p class="muted">{i18n.t('trends.class.unavailable')}</p>
      )}
    </>
  );
}
