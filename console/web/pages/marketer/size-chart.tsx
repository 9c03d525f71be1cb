import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { SizePoint } from '../../api/marketer-types.js';

function linkChartStyles(): void {
  const href = import.meta.resolve('uplot').replace(/uPlot\.esm\.js$/, 'uPlot.min.css');
  if (document.querySelector(`link[href="${href}"]`) !== null) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = href;
  document.head.append(link);
}

const HEIGHT = 220;

/**
 * A segment's daily size with uPlot, as the trends pages draw theirs. Days below k have no number to draw
 * (the API sends `<100`), so they are gaps. Decoration for sighted readers: the table beside it has the
 * same figures as text.
 */
export function SizeChart({ sizes }: { sizes: readonly SizePoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    linkChartStyles();
    const x = sizes.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000);
    const y = sizes.map((p) => (typeof p.size === 'number' ? p.size : null));
    const chart = new uPlot(
      {
        width: Math.max(240, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(100, (max ?? 0) * 1.1)] } },
        series: [{}, { stroke: '#1d4ed8', width: 2, points: { show: true, size: 6 }, spanGaps: false }],
      },
      [x, y],
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
  }, [sizes]);
  return <div ref={box} class="chart" aria-hidden="true" data-series={JSON.stringify(sizes)} />;
}
