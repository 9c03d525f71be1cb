import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiGet,
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  settled,
  signInOnTheWay,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { until } from '../../src/wait.js';
import { type ConsoleApi, startConsoleApi } from './console-api.js';

interface HouseholdBody {
  id: string;
  name: string;
  role: string;
  members: { account_id: string; display_name: string; role: string }[];
}

/** The member cards as a person reads them: "name (you) | role Readings". */
async function memberLines(page: Page): Promise<string[]> {
  const texts = await page.locator('.member > div:first-child').allInnerTexts();
  return texts.map((text) => text.replace(/\s*\n+\s*/g, ' | '));
}

/**
 * The household page and /join in Chromium against the real API (PGlite, identity-sim): a newcomer
 * creates a household, invites, and a second person joins from the invite's code after signing in on the
 * way; both languages pass axe and fit a phone.
 */
describe('the household page and /join in Chromium', () => {
  let api: ConsoleApi;
  let owner: RunningChromium;
  let guest: RunningChromium;
  let page: Page;
  let log: PageLog;
  let householdId = '';
  let inviteCode = '';

  beforeAll(async () => {
    api = await startConsoleApi();
    owner = await launchChromium({ locale: 'en-US' });
    guest = await launchChromium({ locale: 'zh-CN', viewport: { width: 375, height: 667 } });
    page = owner.page;
    log = recordPageLog(page);
  });
  afterAll(async () => {
    await owner?.close();
    await guest?.close();
    await api?.close();
  });

  it('offers a newcomer to create a household, and creates "Morgan home" with them as its owner', async () => {
    await signInThroughConsole(page, api.url, 'google', 'Alex Morgan');
    await page.getByRole('link', { name: 'Household', exact: true }).click();
    await settled(page);
    expect(await page.getByText('You are not in a household yet.').count()).toBe(1);
    await page.getByLabel('Household name').fill('Morgan home');
    await page.getByRole('button', { name: 'Create household' }).click();
    await page.getByRole('heading', { level: 2, name: 'Morgan home' }).waitFor();
    const { households } = await apiGet<{ households: HouseholdBody[] }>(page, '/v1/households');
    expect(households.map((h) => [h.name, h.role, h.members.map((m) => [m.display_name, m.role])])).toEqual([
      ['Morgan home', 'owner', [['Alex Morgan', 'owner']]],
    ]);
    householdId = households[0]!.id;
    expect(page.url()).toBe(`${api.url}/household?household=${householdId}`);
    expect(await memberLines(page)).toEqual(['Alex Morgan (you) | Owner Readings']);
  });

  it('creates an invite and shows its 8-letter code once, which the API lists as open', async () => {
    await page.getByRole('button', { name: 'Create invite' }).click();
    const code = page.getByTestId('invite-code-value');
    await code.waitFor();
    inviteCode = (await code.textContent()) ?? '';
    expect(inviteCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    await page.getByRole('status').filter({ hasText: 'The invite was created.' }).waitFor();
    const { invites } = await apiGet<{ invites: { status: string }[] }>(
      page,
      `/v1/households/${householdId}/invites`,
    );
    expect(invites.map((i) => i.status)).toEqual(['open']);
    await settled(page);
    expect(await page.getByRole('button', { name: /^Revoke the invite created / }).count()).toBe(1);
  });

  it('renames the household (owner)', async () => {
    await page.getByLabel('New name').fill('Morgan & Li');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { level: 2, name: 'Morgan & Li' }).waitFor();
    const body = await apiGet<HouseholdBody>(page, `/v1/households/${householdId}`);
    expect(body.name).toBe('Morgan & Li');
  });

  it('has no axe violations, CSP refusals or console errors in English, and no sideways scroll at 375 px', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 667 });
    const { scrollWidth, clientWidth } = await horizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([]);
  });

  it('sends a signed-out guest from /join?code= through sign-in and back with the code filled in, in Chinese', async () => {
    const gp = guest.page;
    await signInOnTheWay(gp, api.url, `/join?code=${inviteCode}`, 'wechat', '李伟');
    await settled(gp);
    expect(await gp.getByRole('heading', { level: 1 }).textContent()).toBe('加入家庭');
    expect(await gp.getByLabel('代码').inputValue()).toBe(inviteCode);
    expect(await checkA11y(gp)).toEqual([]);
    const { scrollWidth, clientWidth } = await horizontalOverflow(gp);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });

  it('joins as an adult on "加入", lands on the household page, and the owner sees two members', async () => {
    const gp = guest.page;
    await gp.getByRole('button', { name: '加入', exact: true }).click();
    await gp.waitForURL(`${api.url}/household?household=${householdId}`);
    await settled(gp);
    expect(await memberLines(gp)).toEqual(['Alex Morgan | 所有者 测量记录', '李伟 （您） | 成人 测量记录']);
    expect(await checkA11y(gp)).toEqual([]);
    const { rows } = await api.db.query<{ display_name: string; role: string }>(
      `SELECT a.display_name, m.role FROM household_members m JOIN accounts a ON a.id = m.account_id
       WHERE m.household_id = $1 ORDER BY m.role DESC`,
      [householdId],
    );
    expect(rows).toEqual([
      { display_name: 'Alex Morgan', role: 'owner' },
      { display_name: '李伟', role: 'adult' },
    ]);
  });

  it('refuses the used code again with its sentence in Chinese and API_ERR_INVITE_USED', async () => {
    const gp = guest.page;
    await gp.goto(`${api.url}/join?code=${inviteCode}`);
    await settled(gp);
    await gp.getByRole('button', { name: '加入', exact: true }).click();
    const alert = gp.getByRole('alert').filter({ hasText: /API_ERR_/ });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('此邀请已被使用。请索取新的邀请。错误代码：API_ERR_INVITE_USED');
  });

  it('adds the dependent Mia, whom the API lists as a dependent managed by the owner', async () => {
    await page.reload();
    await settled(page);
    await page.getByLabel('Name', { exact: true }).fill('Mia');
    await page.getByRole('button', { name: 'Add dependent' }).click();
    await page.getByRole('status').filter({ hasText: 'Mia was added as a dependent.' }).waitFor();
    await until('Mia on the page', async () => (await memberLines(page)).length === 3);
    expect(await memberLines(page)).toEqual([
      'Alex Morgan (you) | Owner Readings',
      '李伟 | Adult Readings',
      'Mia | Dependent Readings',
    ]);
    const me = await apiGet<{ id: string }>(page, '/v1/me');
    const { dependents } = await apiGet<{ dependents: { display_name: string; managed_by: string }[] }>(
      page,
      `/v1/households/${householdId}/dependents`,
    );
    expect(dependents.map((d) => [d.display_name, d.managed_by])).toEqual([['Mia', me.id]]);
  });

  it('makes a hand-over code for Mia and shows the code and its /handover link', async () => {
    await page.getByRole('button', { name: 'Hand over Mia' }).click();
    const code = page.getByTestId('handover-code-value');
    await code.waitFor();
    const value = (await code.textContent()) ?? '';
    expect(value).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    expect(await page.getByRole('link', { name: `${api.url}/handover?code=${value}` }).count()).toBe(1);
    const { rows } = await api.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM household_handovers WHERE household_id = $1 AND used_at IS NULL',
      [householdId],
    );
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('shares the owner’s data with 李伟 on one tick and stops on the next', async () => {
    const box = page.getByLabel('Share with 李伟');
    const shares = async () =>
      (
        await api.db.query<{ viewer: string }>(
          `SELECT a.display_name AS viewer FROM household_shares s JOIN accounts a ON a.id = s.viewer_account_id
           WHERE s.household_id = $1`,
          [householdId],
        )
      ).rows.map((r) => r.viewer);
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await page.getByRole('status').filter({ hasText: 'Your data is now shared with 李伟.' }).waitFor();
    expect(await shares()).toEqual(['李伟']);
    await settled(page);
    expect(await page.getByLabel('Share with 李伟').isChecked()).toBe(true);
    await page.getByLabel('Share with 李伟').uncheck();
    await page.getByRole('status').filter({ hasText: 'Your data is no longer shared with 李伟.' }).waitFor();
    expect(await shares()).toEqual([]);
  });

  it('asks before removing a member, with an accessible dialog, and keeps them on Cancel', async () => {
    await page.getByRole('button', { name: 'Remove 李伟' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove 李伟?' });
    await dialog.waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await memberLines(page)).length).toBe(3);
  });

  it('hands ownership to 李伟 after confirming, and the roles swap in household_members', async () => {
    await page.getByRole('button', { name: 'Make owner: 李伟' }).click();
    await page
      .getByRole('dialog', { name: 'Make 李伟 the owner?' })
      .getByRole('button', { name: 'Make owner', exact: true })
      .click();
    await page.getByRole('status').filter({ hasText: '李伟 is now the owner.' }).waitFor();
    const { rows } = await api.db.query<{ display_name: string; role: string }>(
      `SELECT a.display_name, m.role FROM household_members m JOIN accounts a ON a.id = m.account_id
       WHERE m.household_id = $1 ORDER BY a.display_name`,
      [householdId],
    );
    expect(rows).toEqual([
      { display_name: 'Alex Morgan', role: 'adult' },
      { display_name: 'Mia', role: 'dependent' },
      { display_name: '李伟', role: 'owner' },
    ]);
    await settled(page);
    // An adult now: no rename form, no remove buttons. The page reloads the household after the status shows,
    // without a loading state, so wait for that render rather than read the one before it.
    await until(
      'the household page to show 李伟 as owner',
      async () => (await page.getByRole('button', { name: /^Remove / }).count()) === 0,
    );
    expect(await page.getByRole('button', { name: /^Remove / }).count()).toBe(0);
  });

  it('shows the household page in Chinese with no axe violations and no sideways scroll at 375 px', async () => {
    const gp = guest.page;
    await gp.getByRole('link', { name: '家庭', exact: true }).click();
    await settled(gp);
    expect(await gp.getByRole('heading', { level: 1 }).textContent()).toBe('家庭');
    expect(await memberLines(gp)).toEqual([
      '李伟 （您） | 所有者 测量记录',
      'Alex Morgan | 成人 测量记录',
      'Mia | 受照顾者 测量记录',
    ]);
    expect(await checkA11y(gp)).toEqual([]);
    const { scrollWidth, clientWidth } = await horizontalOverflow(gp);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  });
});
