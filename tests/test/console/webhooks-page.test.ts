import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  settled,
  signInThroughConsole,
} from '../../src/browser/index.js';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { connectApp, type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { hooks, until } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';

const APP_NAME = 'Webhook Lab';
const EVENT_ID = 'evt_console_hr_1';
const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);

interface EndpointRow {
  id: string;
  status: string;
  secrets: { id: string }[];
}

async function noSidewaysScrollOnAPhone(page: Page): Promise<void> {
  await page.setViewportSize({ width: 375, height: 667 });
  const { scrollWidth, clientWidth } = await horizontalOverflow(page);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * The webhooks page of a developer app in Chromium against the real API (PGlite, identity-sim, the delivery
 * worker running): Li registers a sandbox app she connected to her own data, adds an endpoint for a loopback
 * receiver built on the `standardwebhooks` package, verifies it, sees a reading's delivery in the log and
 * replays it under the same webhook-id; another developer gets a not-found page.
 */
describe('the webhooks page of a developer app in Chromium', { timeout: 120_000 }, () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let app: RegisteredApp;
  let receiver: Receiver;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;
  let secret = '';
  const pageUrl = () => `${stack.apiUrl}/developer/webhooks?app=${app.client_id}`;
  const card = () => page.locator('.webhook-endpoint');
  const endpoints = async () =>
    ((await (await call(li.browser, stack.apiUrl, 'GET', hooks(app))).json()) as { endpoints: EndpointRow[] })
      .endpoints;

  beforeAll(async () => {
    stack = await startIdentityStack({ console: true });
    li = await signInAs(stack, 'Li Wei');
    app = await registerApp(stack, li, { name: APP_NAME, scopes: ['heart_rate.read'], sandbox: true });
    // A sandbox app may be connected by its developer alone; Li's own readings are what it hears about.
    await connectApp(stack, li, app, { scope: 'openid heart_rate.read' });
    receiver = await new Receiver().start();
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
    await signInThroughConsole(page, stack.apiUrl, 'google', 'Li Wei');
  }, 120_000);
  afterAll(async () => {
    await chromium?.close();
    await receiver?.close();
    await stack?.close();
  });

  it('opens from the app on /developer and shows that it has no endpoint yet', async () => {
    await page.goto(`${stack.apiUrl}/developer`);
    await settled(page);
    await page.getByRole('link', { name: `Webhooks of ${APP_NAME}` }).click();
    await settled(page);
    expect(page.url()).toBe(pageUrl());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Webhooks of ${APP_NAME}`);
    expect(await page.getByText('This app has no webhook endpoint yet.').count()).toBe(1);
  });

  it('refuses a plain-http URL off loopback with the friendly text for API_ERR_WEBHOOK_URL_REFUSED', async () => {
    await page.getByLabel('Endpoint URL').fill('http://example.com/hooks');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const alert = page.locator('form [role="alert"]');
    await alert.filter({ hasText: 'Error code: API_ERR_WEBHOOK_URL_REFUSED' }).waitFor();
    expect(await alert.textContent()).toContain('This URL is refused: it must be https to a public address');
    expect(await page.getByLabel('Endpoint URL').getAttribute('aria-invalid')).toBe('true');
    expect(await endpoints()).toEqual([]);
  });

  it('adds an endpoint for the loopback receiver and shows its signing secret once', async () => {
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    expect(await page.getByRole('checkbox', { name: 'reading.created' }).isChecked()).toBe(true);
    await page.getByRole('radio', { name: 'Full: with values and units' }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.waitFor();
    secret = (await shown.textContent()) ?? '';
    // Standard Webhooks "Signature scheme": whsec_ and base64 of the key (32 bytes here).
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(
      await page.getByText('Copy it now: this is the only time Linkwell shows this secret.').count(),
    ).toBe(1);
    expect(await page.getByRole('button', { name: 'Copy the signing secret' }).count()).toBe(1);
    await card().locator('.badge', { hasText: 'Not verified' }).waitFor();
    const [row] = await endpoints();
    expect(row?.status).toBe('unverified');
  });

  it('has no axe violations with the secret shown, and fits a phone', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await noSidewaysScrollOnAPhone(page);
  });

  it('shows API_ERR_WEBHOOK_VERIFICATION_FAILED while the receiver does not hold the secret', async () => {
    await page.getByRole('button', { name: `Verify ${receiver.url}` }).click();
    const alert = page.locator('.stack > [role="alert"]').first();
    await alert.filter({ hasText: 'Error code: API_ERR_WEBHOOK_VERIFICATION_FAILED' }).waitFor();
    expect(await alert.textContent()).toContain('Your receiver did not answer the challenge');
    expect((await endpoints())[0]?.status).toBe('unverified');
  });

  it('verifies the endpoint once the receiver holds the secret: the challenge arrives signed with it', async () => {
    receiver.secrets = [secret];
    await page.getByRole('button', { name: `Verify ${receiver.url}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${receiver.url} answered the challenge and is active.` })
      .waitFor();
    await card().locator('.badge', { hasText: 'Active' }).waitFor();
    const challenges = receiver.received.filter((r) => r.challenge);
    expect(challenges.map((c) => c.verified !== null)).toEqual([false, true]);
    expect((await endpoints())[0]?.status).toBe('active');
  });

  it('does not show the secret again after a reload', async () => {
    await page.reload();
    await settled(page);
    expect(await card().count()).toBe(1);
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);
    expect(await page.getByText(secret).count()).toBe(0);
  });

  it('lists the delivered reading.created attempt in the delivery log with HTTP 200', async () => {
    await appendReadings(stack.db, [{ id: EVENT_ID, account: li.accountId, metric: 'heart_rate', t: T0 }]);
    await until('the delivery', () => receiver.deliveries().length === 1, 15_000);
    expect(receiver.deliveries()[0]?.id).toBe(EVENT_ID);
    await page.reload();
    await settled(page);
    const health = page.getByTestId('webhook-health');
    expect((await health.locator('dd').allTextContents())[0]).not.toBe('Never');
    expect((await health.locator('dd').allTextContents())[1]).toBe('0');
    await page.getByRole('button', { name: `Delivery log of ${receiver.url}` }).click();
    const rows = page.locator('table.webhook-attempts tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    const cells = (await rows.first().locator('td').allTextContents()).map((x) => x.trim());
    expect(cells.slice(1, 4)).toEqual(['reading.created', EVENT_ID, 'HTTP 200']);
    expect(cells[4]).toMatch(/^\d+ ms$/);
    expect(cells[5]).toBe('{"ok":true}');
  });

  it('replays the message from its row: the receiver gets the same webhook-id again', async () => {
    await page.getByRole('button', { name: `Replay ${EVENT_ID}` }).click();
    await page.getByRole('status').filter({ hasText: '1 queued again.' }).first().waitFor();
    await until('the replayed delivery', () => receiver.deliveries().length === 2, 15_000);
    expect(receiver.deliveries().map((d) => d.id)).toEqual([EVENT_ID, EVENT_ID]);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.locator('table.webhook-attempts tbody tr');
    await until('two rows in the log', async () => (await rows.count()) === 2);
    await page.getByLabel('Show').selectOption('failed');
    await page.getByText('No attempts yet.').waitFor();
    await page.getByLabel('Show').selectOption('succeeded');
    await until('the succeeded rows', async () => (await rows.count()) === 2);
  });

  it('backfills the range with a progress bar that reaches 100 and the count delivered', async () => {
    const backfill = page.getByRole('region', { name: 'Backfill' });
    await backfill.getByLabel('From').fill('2026-11-02T00:00');
    await backfill.getByLabel('To').fill('2026-11-03T00:00');
    await backfill.getByLabel('Rate (events a second)').fill('5');
    await backfill.getByRole('button', { name: 'Start backfill' }).click();
    const bar = page.getByRole('progressbar', { name: 'Backfill progress' });
    await bar.waitFor();
    await page.getByTestId('webhook-backfill-state').filter({ hasText: 'Done: 1 of 1 delivered.' }).waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(receiver.deliveries().filter((d) => d.id === EVENT_ID)).toHaveLength(3);
    // docs/webhooks.md "Replay and backfill": the end is announced through the same pipe.
    const completed = await until('backfill.completed', () =>
      receiver.deliveries().find((d) => d.verified?.type === 'backfill.completed'),
    );
    expect(completed.verified?.data).toMatchObject({ queued: 1, delivered: 1 });
  });

  it('rotates the secret: the new one is shown once and both sign until the old one is revoked', async () => {
    await page.getByRole('button', { name: `New secret for ${receiver.url}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'New secret', exact: true }).click();
    const shown = page.getByTestId('webhook-secret');
    await shown.filter({ hasNotText: secret }).waitFor();
    const second = (await shown.textContent()) ?? '';
    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await page.getByText('every message is signed with both').count()).toBe(1);
    const secrets = page.getByTestId('webhook-secrets').locator('li');
    await until('two secrets listed', async () => (await secrets.count()) === 2);
    // Only the new secret in the receiver: a delivery still verifies, and the old secret verifies it too.
    receiver.secrets = [second];
    await appendReadings(stack.db, [
      { id: 'evt_console_hr_2', account: li.accountId, metric: 'heart_rate', t: T0 + 60_000 },
    ]);
    await until('the delivery after rotating', () =>
      receiver.deliveries().some((d) => d.id === 'evt_console_hr_2'),
    );
    const rotated = receiver.deliveries().find((d) => d.id === 'evt_console_hr_2')!;
    expect(rotated.signature.split(' ').filter((x) => x.startsWith('v1,'))).toHaveLength(2);
    const headers = {
      'webhook-id': rotated.id,
      'webhook-timestamp': String(rotated.timestamp),
      'webhook-signature': rotated.signature,
    };
    expect(() => new Webhook(secret).verify(rotated.body, headers)).not.toThrow();

    await page.getByRole('button', { name: /^Revoke the old secret \(signs until / }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'The secret was revoked.' }).waitFor();
    await until('one secret listed', async () => (await secrets.count()) === 1);
    expect((await endpoints())[0]?.secrets, 'secrets in the API').toHaveLength(1);
    await appendReadings(stack.db, [
      { id: 'evt_console_hr_3', account: li.accountId, metric: 'heart_rate', t: T0 + 120_000 },
    ]);
    await until('the delivery after revoking', () =>
      receiver.deliveries().some((d) => d.id === 'evt_console_hr_3'),
    );
    const after = receiver.deliveries().find((d) => d.id === 'evt_console_hr_3')!;
    expect(
      after.signature.split(' ').filter((x) => x.startsWith('v1,')),
      'v1 signatures after revoking',
    ).toHaveLength(1);
  });

  it('pauses the endpoint (nothing is sent) and enables it again (the waiting message goes)', async () => {
    await page.getByRole('button', { name: `Pause ${receiver.url}` }).click();
    await card().locator('.badge', { hasText: 'Disabled' }).waitFor();
    expect(await page.getByTestId('webhook-disabled-reason').textContent()).toMatch(/^Paused by you\. /);
    await appendReadings(stack.db, [
      { id: 'evt_console_hr_4', account: li.accountId, metric: 'heart_rate', t: T0 + 180_000 },
    ]);
    // The worker polls each second: two passes and the paused endpoint still got nothing.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(receiver.attempts().some((d) => d.id === 'evt_console_hr_4')).toBe(false);
    await page.getByRole('button', { name: `Enable ${receiver.url}` }).click();
    await card().locator('.badge', { hasText: 'Active' }).waitFor();
    await until('the waiting delivery', () => receiver.deliveries().some((d) => d.id === 'evt_console_hr_4'));
  });

  it('replays a time range: every event in it is queued again under its own webhook-id', async () => {
    const before = receiver.deliveries().length;
    const replay = page.getByRole('region', { name: 'Replay a time range' });
    await replay.getByLabel('From').fill('2026-11-02T06:00');
    await replay.getByLabel('To').fill('2026-11-02T06:02');
    await replay.getByRole('button', { name: 'Replay range' }).click();
    // The event log reads ranges half-open, [from, to) (api/src/modules/events/repository.ts): 06:00 and 06:01.
    await replay.getByRole('status').filter({ hasText: '2 queued again.' }).waitFor();
    await until('the replayed range', () => receiver.deliveries().length === before + 2);
    expect(
      receiver
        .deliveries()
        .slice(before)
        .map((d) => d.id),
    ).toEqual(['evt_console_hr_1', 'evt_console_hr_2']);
  });

  it('has no axe violations with the delivery log open, fits a phone, and logged only the two refusals', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await noSidewaysScrollOnAPhone(page);
    expect(log.cspViolations).toEqual([]);
    // Chromium logs every refused fetch: the http URL (400) and the first, unanswered challenge (422).
    expect(log.errors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
      'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
    ]);
  });

  it('speaks Simplified Chinese', async () => {
    const zh = await launchChromium({ locale: 'zh-CN' });
    try {
      await zh.context.addCookies(await chromium.context.cookies());
      const zhLog = recordPageLog(zh.page);
      await zh.page.goto(pageUrl());
      await settled(zh.page);
      expect(await zh.page.getByRole('heading', { level: 1 }).textContent()).toBe(`${APP_NAME} 的 Webhook`);
      expect(await zh.page.getByRole('heading', { level: 2, name: '端点', exact: true }).count()).toBe(1);
      expect(await zh.page.locator('.webhook-endpoint .badge').textContent()).toBe('已启用');
      expect(await zh.page.getByRole('button', { name: `${receiver.url} 的投递日志` }).textContent()).toBe(
        '投递日志',
      );
      expect(await zh.page.getByRole('button', { name: '添加端点' }).count()).toBe(1);
      expect(zhLog.errors).toEqual([]);
    } finally {
      await zh.close();
    }
  });

  it('shows another developer a not-found page and nothing of the app', async () => {
    const other = await launchChromium({ locale: 'en-US' });
    try {
      const otherLog = recordPageLog(other.page);
      await signInThroughConsole(other.page, stack.apiUrl, 'google', 'Alex Morgan');
      await other.page.goto(pageUrl());
      await other.page.getByTestId('webhooks-not-found').waitFor();
      expect(await other.page.getByRole('heading', { level: 1 }).textContent()).toBe('App not found');
      expect(await other.page.getByText('None of your apps has this client ID.').count()).toBe(1);
      expect(await other.page.locator('.webhook-endpoint').count()).toBe(0);
      expect(await other.page.getByText(receiver.url).count()).toBe(0);
      expect(await other.page.getByText(APP_NAME).count()).toBe(0);
      expect(otherLog.errors).toEqual([
        'Failed to load resource: the server responded with a status of 404 (Not Found)',
      ]);
    } finally {
      await other.close();
    }
  });

  it('deletes the endpoint after confirming; the app then has none', async () => {
    await page.bringToFront();
    await page.getByRole('button', { name: `Delete ${receiver.url}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${receiver.url} was deleted.` })
      .waitFor();
    await page.getByText('This app has no webhook endpoint yet.').waitFor();
    expect(await endpoints()).toEqual([]);
  });
});
