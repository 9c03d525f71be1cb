import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  checkA11y,
  launchChromium,
  type RunningChromium,
  settled,
  signInOnTheWay,
} from '../../src/browser/index.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

/**
 * The RFC 8628 verification page in the console: /device (the verification_uri a gateway shows) sends a
 * person to /activate with the code, through sign-in when needed; a code no gateway is waiting for is
 * refused with its coded sentence and adds nothing.
 */
describe('/device and /activate in Chromium', () => {
  let api: ConsoleApi;
  let chromium: RunningChromium;
  let page: Page;

  beforeAll(async () => {
    api = await startConsoleApi();
    chromium = await launchChromium({ locale: 'zh-CN' });
    page = chromium.page;
  });
  afterAll(async () => {
    await chromium?.close();
    await api?.close();
  });

  it('redirects /device?user_code= to /activate with the code in its display form', async () => {
    const res = await fetch(`${api.url}/device?user_code=bcdf-ghjk`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/activate?user_code=BCDF-GHJK');
  });

  it('takes a signed-out person through sign-in and back to /activate with the code filled in', async () => {
    await signInOnTheWay(page, api.url, '/activate?user_code=BCDF-GHJK', 'wechat', '张敏');
    await settled(page);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('添加网关');
    expect(await page.getByLabel('网关显示的代码').inputValue()).toBe('BCDF-GHJK');
    // No household yet: the gateway would go into a new one, named here.
    expect(await page.getByLabel('家庭', { exact: true }).inputValue()).toBe('__new__');
    expect(await checkA11y(page)).toEqual([]);
  });

  it('refuses a code no gateway is waiting for with API_ERR_USER_CODE_UNKNOWN, and links no gateway', async () => {
    await page.getByLabel('家庭名称').fill('张家');
    await page.getByRole('button', { name: '批准' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'API_ERR_' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      '没有网关在等待此代码。请对照网关屏幕检查。错误代码：API_ERR_USER_CODE_UNKNOWN',
    );
    const { rows } = await api.db.query<{ n: number }>('SELECT count(*)::int AS n FROM gateways');
    expect(rows).toEqual([{ n: 0 }]);
    // The household asked for exists once; a second try uses it rather than making another.
    const second = page.waitForResponse((r) => r.url().endsWith('/v1/device-authorizations/verify'));
    await page.getByRole('button', { name: '批准' }).click();
    expect((await second).status()).toBe(404);
    await alert.waitFor();
    const { households } = await apiGet<{ households: { name: string }[] }>(page, '/v1/households');
    expect(households.map((h) => h.name)).toEqual(['张家']);
    expect(await page.getByLabel('家庭', { exact: true }).inputValue()).not.toBe('__new__');
  });

  it('refuses Deny for an unknown code the same way', async () => {
    await page.getByRole('button', { name: '拒绝' }).click();
    await page.getByRole('alert').filter({ hasText: 'API_ERR_USER_CODE_UNKNOWN' }).waitFor();
  });
});
