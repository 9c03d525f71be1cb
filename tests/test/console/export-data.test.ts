import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { writeLines } from '../../src/fhir/bundle-kit.js';
import { personLines, WRITTEN } from '../../src/fhir/stack.js';
import { validateNdjson } from '../../src/fhir/validate.js';
import { type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';

const DB = 'linkwell_console_export';
const READINGS = WRITTEN.heartRate + WRITTEN.bloodPressure + WRITTEN.spo2 + WRITTEN.weight;

/** Clicks a download link and returns the file the browser saved. */
async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: file.suggestedFilename(), text: await readFile((await file.path())!, 'utf8') };
}

/** "Export my data" on /account in Chromium, against the real API reading a real influxd. */
describe('exporting my data from the account page', { timeout: 120_000 }, () => {
  let influxd: RunningInfluxd;
  let stack: IdentityStack;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    stack = await startIdentityStack({ console: true, influx: { url: influxd.url, database: DB } });
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
    await signInThroughConsole(page, stack.apiUrl, 'google', 'Alex Morgan');
    const me = await apiGet<{ id: string }>(page, '/v1/me');
    await writeLines(influxd.url, DB, personLines(me.id));
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
    await influxd?.stop();
  });

  it('downloads every reading as CSV, one row each under a header with UCUM units', async () => {
    await page.goto(`${stack.apiUrl}/account`);
    const section = page.getByRole('region', { name: 'Export my data' });
    const csv = await download(page, () =>
      section.getByRole('link', { name: 'Readings as CSV (spreadsheet)' }).click(),
    );
    expect(csv.name).toMatch(/^linkwell-readings-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = csv.text.split('\r\n').slice(0, -1);
    expect(rows[0]).toMatch(/^time,metric,bpm \[\/min\],/);
    expect(rows).toHaveLength(1 + READINGS);
    expect(rows.filter((r) => r.split(',')[1] === 'spo2')).toHaveLength(WRITTEN.spo2);
  });

  it('downloads NDJSON identical to what GET /v1/export answers', async () => {
    const section = page.getByRole('region', { name: 'Export my data' });
    const ndjson = await download(page, () =>
      section.getByRole('link', { name: 'Readings as NDJSON (one JSON object a line)' }).click(),
    );
    const direct = await page.evaluate("fetch('/v1/export?format=ndjson').then((r) => r.text())");
    expect(ndjson.text).toBe(direct);
    expect(ndjson.text.trimEnd().split('\n')).toHaveLength(READINGS);
  });

  it('prepares a FHIR export and offers its files, whose lines pass the pinned R4 schema', async () => {
    const section = page.getByRole('region', { name: 'Export my data' });
    await section.getByRole('button', { name: 'Prepare a FHIR export' }).click();
    const files = section.getByRole('list', { name: 'FHIR export files' });
    await files.waitFor();
    // The console is first-party: every family, and the Patient; no device is registered for this person.
    const observations = WRITTEN.heartRate + 2 * WRITTEN.bloodPressure + 2 * WRITTEN.spo2 + WRITTEN.weight;
    expect(await files.getByRole('link').allTextContents()).toEqual([
      'Patient (1) — NDJSON',
      `Observation (${observations}) — NDJSON`,
    ]);
    const file = await download(page, () => files.getByRole('link', { name: /^Observation/ }).click());
    expect(file.name).toBe('Observation.ndjson');
    const checked = validateNdjson(file.text);
    expect(checked.issues).toEqual([]);
    expect(checked.lines).toBe(observations);
    expect(log.errors).toEqual([]);
  });

  it('speaks Simplified Chinese', async () => {
    const zh = await launchChromium({ locale: 'zh-CN' });
    try {
      await zh.context.addCookies(await chromium.context.cookies());
      await zh.page.goto(`${stack.apiUrl}/account`);
      const section = zh.page.getByRole('region', { name: '导出我的数据' });
      expect(await section.getByRole('link').allTextContents()).toEqual([
        '测量数据（CSV 表格）',
        '测量数据（NDJSON，每行一个 JSON 对象）',
      ]);
      expect(await section.getByRole('button').textContent()).toBe('准备 FHIR 导出');
    } finally {
      await zh.close();
    }
  });
});
