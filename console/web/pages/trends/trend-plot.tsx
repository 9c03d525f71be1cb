import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { type BpBandView, bandColour, type PlotData, seriesRecord } from './chart-data.js';

/** The chart's stylesheet sits next to the module in the vendored package (console/src/vendor.ts). */
function linkChartStyles(): void {
  const href = import.meta.resolve('uplot').replace(/uPlot\.esm\.js$/, 'uPlot.min.css');
  if (document.querySelector(`link[href="${href}"]`) !== null) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

const HEIGHT = 260;

/**
 * Systolic categories as shaded stripes behind the series, diastolic thresholds as dashed lines in the
 * same colours: two components on one pressure axis cannot both be stripes without hiding each other.
 */
function drawBpBands(u: uPlot, bands: readonly BpBandView[]): void {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  bands.forEach((band, i) => {
    if (band.systolic === null) return;
    const y0 = u.valToPos(band.systolic.from, 'y', true);
    const y1 = band.systolic.to === null ? top : u.valToPos(band.systolic.to, 'y', true);
    ctx.fillStyle = bandColour(i, bands.length, 'fill');
    ctx.fillRect(left, Math.min(y0, y1), width, Math.abs(y0 - y1));
  });
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1.5;
  bands.forEach((band, i) => {
    if (band.diastolic === null || band.diastolic.from <= 0) return;
    const y = u.valToPos(band.diastolic.from, 'y', true);
    ctx.strokeStyle = bandColour(i, bands.length, 'line');
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
  });
  ctx.restore();
}

export interface TrendPlotProps {
  data: PlotData;
  /** The request whose answer is plotted, for tests that ask the API the same question. */
  source: string;
  bands?: readonly BpBandView[] | undefined;
  /** The y axis always shows at least this span, so bands stay visible around a few readings. */
  yAtLeast?: readonly [number, number] | undefined;
}

/**
 * A uPlot chart of window statistics. It is decoration for sighted readers (aria-hidden): the table
 * under it carries the same numbers as text. `data-series` and `data-bands` hold exactly what is drawn.
 */
export function TrendPlot({ data, source, bands, yAtLeast }: TrendPlotProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    linkChartStyles();
    const chart = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        scales: {
          y: {
            range: (_u, min, max) => {
              const lo = Math.min(min ?? Number.POSITIVE_INFINITY, yAtLeast?.[0] ?? Number.POSITIVE_INFINITY);
              const hi = Math.max(max ?? Number.NEGATIVE_INFINITY, yAtLeast?.[1] ?? Number.NEGATIVE_INFINITY);
              if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
              const pad = Math.max((hi - lo) * 0.05, 1);
              return [lo - pad, hi + pad];
            },
          },
        },
        series: [
          {},
          ...data.series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: s.style === 'line' ? 2 : 0,
            spanGaps: s.spanGaps ?? false,
            points: { show: true, size: s.style === 'line' ? 5 : 6, stroke: s.stroke, fill: s.stroke },
            ...(s.style === 'points' ? { paths: () => null } : {}),
          })),
        ],
        hooks: bands === undefined ? {} : { drawClear: [(u: uPlot) => drawBpBands(u, bands)] },
      },
      [data.x as number[], ...data.series.map((s) => s.values as (number | null)[])],
      element,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(240, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data, bands, yAtLeast]);
  const bandData =
    bands === undefined
      ? undefined
      : JSON.stringify(
          bands.map((b) => ({
            code: b.code,
            systolic_from: b.systolic?.from ?? null,
            systolic_to: b.systolic?.to ?? null,
            diastolic_from: b.diastolic?.from ?? null,
            diastolic_to: b.diastolic?.to ?? null,
          })),
        );
  return (
    <div
      ref={box}
      class="chart trend-chart"
      aria-hidden="true"
      data-source={source}
      data-series={JSON.stringify(seriesRecord(data))}
      data-bands={bandData}
    />
  );
}

/** The chart's key, as text: which colour is which series, and what the bands mean. */
export function PlotLegend({ data, note }: { data: PlotData; note?: string | undefined }) {
  return (
    <div class="trend-legend">
      <ul>
        {data.series.map((s) => (
          <li key={s.key}>
            <svg class="swatch" width="14" height="14" aria-hidden="true" viewBox="0 0 14 14">
              {s.style === 'line' ? (
                <line x1="0" y1="7" x2="14" y2="7" stroke={s.stroke} stroke-width="3" />
              ) : (
                <circle cx="7" cy="7" r="4" fill={s.stroke} />
              )}
            </svg>
            {s.label}
          </li>
        ))}
      </ul>
      {note !== undefined && <p class="muted small">{note}</p>}
    </div>
  );
}
