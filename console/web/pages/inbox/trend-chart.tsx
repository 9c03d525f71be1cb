import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Reading } from '../../api/household-types.js';
import { isoTime } from './reading-format.js';

/** The chart's stylesheet sits next to the module in the vendored package (console/src/vendor.ts). */
function linkChartStyles(): void {
  const href = import.meta.resolve('uplot').replace(/uPlot\.esm\.js$/, 'uPlot.min.css');
  if (document.querySelector(`link[href="${href}"]`) !== null) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

const SERIES: Record<string, readonly { field: string; label: string; stroke: string }[]> = {
  body_weight: [{ field: 'weight', label: 'kg', stroke: '#1d4ed8' }],
  blood_pressure: [
    { field: 'systolic', label: 'SYS mmHg', stroke: '#b91c1c' },
    { field: 'diastolic', label: 'DIA mmHg', stroke: '#1d4ed8' },
  ],
};

/** Whether the chart has something to draw for this metric. */
export function chartable(metric: string, readings: readonly Reading[]): boolean {
  return SERIES[metric] !== undefined && readings.length >= 2;
}

/**
 * A member's weight or blood pressure over the chosen days, drawn by uPlot. It is decoration for sighted
 * readers (aria-hidden): the list under it carries the same values as text.
 */
export function TrendChart({ metric, readings }: { metric: string; readings: readonly Reading[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    const series = SERIES[metric];
    if (element === null || series === undefined) return;
    linkChartStyles();
    const sorted = [...readings].sort(
      (a, b) => Date.parse(isoTime(a.measured_at)) - Date.parse(isoTime(b.measured_at)),
    );
    const xs = sorted.map((r) => Date.parse(isoTime(r.measured_at)) / 1000);
    const ys = series.map((s) =>
      sorted.map((r) => (typeof r.values[s.field] === 'number' ? (r.values[s.field] as number) : null)),
    );
    const chart = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: 200,
        legend: { show: false },
        series: [
          {},
          ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { show: true } })),
        ],
      },
      [xs, ...ys],
      element,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(240, element.clientWidth), height: 200 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [metric, readings]);
  return <div ref={box} class="chart" aria-hidden="true" data-points={readings.length} />;
}
