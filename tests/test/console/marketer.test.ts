import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Database } from '@linkwell/api';
import type { Page } from 'playwright-core';
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
import { signInAs } from '../../src/oauth/kit.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const TEXT_SHA = sha256('marketing consent text, test');

interface Person {
  id: string;
  email: string;
  stage: string;
  scale: boolean;
  cuff: boolean;
  /** Usage value: one person in ten is worth 100, the rest 1 (for the 80/20 report). */
  value: number;
}

/**
 * People as the CRM sees them after a trait run: an account with a verified e-mail, live grants of
 * marketing × usage and marketing × contact to linkwell (consent_records, as the consents context writes
 * them), and a crm_profiles row whose consent snapshot is marketing/usage. Inserted as rows, not through the
 * browser: the browser is the marketer's.
 */
async function seed(db: Database, people: readonly Person[]): Promise<void> {
  const at = new Date(Date.now() - 3_600_000);
  for (let s = 0; s < people.length; s += 50) {
    const chunk = people.slice(s, s + 50);
    const ids = chunk.map((p) => p.id);
    await db.query(
      `INSERT INTO accounts (id, display_name) SELECT id, 'Seeded person' FROM unnest($1::text[]) AS t(id)`,
      [ids],
    );
    await db.query(
      `INSERT INTO identities (id, account_id, provider, issuer, subject, claims, email_trusted, linked_at, last_used_at)
       SELECT 'idn_' || t.id, t.id, 'mail', 'https://mail.test', t.id,
              jsonb_build_object('email', t.email, 'email_verified', true), true, $3, $3
         FROM unnest($1::text[], $2::text[]) AS t(id, email)`,
      [ids, chunk.map((p) => p.email), at],
    );
    await db.query(
      `INSERT INTO consent_records (account_id, purpose, category, recipient, kind, at, channel, text_version, text_locale, text_sha256)
       SELECT t.id, 'marketing', c.category, 'linkwell', 'grant', $2, 'import', 'test-1', 'en', $3
         FROM unnest($1::text[]) AS t(id) CROSS JOIN (VALUES ('usage'), ('contact')) AS c(category)`,
      [ids, at, TEXT_SHA],
    );
    await db.query(
      `INSERT INTO crm_profiles (account_id, consents, lifecycle_stage, owns_scale, owns_cuff, value_score)
       SELECT t.id, ARRAY['marketing/usage'], t.stage, t.scale, t.cuff, t.value
         FROM unnest($1::text[], $2::text[], $3::boolean[], $4::boolean[], $5::float8[])
           AS t(id, stage, scale, cuff, value)`,
      [
        ids,
        chunk.map((p) => p.stage),
        chunk.map((p) => p.scale),
        chunk.map((p) => p.cuff),
        chunk.map((p) => p.value),
      ],
    );
  }
}

/** `n` people from `start`; `match` ones are at risk, own a scale and no cuff. */
function people(start: number, n: number, shape: Omit<Person, 'id' | 'email' | 'value'>): Person[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `acct_seed${String(start + i).padStart(5, '0')}`;
    const value = (start + i) % 10 === 0 ? 100 : 1;
    return { id, email: `  Person.${start + i}@Example.COM `, value, ...shape };
  });
}
const MATCH = { stage: 'at_risk', scale: true, cuff: false };

/**
 * The marketer area in Chromium against the real API (PGlite, identity-sim), issue 16's acceptance: Li, a
 * marketer of Acme, builds "lifecycle = at_risk AND owns a scale AND NOT owns a cuff" in the segment
 * builder, previews it on a small population and sees `<100`, on a large one and sees the real count, then
 * saves it, sends it to a hashed-CSV destination and downloads the file.
 */
describe('the marketer area in Chromium', { timeout: 180_000 }, () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;
  const failed: string[] = [];
  /** Marketer tokens the page minted (POST /v1/orgs/{org}/marketer-session). */
  const sessions: string[] = [];
  let org: { id: string; slug: string };
  const area = (tab: string) => `${stack.apiUrl}/marketer?org=acme&tab=${tab}`;
  const condition = (n: number) => page.getByRole('group', { name: `Condition ${n}`, exact: true });
  const previewSize = () => page.getByTestId('preview-size');
  /** At 375 px nothing makes the page scroll sideways (wide tables scroll inside their own region). */
  const fitsAPhone = async () => {
    await page.setViewportSize({ width: 375, height: 667 });
    const { scrollWidth, clientWidth } = await horizontalOverflow(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
  };

  beforeAll(async () => {
    stack = await startIdentityStack({ console: true });
    li = await signInAs(stack, 'Li Wei');
    const created = await call(li.browser, stack.apiUrl, 'POST', '/v1/orgs', { slug: 'acme', name: 'Acme' });
    expect(created.status).toBe(201);
    org = (await created.json()) as { id: string; slug: string };
    const roles = await call(li.browser, stack.apiUrl, 'PUT', `/v1/orgs/${org.id}/members/${li.accountId}`, {
      roles: ['admin', 'marketer'],
    });
    expect(roles.status).toBe(200);
    // The small population: 40 match; 30 at risk with a cuff and 30 active with a scale do not.
    await seed(stack.db, [
      ...people(0, 40, MATCH),
      ...people(100, 30, { stage: 'at_risk', scale: true, cuff: true }),
      ...people(200, 30, { stage: 'active', scale: true, cuff: false }),
    ]);
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
    page.on('response', (r) => {
      if (r.url().endsWith('/marketer-session') && r.status() === 200) sessions.push(r.url());
      if (r.status() >= 400)
        failed.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    await signInThroughConsole(page, stack.apiUrl, 'google', 'Li Wei');
    await settled(page);
  }, 180_000);
  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });

  it('offers the marketer area in the menu to a marketer of the organisation', async () => {
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Marketing' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/marketer?org=acme&tab=builder');
    await link.click();
    await page.waitForURL(area('builder'));
    await settled(page);
    await page.getByRole('heading', { level: 1, name: 'Marketing for Acme' }).waitFor();
  });

  it('builds lifecycle = at_risk AND owns a scale AND NOT owns a cuff, and previews <100 on the small population', async () => {
    await page.getByRole('heading', { name: 'Segment builder' }).waitFor();
    for (let i = 0; i < 3; i++)
      await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await condition(1).getByLabel('Trait', { exact: true }).selectOption('lifecycle_stage');
    expect(await condition(1).getByLabel('Comparison').inputValue()).toBe('=');
    // The enum's values are offered as a picker, by name.
    await condition(1).getByLabel('Value', { exact: true }).selectOption({ label: 'At risk' });
    await condition(2).getByLabel('Trait', { exact: true }).selectOption('owns_scale');
    await condition(2).getByLabel('Value', { exact: true }).selectOption({ label: 'Yes' });
    await condition(3).getByLabel('Trait', { exact: true }).selectOption('owns_cuff');
    await condition(3).getByLabel('Value', { exact: true }).selectOption({ label: 'Yes' });
    await condition(3).getByLabel('NOT', { exact: true }).check();
    // A boolean offers only the operators its type takes.
    const ops = await condition(2).getByLabel('Comparison').locator('option').allTextContents();
    expect(ops).toEqual(['is', 'is not', 'has no value', 'has a value']);
    await page.getByTestId('rule-state').getByText('The rule is complete.').waitFor();

    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await previewSize().waitFor();
    expect(await previewSize().textContent()).toBe('<100');
    expect(await page.getByTestId('preview-excluded').textContent()).toBe('<100');
    const verdicts = page.getByTestId('verdicts');
    expect(await verdicts.locator('tr[data-kind="hashed_csv"] td').textContent()).toBe('Allowed');
    expect(await verdicts.locator('tr[data-kind="care_programme"] td').textContent()).toContain(
      'Not allowed',
    );
  });

  it('previews the real count once the population is large, the same number the API gives', async () => {
    await seed(stack.db, people(1000, 110, MATCH));
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByTestId('preview-size').getByText('150', { exact: true }).waitFor();
    expect(await previewSize().textContent()).toBe('150');
  });

  it('has no axe violations on the builder with its preview, and fits a phone', async () => {
    expect(await checkA11y(page)).toEqual([]);
    await page.setViewportSize({ width: 375, height: 667 });
    const { scrollWidth, clientWidth } = await horizontalOverflow(page);
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('saves the segment, sends it to a hashed-CSV destination and downloads the file', async () => {
    await page.getByLabel('Segment name').fill('At risk, scale, no cuff');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.getByRole('status').filter({ hasText: 'Segment “At risk, scale, no cuff” saved.' }).waitFor();

    await page.getByRole('link', { name: 'Destinations' }).click();
    await page.waitForURL(area('destinations'));
    await settled(page);
    await page.getByLabel('Name', { exact: true }).fill('Ad audience file');
    await page.getByLabel('Kind', { exact: true }).selectOption('hashed_csv');
    await page.getByRole('button', { name: 'Create destination' }).click();
    await page.getByRole('status').filter({ hasText: 'Destination “Ad audience file” created.' }).waitFor();
    await page
      .getByLabel('Segment to attach to Ad audience file')
      .selectOption({ label: 'At risk, scale, no cuff' });
    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Segment attached to “Ad audience file”.' }).waitFor();
    await page.getByRole('button', { name: 'Sync Ad audience file' }).click();
    await page.getByTestId('sync-result').getByText('150 members (150 entered, 0 exited).').waitFor();

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV of Ad audience file' }).click();
    const download = await downloading;
    const path = await download.path();
    const lines = (await readFile(path, 'utf8')).split('\r\n').filter((l) => l !== '');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 2)).toEqual(['email_sha256', 'phone_sha256']);
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.length).toBeGreaterThanOrEqual(100);
    expect(rows).toHaveLength(150);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r[0]!))).toBe(true);
    // The hash is of the normalised address (trimmed, lower-cased), and nothing in the file names a person.
    expect(rows.map((r) => r[0])).toContain(sha256('person.1000@example.com'));
    expect(lines.join('\n')).not.toMatch(/acct_|@/);
  });

  it('refuses a preview that would single people out against the released count, and says why', async () => {
    await page.getByRole('link', { name: 'Segment builder' }).click();
    await page.waitForURL(area('builder'));
    await settled(page);
    for (let i = 0; i < 2; i++)
      await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    await condition(1).getByLabel('Trait', { exact: true }).selectOption('lifecycle_stage');
    await condition(1).getByLabel('Value', { exact: true }).selectOption({ label: 'At risk' });
    await condition(2).getByLabel('Trait', { exact: true }).selectOption('owns_scale');
    // 180 people, 30 more than the 150 released: the difference would count fewer than k.
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'differs from one already given' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('API_ERR_CRM_DIFFERENCING');
    expect(await previewSize().count()).toBe(0);
  });

  it('shows the saved segment’s membership as a daily size series', async () => {
    await page.getByRole('link', { name: 'Segments', exact: true }).click();
    await page.waitForURL(area('segments'));
    await settled(page);
    await page.getByRole('button', { name: 'Refresh At risk, scale, no cuff' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Membership of “At risk, scale, no cuff” refreshed.' })
      .waitFor();
    await page.getByRole('button', { name: 'Membership of At risk, scale, no cuff' }).click();
    const membership = page.getByTestId('membership');
    const today = new Date().toISOString().slice(0, 10);
    await membership.getByRole('row', { name: new RegExp(`^${today} 150`) }).waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await fitsAPhone();
  });

  it('browses the trait catalog by sensitivity, with the health traits marked', async () => {
    await page.getByRole('link', { name: 'Trait catalog' }).click();
    await page.waitForURL(area('catalog'));
    await settled(page);
    await page.getByLabel('Sensitivity').selectOption('health');
    const cards = page.getByTestId('trait-catalog').locator('li');
    await page.getByText('Showing 3 of').waitFor();
    expect(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-trait')))).toEqual([
      'bp_adherence_7d',
      'measurement_streak_days',
      'has_stage2_bp',
    ]);
    expect(await cards.locator('.badge').allTextContents()).toEqual(['Health', 'Health', 'Health']);
    expect(await checkA11y(page)).toEqual([]);
    await fitsAPhone();
  });

  it('shows the reports with cells below k as <100', async () => {
    // Grade history as the trait run records it: the 150 matching people went from B last month to A this
    // month, 30 others stayed at C.
    const month = (offset: number) => {
      const d = new Date();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + offset);
      return d.toISOString().slice(0, 10);
    };
    const moved = [...people(0, 40, MATCH), ...people(1000, 110, MATCH)].map((p) => p.id);
    const stayed = people(100, 30, MATCH).map((p) => p.id);
    await stack.db.query(
      `INSERT INTO crm_grade_history (month, account_id, grade)
       SELECT m.month::date, t.id, CASE WHEN t.stayed THEN 'C' WHEN m.month = $3 THEN 'B' ELSE 'A' END
         FROM unnest($1::text[], $2::boolean[]) AS t(id, stayed) CROSS JOIN (VALUES ($3), ($4)) AS m(month)`,
      [[...moved, ...stayed], [...moved.map(() => false), ...stayed.map(() => true)], month(-1), month(0)],
    );
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.waitForURL(area('reports'));
    await settled(page);
    const heat = page.getByTestId('tier-migration').getByRole('table');
    await heat.getByRole('row', { name: /^B / }).waitFor();
    const cells = await heat.locator('tbody td').allTextContents();
    // Rows are last month's grade, columns this month's, A–F: B → A is cell 6.
    expect(cells).toHaveLength(36);
    expect(cells[6]).toBe('150');
    expect(cells.filter((_c, i) => i !== 6)).toEqual(Array(35).fill('<100'));
    const funnel = page.getByTestId('funnel');
    await funnel.getByText('At risk: 180').waitFor();
    await funnel.getByText('Active: <100').waitFor();
    // 210 people with a value: 21 worth 100 and 189 worth 1 (2289 in all). 80 % of it (1831.2) takes 19
    // people (18 × 100 = 1800 falls short), 19/210 = 9 %; the top 4 % is ⌈8.4⌉ = 9 people, 900/2289 = 39.3 %.
    const concentration = page.getByTestId('concentration');
    await concentration.getByText('9% of people account for 80% of usage value').waitFor();
    await concentration.getByText('The top 4% of people account for 39.3% of usage value').waitFor();
    expect(await checkA11y(page)).toEqual([]);
    await fitsAPhone();
  });

  it('switches the builder’s labels to Simplified Chinese', async () => {
    await page.goto(area('builder'));
    await settled(page);
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '细分构建器' }).waitFor();
    await page.getByRole('button', { name: '添加条件', exact: true }).click();
    const first = page.getByRole('group', { name: '条件 1', exact: true });
    await first.getByLabel('特征', { exact: true }).selectOption('lifecycle_stage');
    expect(await first.getByLabel('值', { exact: true }).locator('option').allTextContents()).toContain(
      '有流失风险',
    );
    expect(await page.getByRole('button', { name: '预览', exact: true }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Segment builder' }).count()).toBe(0);
    expect(await checkA11y(page)).toEqual([]);
    await page.getByLabel('语言').selectOption('en');
  });

  it('mints a new marketer token before the old one runs out, and not for every request', async () => {
    const mints = () => sessions.length;
    // Last of the page's tests but one: the page's clock runs 15 minutes ahead from here on.
    await page.clock.install();
    await page.goto(area('segments'));
    await settled(page);
    const before = mints();
    await page.getByRole('link', { name: 'Destinations' }).click();
    await page.locator('li[data-destination="Ad audience file"]').waitFor();
    expect(mints()).toBe(before);
    // Fifteen minutes on the page's clock: the token is within its last minute, so the next call mints.
    await page.clock.fastForward('15:00');
    await page.getByRole('link', { name: 'Segments', exact: true }).click();
    // The list reloads after the refresh; wait for it, so no call is still under way when the test ends.
    const relisted = page.waitForResponse(
      (r) =>
        r.request().method() === 'GET' && new URL(r.url()).pathname === `/v1/crm/orgs/${org.id}/segments`,
    );
    await page.getByRole('button', { name: 'Refresh At risk, scale, no cuff' }).click();
    await page.getByRole('status').filter({ hasText: 'refreshed.' }).waitFor();
    expect((await relisted).status()).toBe(200);
    expect(mints()).toBe(before + 1);
  });

  it('refuses the area to a person without the marketer role there', async () => {
    const other = await call(li.browser, stack.apiUrl, 'PUT', `/v1/orgs/${org.id}/members/${li.accountId}`, {
      roles: ['admin'],
    });
    expect(other.status).toBe(200);
    await page.goto(area('builder'));
    await settled(page);
    await page.getByTestId('marketer-no-role').waitFor();
    expect(await page.getByRole('link', { name: 'Marketing' }).count()).toBe(0);
  });

  it('logged no page errors or CSP refusals', () => {
    // Every API call the pages made succeeded but the one refused on purpose, which Chromium logs.
    expect(failed).toEqual([`POST /v1/crm/orgs/${org.id}/segments/preview 422`]);
    expect(log.cspViolations).toEqual([]);
    expect(log.errors).toEqual([
      'Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)',
    ]);
  });
});
