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
  type RunningChromium,
  signInThroughConsole,
} from '../../src/browser/index.js';
import {
  consentInConsole,
  type RunningExampleApp,
  startExampleApp,
} from '../../src/e2e/oauth-example-app.js';
import { freePort, type RunningInfluxd, startInfluxd } from '../../src/harness/index.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { registerApp, signInAs } from '../../src/oauth/kit.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DB = 'linkwell';
/** The demo person's zone is Asia/Shanghai (seedDemoHousehold), UTC+8 all year, so daily windows are its days. */
const SHANGHAI_OFFSET = 8 * HOUR;
const HR_DAYS = [1, 2, 3, 5, 6];
const APP_NAME = 'BP Trend (example)';

function dayStart(now: number, daysAgo: number): number {
  return Math.floor((now + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET - daysAgo * DAY;
}
const shanghaiDate = (t: number) => new Date(t + SHANGHAI_OFFSET).toISOString().slice(0, 10);

/** Three wristband readings at noon (Shanghai) of each day in HR_DAYS: 59+d, 60+d and 62+d bpm. */
function heartRateLines(now: number): string {
  const layout = measurementLayout('heart_rate');
  return HR_DAYS.flatMap((d) =>
    [59 + d, 60 + d, 62 + d].map((bpm, i) => {
      const t = dayStart(now, d) + 12 * HOUR + i * 5 * 60_000;
      return `${layout.measurement},${STORAGE_TAGS.account}=${DEMO_HOME.accountId},${STORAGE_TAGS.device}=${DEMO_HOME.devices.wristband.id} bpm=${bpm} ${t}`;
    }),
  ).join('\n');
}

/**
 * Cuff readings on the same days, without the pulse field: a cuff's pulse also feeds the heart-rate trend
 * (docs/trends.md "Reconciliation"), and the heart-rate rows must stay the wristband's alone.
 */
function bloodPressureLines(now: number): string {
  const layout = measurementLayout('blood_pressure');
  return HR_DAYS.map((d) => {
    const t = dayStart(now, d) + 8 * HOUR;
    return `${layout.measurement},${STORAGE_TAGS.account}=${DEMO_HOME.accountId},${STORAGE_TAGS.device}=${DEMO_HOME.devices.bpCuff.id} systolic=${120 + d},diastolic=${80 + d} ${t}`;
  }).join('\n');
}

/** The example app's heart-rate table: one row per day, its cells as shown. */
async function heartRateRows(page: Page): Promise<Record<string, string[]>> {
  const rows = await page.locator('#heart-rate-table tbody tr').all();
  const out: Record<string, string[]> = {};
  for (const row of rows) {
    const date = (await row.getAttribute('data-date')) ?? '';
    out[date] = (await row.locator('td').allTextContents()).slice(1);
  }
  return out;
}

/**
 * Issue 14's acceptance in Debian's Chromium: the example third-party app (examples/bp-trend-app, its own
 * process, openid-client) signs the demo person in through Linkwell's consent page with a partial grant,
 * shows their heart-rate trend and the 403 insufficient_scope refusal for blood pressure, and on sign-out
 * revokes its refresh token, which ends the connection.
 */
describe('the example app reads a partial grant in Chromium', { timeout: 180_000 }, () => {
  let influxd: RunningInfluxd;
  let db: Database;
  let stack: IdentityStack;
  let chromium: RunningChromium;
  let exampleApp: RunningExampleApp;
  let clientId: string;
  let linkwell: Page;
  const now = Date.now();

  beforeAll(async () => {
    influxd = await startInfluxd({ database: DB });
    const write = await fetch(`${influxd.url}/write?db=${DB}&precision=ms`, {
      method: 'POST',
      body: `${heartRateLines(now)}\n${bloodPressureLines(now)}`,
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

    // A developer with an account of their own registers the app through the developer API.
    const developer = await signInAs(stack, 'Alex Morgan');
    const port = await freePort();
    const app = await registerApp(stack, developer, {
      name: APP_NAME,
      redirectUri: `http://127.0.0.1:${port}/callback`,
      scopes: ['trends.read', 'heart_rate.read', 'blood_pressure.read'],
    });
    clientId = app.client_id;
    exampleApp = await startExampleApp({
      issuer: stack.apiUrl,
      clientId: app.client_id,
      clientSecret: app.client_secret,
      port,
    });

    chromium = await launchChromium({ locale: 'en-US' });
    linkwell = chromium.page;
    await signInThroughConsole(linkwell, stack.apiUrl, 'wechat', '李伟');
  }, 180_000);

  afterAll(async () => {
    await chromium?.close();
    await exampleApp?.stop();
    await stack?.close();
    await db?.close();
    await influxd?.stop();
  });

  it('signs 李伟 in through the consent page with blood pressure unticked and shows heart rate and the 403', async () => {
    const page = await chromium.context.newPage();
    await page.goto(exampleApp.url);
    await page.getByRole('link', { name: 'Sign in with Linkwell' }).click();
    await page.waitForURL((u) => u.origin === stack.apiUrl && u.pathname === '/connect');
    await consentInConsole(page, {
      appName: APP_NAME,
      untick: ['Blood pressure'],
      appOrigin: exampleApp.url,
    });
    await page.waitForURL(`${exampleApp.url}/trends`);
    // The browser holds only the app's random session id; the tokens stay in the app's process.
    const appCookies = (await chromium.context.cookies(exampleApp.url)).filter((c) =>
      c.name.startsWith('bp_'),
    );
    expect(appCookies).toHaveLength(1);
    expect(appCookies[0]).toMatchObject({ name: 'bp_trend_sid', httpOnly: true, sameSite: 'Lax' });
    expect(appCookies[0]?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The token response's scope is the access token's (RFC 8707: the API resource's scopes only).
    expect((await page.locator('#granted-scope').textContent())?.split(' ').sort()).toEqual([
      'heart_rate.read',
      'trends.read',
    ]);
    const subject = await page.locator('#subject').textContent();
    expect(subject).toMatch(/^\S{16,}$/);
    expect(subject).not.toBe(DEMO_HOME.accountId);

    // The windows Linkwell computes for the same query, read by the person in the console.
    const api = await apiGet<{ windows: { date: string; empty: boolean }[] }>(
      linkwell,
      '/v1/trends/heart_rate?window=daily',
    );
    const expected: Record<string, string[]> = {};
    for (const w of api.windows) expected[w.date] = ['no readings'];
    for (const d of HR_DAYS) {
      expected[shanghaiDate(dayStart(now, d))] = [
        String(Math.round(((59 + d + 60 + d + 62 + d) / 3) * 10) / 10),
        `${59 + d}`,
        `${62 + d}`,
        '3',
      ];
    }
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(7);
    expect(await heartRateRows(page)).toEqual(expected);
    await expect(page.locator('#heart-rate svg circle').count()).resolves.toBe(HR_DAYS.length);

    // The person has blood-pressure readings on those days, so the refusal is not an empty result.
    const bp = await apiGet<{ windows: { empty: boolean }[] }>(
      linkwell,
      '/v1/trends/blood_pressure?window=daily',
    );
    expect(bp.windows.filter((w) => !w.empty)).toHaveLength(HR_DAYS.length);
    const refusal = page.locator('#blood-pressure .refused');
    expect(await refusal.getAttribute('data-status')).toBe('403');
    expect(await refusal.textContent()).toBe(
      'You did not share blood pressure with this app. Linkwell answered 403 insufficient_scope ' +
        '(API_ERR_INSUFFICIENT_SCOPE: This route needs the blood_pressure.read scope.).',
    );
    expect(await page.locator('#blood-pressure-table').count()).toBe(0);

    const connections = await apiGet<{ connections: { client_id: string; scopes: string[] }[] }>(
      linkwell,
      '/v1/connections',
    );
    expect(connections.connections.find((c) => c.client_id === clientId)?.scopes.sort()).toEqual([
      'heart_rate.read',
      'offline_access',
      'trends.read',
    ]);
    await page.close();
  });

  it('revokes its refresh token on sign-out, which ends the connection in Linkwell', async () => {
    const page = await chromium.context.newPage();
    await page.goto(`${exampleApp.url}/trends`);
    await page.getByRole('button', { name: 'Sign out and disconnect' }).click();
    await page.waitForURL(`${exampleApp.url}/`);
    await page.getByRole('link', { name: 'Sign in with Linkwell' }).waitFor();
    const { connections } = await apiGet<{ connections: { client_id: string }[] }>(
      linkwell,
      '/v1/connections',
    );
    expect(connections.map((c) => c.client_id)).not.toContain(clientId);
    await page.close();
  });
});
