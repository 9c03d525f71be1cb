import {
  type Database,
  DEMO_HOME,
  migrate,
  openPglite,
  seedDemoHousehold,
  seedDemoIdentity,
} from '@linkwell/api';
import { measurementLayout, STORAGE_TAGS } from '@linkwell/firmware-protocol';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  settled,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { eventually } from '../../src/wait.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DB = 'linkwell';
/**
 * The demo person's profile puts them in Asia/Shanghai (seedDemoHousehold's DEMO_PROFILES), so daily windows
 * are Shanghai's civil days: UTC+8 all year, as China keeps no daylight saving time.
 */
const SHANGHAI_OFFSET = 8 * HOUR;

/**
 * The demo cuff's readings for the demo person: two a day (07:00 and 19:00 Shanghai time) on the 20 days
 * before today, except days 4, 9 and 10, which stay empty so the chart has gaps inside its data.
 */
const EMPTY_DAYS = new Set([4, 9, 10]);
const READING_DAYS = Array.from({ length: 20 }, (_, i) => i + 1).filter((d) => !EMPTY_DAYS.has(d));

/** The instant the civil day `daysAgo` days before today began in Shanghai. */
function dayStart(now: number, daysAgo: number): number {
  return Math.floor((now + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET - daysAgo * DAY;
}

/** Morning and evening readings of one day: systolic 120 + 3·(d mod 7) and 4 higher, diastolic 78 + (d mod 5) and 2 higher. */
function readingsOf(daysAgo: number) {
  const systolic = 120 + 3 * (daysAgo % 7);
  const diastolic = 78 + (daysAgo % 5);
  return [
    { hour: 7, systolic, diastolic, pulse: 64 },
    { hour: 19, systolic: systolic + 4, diastolic: diastolic + 2, pulse: 70 },
  ];
}

/** Line protocol through the storage contract: the measurement and tags ingest writes. */
function bpLines(now: number): string {
  const layout = measurementLayout('blood_pressure');
  return READING_DAYS.flatMap((d) =>
    readingsOf(d).map((r) => {
      const t = dayStart(now, d) + r.hour * HOUR;
      const map = Math.round(((r.systolic + 2 * r.diastolic) / 3) * 10) / 10;
      return (
        `${layout.measurement},${STORAGE_TAGS.account}=${DEMO_HOME.accountId},${STORAGE_TAGS.device}=${DEMO_HOME.devices.bpCuff.id} ` +
        `systolic=${r.systolic},diastolic=${r.diastolic},mean_arterial=${map},pulse=${r.pulse} ${t}`
      );
    }),
  ).join('\n');
}

/** One weighing a day at 07:30 Shanghai time on days 1–14: 70.0 kg on day 14, 0.1 kg lighter each day after. */
function weightLines(now: number): string {
  const layout = measurementLayout('body_weight');
  return Array.from({ length: 14 }, (_, i) => i + 1)
    .map((d) => {
      const t = dayStart(now, d) + 7.5 * HOUR;
      const kg = Math.round((70 - 0.1 * (14 - d)) * 10) / 10;
      return `${layout.measurement},${STORAGE_TAGS.account}=${DEMO_HOME.accountId},${STORAGE_TAGS.device}=${DEMO_HOME.devices.scale.id} weight=${kg} ${t}`;
    })
    .join('\n');
}

interface TrendBody {
  from: string;
  to: string;
  windows: {
    start: string;
    empty: boolean;
    values: Record<string, { mean: number; min: number; max: number } | null>;
  }[];
}

interface BandBody {
  code: string;
  systolic_from: number | null;
  systolic_to: number | null;
  diastolic_from: number | null;
  diastolic_to: number | null;
}

interface ClassificationBody {
  scheme: string;
  scheme_version: string;
  setting: string;
  category: string;
  label_en: string;
  label_zh: string;
  thresholds: {
    bands: { code: string; systolic_at_least: number | null; diastolic_at_least: number | null }[];
  };
  disclaimer: { en: string; 'zh-CN': string };
}

interface SchemesBody {
  blood_pressure: {
    id: string;
    settings: Record<string, { bands: { code: string; label_en: string; label_zh: string }[] }>;
  }[];
}

/**
 * ACC/AHA 2017 home bands in mmHg (Table 6 categories, home values from Table 11: office 140/90 is home
 * 135/85); upper bounds exclusive, null = open. Elevated has no diastolic range: it is 120–129 *and* <80.
 */
const ACC_AHA_2017_HOME: BandBody[] = [
  { code: 'normal', systolic_from: 0, systolic_to: 120, diastolic_from: 0, diastolic_to: 80 },
  { code: 'elevated', systolic_from: 120, systolic_to: 130, diastolic_from: null, diastolic_to: null },
  { code: 'stage_1', systolic_from: 130, systolic_to: 135, diastolic_from: 80, diastolic_to: 85 },
  { code: 'stage_2', systolic_from: 135, systolic_to: null, diastolic_from: 85, diastolic_to: null },
];

type Series = Record<string, (number | null)[]>;

const chart = (page: Page) => page.locator('.trend-chart');

async function plotted(page: Page): Promise<{ source: string; series: Series }> {
  await chart(page).waitFor();
  const source = (await chart(page).getAttribute('data-source')) ?? '';
  const series = JSON.parse((await chart(page).getAttribute('data-series')) ?? '{}') as Series;
  return { source, series };
}

/** The bands on the chart, once the classification has arrived. */
async function plottedBands(page: Page): Promise<BandBody[]> {
  const text = await eventually('the chart to carry its bands', async () => {
    const value = await chart(page).getAttribute('data-bands');
    return value === null ? undefined : value;
  });
  return JSON.parse(text) as BandBody[];
}

/**
 * Issue 13's acceptance in Chromium: the demo person's blood-pressure trend on /trends, against the real
 * API reading a real influxd. The test reads the data behind the chart (the plotted arrays and the band
 * thresholds) and compares them with what the API answers for the same query, and with the seeded readings.
 */
describe('the demo person’s blood-pressure trend in Chromium', { timeout: 120_000 }, () => {
  let influxd: RunningInfluxd;
  let db: Database;
  let stack: IdentityStack;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;
  const now = Date.now();

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    const write = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: `${bpLines(now)}\n${weightLines(now)}`,
    });
    expect(write.status).toBe(204);
    db = await openPglite();
    await migrate(db);
    await seedDemoHousehold(db);
    stack = await startIdentityStack({ console: true, db, influx: { url: influxd.url, database: DB } });
    // 李伟's WeChat-style identity belongs to the demo account, as `linkwell up` links it.
    const wechat = stack.sims.providers.find((p) => p.id === 'wechat');
    if (wechat?.kind !== 'wechat') throw new Error('no WeChat-style provider');
    await seedDemoIdentity(db, {
      provider: 'wechat',
      issuer: new URL(wechat.authorize_url).origin,
      subject: stack.sims.subjectOf('wechat', 'wechat-li-wei'),
      name: '李伟',
    });
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
    await signInThroughConsole(page, stack.apiUrl, 'wechat', '李伟');
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
    await db?.close();
    await influxd?.stop();
  });

  it('signs 李伟 in to the demo account', async () => {
    expect((await apiGet<{ id: string }>(page, '/v1/me')).id).toBe(DEMO_HOME.accountId);
  });

  it('plots exactly the per-day statistics GET /v1/trends/blood_pressure answers for the same query', async () => {
    await page.goto(`${stack.apiUrl}/trends?metric=blood_pressure&range=30d&window=daily`);
    await settled(page);
    const { source, series } = await plotted(page);
    expect(source).toMatch(/^\/v1\/trends\/blood_pressure\?from=.+&to=.+&window=daily$/);
    const trend = await apiGet<TrendBody>(page, source);
    // 30 days ending on an hour: 31 civil days (a part day at each end), 30 when the hour is midnight.
    expect([30, 31]).toContain(trend.windows.length);
    expect(series.x).toEqual(trend.windows.map((w) => Date.parse(w.start) / 1000));
    for (const field of ['systolic', 'diastolic']) {
      for (const stat of ['mean', 'min', 'max'] as const) {
        expect(series[`${field}_${stat}`], `${field}_${stat}`).toEqual(
          trend.windows.map((w) => w.values[field]?.[stat] ?? null),
        );
      }
    }
  });

  it('plots day 2’s two readings as systolic 126–130 (mean 128) and diastolic 80–82 (mean 81)', async () => {
    const { series } = await plotted(page);
    const i = series.x!.indexOf(dayStart(now, 2) / 1000);
    expect(i).toBeGreaterThanOrEqual(0);
    expect([series.systolic_min![i], series.systolic_mean![i], series.systolic_max![i]]).toEqual([
      126, 128, 130,
    ]);
    expect([series.diastolic_min![i], series.diastolic_mean![i], series.diastolic_max![i]]).toEqual([
      80, 81, 82,
    ]);
    expect(series.systolic_mean!.filter((v) => v !== null)).toHaveLength(READING_DAYS.length);
  });

  it('leaves the empty days 4, 9 and 10 as gaps (null), never zeros', async () => {
    const { series } = await plotted(page);
    for (const d of EMPTY_DAYS) {
      const i = series.x!.indexOf(dayStart(now, d) / 1000);
      expect(i, `day ${d}`).toBeGreaterThanOrEqual(0);
      expect(series.systolic_mean![i], `day ${d}`).toBeNull();
      expect(series.diastolic_mean![i], `day ${d}`).toBeNull();
    }
    expect(Object.values(series).flat()).not.toContain(0);
  });

  it('draws the bands of the ACC/AHA 2017 home classification the API gives for the same period', async () => {
    const { source } = await plotted(page);
    const asked = new URL(source, stack.apiUrl).searchParams;
    const classification = await apiGet<ClassificationBody>(
      page,
      `/v1/classifications/blood_pressure?from=${encodeURIComponent(asked.get('from')!)}&to=${encodeURIComponent(asked.get('to')!)}&scheme=acc-aha-2017&setting=home`,
    );
    expect([classification.scheme, classification.setting]).toEqual(['acc-aha-2017', 'home']);
    const bands = await plottedBands(page);
    expect(bands).toEqual(ACC_AHA_2017_HOME);
    // Where each band begins is exactly the classification's threshold for that band.
    expect(bands.map((b) => [b.code, b.systolic_from, b.diastolic_from])).toEqual(
      classification.thresholds.bands.map((b) => [b.code, b.systolic_at_least, b.diastolic_at_least]),
    );
    const card = page.locator('.classification').first();
    await expect.poll(() => card.getAttribute('data-category')).toBe(classification.category);
    await expect.poll(() => card.textContent()).toContain(classification.label_en);
    expect(await card.textContent()).toContain(classification.scheme_version);
    expect(await card.textContent()).toContain(classification.disclaimer.en);
  });

  it('lists the same numbers in the table under the chart, “No readings” for day 4', async () => {
    await page.getByText('Numbers behind the chart').click();
    const day2 = page.locator(`.trend-table tr[data-start="${new Date(dayStart(now, 2)).toISOString()}"]`);
    expect(await day2.locator('td[data-field="systolic"]').textContent()).toBe('128 (126–130)');
    const day4 = page.locator(`.trend-table tr[data-start="${new Date(dayStart(now, 4)).toISOString()}"]`);
    expect(await day4.locator('td[data-field="systolic"]').textContent()).toBe('No readings');
  });

  it('shows the page in Chinese with the classification’s Chinese labels and the same data', async () => {
    const before = await plotted(page);
    await page.locator('#lang-select').selectOption('zh-CN');
    await page.getByRole('heading', { level: 1, name: '趋势' }).waitFor();
    await page.getByRole('heading', { level: 2, name: '我的血压' }).waitFor();
    const source = before.source;
    const asked = new URL(source, stack.apiUrl).searchParams;
    const classification = await apiGet<ClassificationBody>(
      page,
      `/v1/classifications/blood_pressure?from=${encodeURIComponent(asked.get('from')!)}&to=${encodeURIComponent(asked.get('to')!)}&scheme=acc-aha-2017&setting=home`,
    );
    const card = page.locator('.classification').first();
    await expect.poll(() => card.textContent()).toContain(classification.label_zh);
    const text = await card.textContent();
    expect(text).toContain('血压分类');
    expect(text).toContain(classification.disclaimer['zh-CN']);
    const { blood_pressure } = await apiGet<SchemesBody>(page, '/v1/classifications/schemes');
    const named = blood_pressure.find((s) => s.id === 'acc-aha-2017')!.settings.home!.bands;
    expect(named.map((b) => b.code)).toEqual(ACC_AHA_2017_HOME.map((b) => b.code));
    for (const band of named) expect(text).toContain(band.label_zh);
    expect(await page.locator('.trend-legend').textContent()).toContain('收缩压平均值');
    expect((await plotted(page)).series).toEqual(before.series);
  });

  it('plots the weight windows and the smoothed line the API computes, with the Chinese BMI bands', async () => {
    await page.locator('#lang-select').selectOption('en');
    await page.goto(`${stack.apiUrl}/trends?metric=body_weight&range=30d&window=daily`);
    await settled(page);
    const { source } = await plotted(page);
    const trend = await apiGet<TrendBody>(page, source);
    const asked = new URL(source, stack.apiUrl).searchParams;
    const smoothed = await apiGet<{ points: { t: number; raw: number; smoothed: number }[] }>(
      page,
      `/v1/trends/body_weight/smoothed?from=${encodeURIComponent(asked.get('from')!)}&to=${encodeURIComponent(asked.get('to')!)}&smoother=ema-tau-7d`,
    );
    expect(smoothed.points).toHaveLength(14);
    const series = await eventually('the smoothed line on the chart', async () => {
      const s = (await plotted(page)).series;
      return s.weight_smoothed === undefined ? undefined : s;
    });
    const at = (t: number) => series.x!.indexOf(t);
    for (const w of trend.windows) {
      expect(series.weight_mean![at(Date.parse(w.start) / 1000)], w.start).toBe(
        w.values.weight?.mean ?? null,
      );
    }
    for (const p of smoothed.points) {
      expect(series.weight_raw![at(p.t / 1000)]).toBe(p.raw);
      expect(series.weight_smoothed![at(p.t / 1000)]).toBe(p.smoothed);
    }
    // The demo person's profile chooses the Chinese scheme: WS/T 428-2013 overweight from 24, obese from 28.
    const bmiBands = JSON.parse(
      await eventually('the BMI bands', () =>
        page
          .locator('.classification [data-bands]')
          .getAttribute('data-bands')
          .then((v) => v ?? undefined),
      ),
    ) as { code: string; from: number; to: number | null }[];
    expect(bmiBands).toEqual([
      { code: 'underweight', from: 0, to: 18.5 },
      { code: 'normal', from: 18.5, to: 24 },
      { code: 'overweight', from: 24, to: 28 },
      { code: 'obese', from: 28, to: null },
    ]);
  });

  // Heart rate and pulse rate also hear the cuff's pulse (the trend catalogue), so they have data here.
  it.each([
    ['heart_rate', 'bpm'],
    ['pulse_rate', 'pulse'],
  ])('plots the %s means the API answers, the cuff’s pulse included', async (metric, field) => {
    await page.goto(`${stack.apiUrl}/trends?metric=${metric}&range=7d&window=daily`);
    await settled(page);
    const { source, series } = await plotted(page);
    const trend = await apiGet<TrendBody>(page, source);
    expect(trend.windows.some((w) => !w.empty)).toBe(true);
    for (const w of trend.windows) {
      const i = series.x!.indexOf(Date.parse(w.start) / 1000);
      expect(series[`${field}_mean`]![i], w.start).toBe(w.values[field]?.mean ?? null);
    }
  });

  it.each(['body_composition', 'spo2', 'body_temperature'])(
    'draws %s with no data as 7 empty days: every plotted value null',
    async (metric) => {
      await page.goto(`${stack.apiUrl}/trends?metric=${metric}&range=7d&window=daily`);
      await settled(page);
      const { source, series } = await plotted(page);
      const trend = await apiGet<TrendBody>(page, source);
      expect(series.x).toEqual(trend.windows.map((w) => Date.parse(w.start) / 1000));
      expect(trend.windows.every((w) => w.empty)).toBe(true);
      const values = Object.entries(series).filter(([key]) => key !== 'x');
      expect(values.length).toBeGreaterThan(0);
      for (const [, v] of values) expect(v.every((y) => y === null)).toBe(true);
      expect(await page.locator('.no-data').textContent()).toBe('No readings in this period.');
    },
  );

  it('threw no uncaught error and broke no Content-Security-Policy rule', () => {
    // A 404 from a route the API does not have for this person is a console message too; it is not a fault.
    expect(log.errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
    expect(log.cspViolations).toEqual([]);
  });
});
