import type { BmiBandBody, BpBandBody, FieldSummary, Trend } from './trends-api.js';

/** The ranges the page offers, in days back from when it opened. */
export const RANGES = { '1d': 1, '7d': 7, '30d': 30, '90d': 90, '1y': 365 } as const;
export type RangeKey = keyof typeof RANGES;

/** Fixed UTC hours, civil days in the person's zone, fixed 7-day weeks (GET /v1/trends/{metric} `window`). */
export const WINDOWS = ['PT1H', 'daily', 'P7D'] as const;
export type WindowKey = (typeof WINDOWS)[number];

export type Stat = keyof FieldSummary;

export interface PlotSeries {
  /** Stable name in `data-series`, e.g. `systolic_mean`. */
  readonly key: string;
  readonly label: string;
  readonly stroke: string;
  /** `points`: markers only (spot readings, min and max); `line`: joined markers. */
  readonly style: 'line' | 'points';
  /** Values aligned with the plot's x; null is a gap. */
  readonly values: readonly (number | null)[];
  /**
   * Join across nulls. Only for a series whose nulls come from aligning it with another series' times,
   * never for window statistics: an empty window must stay a gap.
   */
  readonly spanGaps?: boolean;
}

export interface PlotData {
  /** Seconds since the epoch (uPlot's time scale). */
  readonly x: readonly number[];
  readonly series: readonly PlotSeries[];
}

/** Each window's start, in seconds: where its statistics are plotted. */
export function windowTimes(trend: Trend): number[] {
  return trend.windows.map((w) => Date.parse(w.start) / 1000);
}

/** One statistic of one field per window; an empty window (or a field it lacks) is null, not zero. */
export function fieldStat(trend: Trend, field: string, stat: Stat): (number | null)[] {
  return trend.windows.map((w) => w.values[field]?.[stat] ?? null);
}

export function hasData(trend: Trend): boolean {
  return trend.windows.some((w) => !w.empty);
}

/**
 * Puts a second set of series (its own times) on the plot's x: the union of both time lists, with null
 * where a series has no value at a time.
 */
export function mergeOnX(base: PlotData, extraX: readonly number[], extra: readonly PlotSeries[]): PlotData {
  const x = [...new Set([...base.x, ...extraX])].sort((a, b) => a - b);
  const place = (fromX: readonly number[], values: readonly (number | null)[]) => {
    const at = new Map<number, number | null>(fromX.map((t, i) => [t, values[i] ?? null]));
    return x.map((t) => at.get(t) ?? null);
  };
  return {
    x,
    series: [
      ...base.series.map((s) => ({ ...s, values: place(base.x, s.values) })),
      ...extra.map((s) => ({ ...s, values: place(extraX, s.values) })),
    ],
  };
}

/** What the chart container exposes as `data-series`: x and every series by key. */
export function seriesRecord(data: PlotData): Record<string, readonly (number | null)[]> {
  const record: Record<string, readonly (number | null)[]> = { x: data.x };
  for (const s of data.series) record[s.key] = s.values;
  return record;
}

/** A band's value range for one component; `to` is exclusive, null: open upwards. */
export interface Range {
  readonly from: number;
  readonly to: number | null;
}

export interface BpBandView {
  readonly code: string;
  readonly label_en: string;
  readonly label_zh: string;
  /** null: this component alone never places a reading in the band (ACC/AHA "elevated" diastolic). */
  readonly systolic: Range | null;
  readonly diastolic: Range | null;
}

type Component = 'systolic' | 'diastolic';

function rangeOf(bands: readonly BpBandBody[], i: number, c: Component): Range | null {
  const band = bands[i]!;
  const from = band[`${c}_from`];
  if (typeof from === 'number') {
    const to = band[`${c}_to`];
    return { from, to: typeof to === 'number' ? to : null };
  }
  const atLeast = band[`${c}_at_least`];
  if (typeof atLeast !== 'number') return null;
  // Bands are ascending; this one ends where the next band this component can enter begins.
  const next = bands.slice(i + 1).find((b) => typeof b[`${c}_at_least`] === 'number');
  return { from: atLeast, to: next?.[`${c}_at_least`] ?? null };
}

/** The classification's bands, whichever of the two shapes the route sends (see BpBandBody). */
export function bpBands(bands: readonly BpBandBody[]): BpBandView[] {
  return bands.map((band, i) => ({
    code: band.code,
    label_en: band.label_en ?? band.code,
    label_zh: band.label_zh ?? band.label_en ?? band.code,
    systolic: rangeOf(bands, i, 'systolic'),
    diastolic: rangeOf(bands, i, 'diastolic'),
  }));
}

export interface BmiBandView {
  readonly code: string;
  readonly label_en: string;
  readonly label_zh: string;
  readonly range: Range;
}

export function bmiBands(bands: readonly BmiBandBody[]): BmiBandView[] {
  return bands.map((band, i) => {
    const from = band.from ?? band.at_least ?? 0;
    const to = band.to !== undefined ? band.to : (bands[i + 1]?.from ?? bands[i + 1]?.at_least ?? null);
    return {
      code: band.code,
      label_en: band.label_en ?? band.code,
      label_zh: band.label_zh ?? band.label_en ?? band.code,
      range: { from, to },
    };
  });
}

// Light fills from calm to alarming, for bands listed lowest first; 3- and 5-band schemes spread over it.
const BAND_FILLS = ['#dcfce7', '#fef9c3', '#fed7aa', '#fecaca', '#fca5a5'] as const;
// The same hues, dark enough for a line on white (at least 3:1, WCAG 1.4.11).
const BAND_LINES = ['#15803d', '#a16207', '#c2410c', '#b91c1c', '#7f1d1d'] as const;

export function bandColour(index: number, count: number, kind: 'fill' | 'line'): string {
  const palette = kind === 'fill' ? BAND_FILLS : BAND_LINES;
  const slot = count <= 1 ? 0 : Math.round((index * (palette.length - 1)) / (count - 1));
  return palette[Math.min(slot, palette.length - 1)]!;
}
