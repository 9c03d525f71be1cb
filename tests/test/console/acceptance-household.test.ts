import { join } from 'node:path';
import { type MiScale, SimHome, systemClock, type WeightScale } from '@linkwell/device-sim';
import { type LinkGatewayResult, linkGateway } from 'linkwell';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HouseholdPlatform,
  type RunningHomeGateway,
  runHomeGateway,
  startHouseholdPlatform,
} from '../../src/browser/household-platform.js';
import {
  apiGet,
  checkA11y,
  horizontalOverflow,
  launchChromium,
  type PageLog,
  type RunningChromium,
  recordPageLog,
  settled,
  signInThroughConsole,
} from '../../src/browser/index.js';
import { influxQuery } from '../../src/harness/index.js';
import { eventually, until } from '../../src/wait.js';

const SCALE = 'D0:00:00:00:00:03';
const MI = 'D0:00:00:00:00:06';
/** The UDS scale's user 1 and its consent code (device-sim's DEMO_SCALE_USERS), which the gateway uses. */
const USER_1 = { address: SCALE, index: 1, consent: 1234 };

interface NearbyBody {
  address: string;
  model: string | null;
  maker: string | null;
  battery_percent: number | null;
}
interface DeviceBody {
  id: string;
  address: string;
  attribution: string;
  slots: { slot: number; account_id: string }[];
}
interface InboxBody {
  id: string;
  metric: string;
  device_address: string;
  measured_at: string;
  values: Record<string, number>;
  reason: string;
  state: string;
}

type Row = [string, ...unknown[]];
async function influxRows(url: string, q: string): Promise<Row[]> {
  const body = (await influxQuery(url, q)) as { results: { series?: { values: Row[] }[] }[] };
  return body.results[0]?.series?.[0]?.values ?? [];
}

/** Clicks a section's Refresh until `ready` holds: the page shows what the API has, when asked again. */
async function refreshUntil(page: Page, what: string, ready: () => Promise<boolean>, timeoutMs = 60_000) {
  await until(
    what,
    async () => {
      if (await ready()) return true;
      await page.getByRole('button', { name: 'Refresh' }).first().click();
      await settled(page);
      return ready();
    },
    timeoutMs,
    500,
  );
}

/**
 * Issue 12's acceptance in Chromium, against the real stack: InfluxDB, ingest with its broker, the API
 * serving the console, identity-sim, and a real gateway on node-ble over the simulated BlueZ with a UDS
 * scale and an advertisement-only Mi scale. A newcomer signs in, onboards the gateway by typing the code
 * it shows, claims the scale from Nearby, maps its user 1 (importing what it stored), claims the Mi scale
 * and files its weighing from the inbox to a dependent. Each step is checked through the API, the
 * registry or InfluxDB, not only on the page.
 */
describe('a newcomer sets up a household in the console, in Chromium, against the real stack', {
  timeout: 150_000,
}, () => {
  let platform: HouseholdPlatform;
  let chromium: RunningChromium;
  let page: Page;
  let log: PageLog;
  let home: SimHome;
  let gateway: RunningHomeGateway | undefined;
  let linking: Promise<LinkGatewayResult> | undefined;
  let linked: LinkGatewayResult;
  let userCode = '';
  let accountId = '';
  let householdId = '';
  let miaId = '';
  /** The Mi scale weighing filed to Mia. */
  let filed: MiScale['taken'][number] | undefined;

  beforeAll(async () => {
    platform = await startHouseholdPlatform();
    chromium = await launchChromium({ locale: 'en-US' });
    page = chromium.page;
    log = recordPageLog(page);
    home = new SimHome({
      clock: systemClock,
      seed: 1212,
      devices: [
        { kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0 } },
        // A child of about 24 kg: far from any adult's weight, so no rule can claim the weighing.
        { kind: 'mi-scale', address: MI, options: { users: [{ weightKg: 24 }], frameIntervalMs: 100 } },
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    home?.dispose();
    await chromium?.close();
    await platform?.close();
  });

  const nav = (name: string) => page.getByRole('navigation').getByRole('link', { name, exact: true });
  const scale = () => home.find('scale') as WeightScale;
  const mi = () => home.find('mi-scale') as MiScale;
  const weights = (account: string) =>
    influxRows(
      platform.influxUrl,
      `SELECT weight, attr_method FROM "linkwell"."autogen"."body_weight" WHERE account = '${account}'`,
    );

  it('signs the newcomer Sam Taylor in with the Apple-like provider, creating the account', async () => {
    const before = await platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    await signInThroughConsole(page, platform.url, 'apple', 'Sam Taylor');
    accountId = (await apiGet<{ id: string }>(page, '/v1/me')).id;
    expect(accountId).toMatch(/^acct_/);
    const after = await platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM accounts');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n + 1);
    const { households } = await apiGet<{ households: unknown[] }>(page, '/v1/households');
    expect(households).toEqual([]);
  });

  it('onboards the gateway by typing the code it shows on Add gateway, into a new household', async () => {
    // The user weighed themselves before the gateway existed: the scale keeps it for user 1.
    scale().step({ user: 1 });
    let shown: (code: string) => void = () => {};
    const codeShown = new Promise<string>((resolve) => {
      shown = resolve;
    });
    let output = '';
    linking = linkGateway(
      { api: platform.url, credentials: join(platform.dir, 'gateway', 'gateway.json'), name: 'Hall gateway' },
      { out: { write: (t: string) => (output += t) }, onAuthorization: (a) => shown(a.userCode) },
    );
    userCode = await codeShown;
    expect(output).toContain(userCode);

    await nav('Gateways').click();
    await settled(page);
    expect(await page.getByText('You are not in a household yet.').count()).toBe(1);
    await page.getByRole('link', { name: 'Add gateway' }).click();
    await page.waitForURL(`${platform.url}/activate`);
    await settled(page);
    // Typed as a person may: lower case, no dash.
    await page.getByLabel('Code shown by the gateway').fill(userCode.replace('-', '').toLowerCase());
    expect(await page.getByLabel('Household', { exact: true }).inputValue()).toBe('__new__');
    await page.getByLabel('Household name').fill('Taylor home');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Hall gateway was added to Taylor home. It connects within a few seconds.' })
      .waitFor();

    linked = await linking;
    const { rows } = await platform.db.query<{ household: string; name: string; gateway: string }>(
      `SELECT h.name AS household, g.name, g.id AS gateway FROM gateways g
       JOIN households h ON h.id = g.household_id`,
    );
    expect(rows).toEqual([{ household: 'Taylor home', name: 'Hall gateway', gateway: linked.gatewayId }]);
    const { households } = await apiGet<{ households: { id: string; name: string; role: string }[] }>(
      page,
      '/v1/households',
    );
    expect(households.map((h) => [h.name, h.role])).toEqual([['Taylor home', 'owner']]);
    householdId = households[0]!.id;
  });

  it('shows the gateway Online once it has connected to ingest', async () => {
    gateway = await runHomeGateway({
      home,
      gatewayId: linked.gatewayId,
      token: linked.tokens.accessToken,
      mqttUrl: platform.ingest.mqttUrl,
      dir: join(platform.dir, 'gateway'),
      users: [USER_1],
    });
    await nav('Gateways').click();
    await until(
      'the gateway to be shown online',
      async () => {
        await settled(page);
        if ((await page.locator('.gateway .badge.online').count()) === 1) return true;
        await page.reload();
        return false;
      },
      30_000,
      500,
    );
    expect(await page.locator('.gateway .title').textContent()).toBe('Hall gateway Online');
    const { gateways } = await apiGet<{ gateways: { id: string; online: boolean }[] }>(
      page,
      `/v1/households/${householdId}/gateways`,
    );
    expect(gateways.map((g) => [g.id, g.online])).toEqual([[linked.gatewayId, true]]);
  });

  it('lists the scale under Nearby with what the API knows of it, and claims it', async () => {
    await nav('Devices').click();
    await settled(page);
    const card = page.locator('.nearby').filter({ hasText: `Address ${SCALE}` });
    await refreshUntil(page, 'the scale under Nearby', async () => (await card.count()) === 1);
    // Model, maker (DIS) and battery come from the gateway's device.info once it has been connected.
    const facts = await eventually(
      'the scale’s model, maker and battery from the gateway',
      async () => {
        const { nearby } = await apiGet<{ nearby: NearbyBody[] }>(
          page,
          `/v1/households/${householdId}/nearby`,
        );
        const f = nearby.find((n) => n.address === SCALE);
        return f?.model && f.maker && f.battery_percent !== null ? f : undefined;
      },
      60_000,
      250,
    );
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    await settled(page);
    const text = await card.textContent();
    expect(text).toContain(`Model: ${facts.model}`);
    expect(text).toContain(`Maker: ${facts.maker}`);
    expect(text).toContain(`Battery: ${facts.battery_percent}%`);

    await card.getByRole('button', { name: 'Claim' }).click();
    await page
      .locator('.device')
      .filter({ hasText: `Address ${SCALE}` })
      .waitFor();
    const { devices } = await apiGet<{ devices: DeviceBody[] }>(
      page,
      `/v1/households/${householdId}/devices`,
    );
    expect(devices.map((d) => [d.address, d.attribution, d.slots])).toEqual([[SCALE, 'slots', []]]);
  });

  it('maps scale user 1 to Sam with the stored history imported, and the stored weight reaches Sam in InfluxDB', async () => {
    const card = page.locator('.device').filter({ hasText: `Address ${SCALE}` });
    await card.getByLabel('User 1', { exact: true }).selectOption({ label: 'Sam Taylor' });
    await card.getByLabel('Import what user 1 stored').check();
    await card.getByRole('button', { name: 'Save user 1' }).click();
    await page.getByRole('status').filter({ hasText: 'User 1 is now Sam Taylor.' }).waitFor();
    const device = (await apiGet<{ devices: DeviceBody[] }>(page, `/v1/households/${householdId}/devices`))
      .devices[0]!;
    expect(device.slots).toEqual([{ slot: 1, account_id: accountId }]);

    // The weighing the scale kept from before the gateway: exactly it, under Sam, by the UDS user index.
    const truth = scale().taken.filter((t) => t.userId === 1);
    expect(truth).toHaveLength(1);
    const rows = await eventually(
      'the stored weight under Sam',
      async () => {
        const r = await weights(accountId);
        return r.length >= truth.length ? r : undefined;
      },
      60_000,
      250,
    );
    expect(rows.map(([, kg, method]) => [kg, method])).toEqual(
      truth.map((t) => [t.weightKg, 'uds-user-index']),
    );
  });

  it('adds the dependent Mia and claims the Mi scale from Nearby', async () => {
    await nav('Household').click();
    await settled(page);
    await page.getByLabel('Name', { exact: true }).fill('Mia');
    await page.getByRole('button', { name: 'Add dependent' }).click();
    await page.getByRole('status').filter({ hasText: 'Mia was added as a dependent.' }).waitFor();
    const household = await apiGet<{ members: { account_id: string; display_name: string; role: string }[] }>(
      page,
      `/v1/households/${householdId}`,
    );
    miaId = household.members.find((m) => m.display_name === 'Mia')!.account_id;
    expect(household.members.map((m) => [m.display_name, m.role])).toEqual([
      ['Sam Taylor', 'owner'],
      ['Mia', 'dependent'],
    ]);

    // An advertisement-only scale is heard only while someone stands on it.
    mi().step();
    await nav('Devices').click();
    await settled(page);
    const card = page.locator('.nearby').filter({ hasText: `Address ${MI}` });
    await refreshUntil(page, 'the Mi scale under Nearby', async () => (await card.count()) === 1);
    await card.getByRole('button', { name: 'Claim' }).click();
    await page
      .locator('.device')
      .filter({ hasText: `Address ${MI}` })
      .waitFor();
    const { devices } = await apiGet<{ devices: DeviceBody[] }>(
      page,
      `/v1/households/${householdId}/devices`,
    );
    expect(devices.find((d) => d.address === MI)?.attribution).toBe('weight');
  });

  it('holds a Mi scale weighing in the inbox, and filing it to Mia stores it under Mia at its own time', async () => {
    const before = mi().taken.length;
    mi().step();
    const weighing = mi().taken[before]!;
    filed = weighing;
    await nav('Inbox').click();
    await settled(page);

    const held = async () =>
      (
        await apiGet<{ items: InboxBody[] }>(page, `/v1/households/${householdId}/inbox?state=held`)
      ).items.filter((i) => i.device_address === MI && i.values.weight === weighing.weightKg);
    const item = await eventually('the weighing in the inbox', async () => (await held())[0], 60_000, 250);
    const card = page.locator('.inbox-item').filter({ hasText: ` ${weighing.weightKg} kg` });
    await refreshUntil(page, 'the weighing on the inbox page', async () => (await card.count()) >= 1);

    await card.first().getByLabel('File to').selectOption({ label: 'Mia' });
    await card
      .first()
      .getByRole('button', { name: /^File / })
      .click();
    await page.getByRole('status').filter({ hasText: 'was filed to Mia.' }).waitFor();

    const rows = await eventually(
      'the filed weight under Mia',
      async () => {
        const r = await influxRows(
          platform.influxUrl,
          `SELECT weight, attr_method FROM "linkwell"."autogen"."${item.metric}" WHERE account = '${miaId}'`,
        );
        return r.length > 0 ? r : undefined;
      },
      60_000,
      250,
    );
    expect(rows).toEqual([[item.measured_at.replace(/\.000Z$/, 'Z'), weighing.weightKg, 'manual']]);
    // The point is written before the item is marked stored (ingest's move steps): wait for the mark.
    const state = await eventually(
      'the inbox item marked stored',
      async () => {
        const { rows: r } = await platform.db.query<{ state: string; target: string }>(
          'SELECT state, target_account_id AS target FROM inbox_items WHERE id = $1',
          [item.id],
        );
        return r[0]?.state === 'stored' ? r : undefined;
      },
      30_000,
      100,
    );
    expect(state).toEqual([{ state: 'stored', target: miaId }]);
    expect(await held()).toEqual([]);
  });

  it('discards a second Mi scale weighing, which the API then shows as discarded', async () => {
    const before = mi().taken.length;
    mi().step();
    const weighing = mi().taken[before]!;
    const card = page.locator('.inbox-item').filter({ hasText: ` ${weighing.weightKg} kg` });
    await refreshUntil(page, 'the second weighing on the inbox page', async () => (await card.count()) === 1);
    await card.getByRole('button', { name: /^Discard / }).click();
    await page.getByRole('status').filter({ hasText: 'was discarded.' }).waitFor();
    const items = (
      await apiGet<{ items: InboxBody[] }>(page, `/v1/households/${householdId}/inbox?state=discarded`)
    ).items.filter((i) => i.device_address === MI);
    expect(items.map((i) => [i.values.weight, i.state])).toEqual([[weighing.weightKg, 'discarded']]);
    await settled(page);
    expect(await card.count()).toBe(0);
  });

  it('lists Mia’s filed reading with its attribution, and Reassign moves it to Sam in InfluxDB', async () => {
    const weighing = filed!;
    const { rows } = await platform.db.query<{ metric: string }>(
      `SELECT metric FROM inbox_items WHERE state = 'stored' AND device_address = $1`,
      [MI],
    );
    const metric = rows[0]!.metric;
    await page.goto(`${platform.url}/readings?household=${householdId}&member=${miaId}&metric=${metric}`);
    await settled(page);
    const item = page.locator('.reading');
    expect(await item.count()).toBe(1);
    expect(await item.locator('.muted.small').textContent()).toBe('Assigned by hand, 100% confident');
    expect(await item.locator('.title').textContent()).toContain(`${weighing.weightKg} kg`);

    await item.getByLabel('Move to').selectOption({ label: 'Sam Taylor' });
    await item.getByRole('button', { name: /^Reassign / }).click();
    await page.getByRole('status').filter({ hasText: 'was moved to Sam Taylor.' }).waitFor();
    const under = (account: string) =>
      influxRows(
        platform.influxUrl,
        `SELECT weight, attr_method FROM "linkwell"."autogen"."${metric}" WHERE account = '${account}'`,
      );
    await until('the point to move to Sam', async () => (await under(miaId)).length === 0, 60_000, 250);
    expect((await under(accountId)).map(([, kg, method]) => [kg, method])).toEqual([
      [weighing.weightKg, 'manual'],
    ]);
  });

  it('runs Sync now on the scale and shows the gateway’s answer, as the API records it', async () => {
    await nav('Devices').click();
    await settled(page);
    const card = page.locator('.device').filter({ hasText: `Address ${SCALE}` });
    await card.getByRole('button', { name: 'Sync now' }).click();
    const result = card.locator('.command-result');
    await until(
      'the command to finish',
      async () => /: (done|failed|timed out)/.test((await result.textContent()) ?? ''),
      60_000,
      250,
    );
    const { rows } = await platform.db.query<{ op: string; state: string }>(
      'SELECT op, state FROM gateway_commands ORDER BY created_at DESC LIMIT 1',
    );
    const shown = { ok: 'done', error: 'failed', timed_out: 'timed out' }[rows[0]!.state];
    expect(rows[0]!.op).toBe('sync');
    expect((await result.textContent())?.startsWith(`Sync now: ${shown}`)).toBe(true);
  });

  it('asks for the passkey on Pair, sends it with the command, and shows the state the API records', async () => {
    const card = page.locator('.device').filter({ hasText: `Address ${SCALE}` });
    await card.getByRole('button', { name: 'Pair', exact: true }).click();
    await card.getByLabel('Passkey shown by the device').fill('123456');
    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/commands'));
    await card.getByRole('button', { name: 'Pair now' }).click();
    expect((await sent).postDataJSON()).toEqual({ op: 'pair', passkey: '123456' });
    const result = card.locator('.command-result');
    await until(
      'the pair command to finish',
      async () => /^Pair: (done|failed|timed out)/.test((await result.textContent()) ?? ''),
      60_000,
      250,
    );
    const { rows } = await platform.db.query<{ op: string; args: unknown; state: string }>(
      'SELECT op, args, state FROM gateway_commands ORDER BY created_at DESC LIMIT 1',
    );
    // The API keeps no passkey once the command is out (docs: arguments without the passkey).
    expect([rows[0]!.op, rows[0]!.args]).toEqual(['pair', { address: SCALE }]);
    const shown = { ok: 'done', error: 'failed', timed_out: 'timed out' }[rows[0]!.state];
    expect((await result.textContent())?.startsWith(`Pair: ${shown}`)).toBe(true);
  });

  it('stores a live weighing of scale user 1 under Sam, and the readings page draws both weights', async () => {
    scale().step({ user: 1 });
    const truth = scale().taken.filter((t) => t.userId === 1);
    expect(truth).toHaveLength(2);
    await until('both weights under Sam', async () => (await weights(accountId)).length === 2, 60_000, 250);
    expect((await weights(accountId)).map(([, kg, method]) => [kg, method])).toEqual(
      truth.map((t) => [t.weightKg, 'uds-user-index']),
    );
    await page.goto(
      `${platform.url}/readings?household=${householdId}&member=${accountId}&metric=body_weight`,
    );
    await settled(page);
    expect(await page.locator('.reading .title').allTextContents()).toEqual(
      [...truth].reverse().map((t) => `${t.weightKg} kg`),
    );
    const chart = page.locator('.chart');
    expect(await chart.getAttribute('data-points')).toBe('2');
    expect(await chart.locator('canvas').count()).toBe(1);
  });

  it('adds an auto-rule for Mia on the inbox page, as the API then lists it, and removes it', async () => {
    await nav('Inbox').click();
    await settled(page);
    await page.getByLabel('For', { exact: true }).selectOption({ label: 'Mia' });
    await page.getByLabel('Rule', { exact: true }).selectOption({ label: 'Weight range' });
    await page.getByLabel('From (kg)').fill('18');
    await page.getByLabel('To (kg)').fill('30.5');
    await page.getByLabel('Confidence needed (%)').fill('85');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('status').filter({ hasText: 'The rule for Mia was added.' }).waitFor();
    const rules = async () =>
      (
        await apiGet<{ rules: Record<string, unknown>[] }>(
          page,
          `/v1/households/${householdId}/attribution-rules`,
        )
      ).rules.map((r) => [r.account_id, r.kind, r.min_kg, r.max_kg, r.tolerance_kg, r.threshold]);
    expect(await rules()).toEqual([[miaId, 'weight_range', 18, 30.5, null, 0.85]]);
    await settled(page);
    const text = 'Weight between 18 and 30.5 kg, at least 85% confident';
    const cards = await page.locator('#rules-title ~ ul .card').allInnerTexts();
    expect(cards.map((c) => c.replace(/\s*\n+\s*/g, ' | '))).toEqual([`Mia | ${text} | Remove`]);
    await page.getByRole('button', { name: `Remove the rule for Mia: ${text}` }).click();
    await page.getByRole('status').filter({ hasText: 'The rule was removed.' }).waitFor();
    expect(await rules()).toEqual([]);
  });

  it.each([
    ['en', 'English'],
    ['zh-CN', '简体中文'],
  ])('passes axe on every new page in %s, and none scrolls sideways at 375 px', async (_locale, language) => {
    await page.setViewportSize({ width: 375, height: 667 });
    await page.goto(`${platform.url}/household`);
    await settled(page);
    await page.getByLabel(/^(Language|语言)$/).selectOption({ label: language });
    const found: Record<string, unknown> = {};
    for (const path of [
      '/household',
      '/gateways',
      '/activate',
      '/devices',
      '/inbox',
      `/readings?household=${householdId}&member=${accountId}&metric=body_weight`,
      '/join',
    ]) {
      await page.goto(`${platform.url}${path}`);
      await settled(page);
      const violations = await checkA11y(page);
      const { scrollWidth, clientWidth } = await horizontalOverflow(page);
      if (violations.length > 0 || scrollWidth > clientWidth) found[path] = { violations, scrollWidth };
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(found).toEqual({});
  });

  it('renames the gateway, and unclaims the Mi scale after confirming', async () => {
    await page.getByLabel('语言').selectOption({ label: 'English' });
    await nav('Gateways').click();
    await settled(page);
    await page.getByLabel('Name', { exact: true }).fill('Landing gateway');
    await page.getByRole('button', { name: 'Rename' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'The gateway is now called Landing gateway.' })
      .waitFor();
    const { gateways } = await apiGet<{ gateways: { name: string }[] }>(
      page,
      `/v1/households/${householdId}/gateways`,
    );
    expect(gateways.map((g) => g.name)).toEqual(['Landing gateway']);

    await nav('Devices').click();
    await settled(page);
    const card = page.locator('.device').filter({ hasText: `Address ${MI}` });
    const label = (await card.locator('h3').textContent()) ?? '';
    await card.getByRole('button', { name: `Unclaim ${label}` }).click();
    await page
      .getByRole('dialog', { name: `Unclaim ${label}?` })
      .getByRole('button', { name: 'Unclaim', exact: true })
      .click();
    await page
      .getByRole('status')
      .filter({ hasText: `${label} was unclaimed.` })
      .waitFor();
    const { devices } = await apiGet<{ devices: DeviceBody[] }>(
      page,
      `/v1/households/${householdId}/devices`,
    );
    expect(devices.map((d) => d.address)).toEqual([SCALE]);
  });

  it('shows a weighing of the unclaimed Mi scale only on request, to discard but not to file', async () => {
    const before = mi().taken.length;
    mi().step();
    const weighing = mi().taken[before]!;
    await eventually(
      'the unclaimed device’s weighing in the inbox store',
      async () => {
        const { rows } = await platform.db.query<{ reason: string }>(
          `SELECT reason FROM inbox_items WHERE device_address = $1 AND state = 'held'`,
          [MI],
        );
        return rows.length === 1 ? rows : undefined;
      },
      60_000,
      250,
    );
    await nav('Inbox').click();
    await settled(page);
    const card = page.locator('.inbox-item').filter({ hasText: ` ${weighing.weightKg} kg` });
    expect(await card.count()).toBe(0);
    await page.getByLabel('Also show readings from devices nobody has claimed').check();
    await card.waitFor();
    expect(await card.locator('p.muted').first().textContent()).toBe('From a device nobody has claimed.');
    expect(await card.getByRole('button', { name: /^File / }).count()).toBe(0);
    await card.getByRole('button', { name: /^Discard / }).click();
    await page.getByRole('status').filter({ hasText: 'was discarded.' }).waitFor();
    const { rows } = await platform.db.query<{ state: string; reason: string }>(
      `SELECT state, reason FROM inbox_items WHERE device_address = $1 AND reason = 'unknown_device'`,
      [MI],
    );
    expect(rows).toEqual([{ state: 'discarded', reason: 'unknown_device' }]);
  });

  it('revokes the gateway after confirming, and ingest disconnects it at once', async () => {
    await nav('Gateways').click();
    await settled(page);
    await page.getByRole('button', { name: 'Revoke Landing gateway' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Landing gateway?' });
    await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Landing gateway was revoked.' }).waitFor();
    const { rows } = await platform.db.query<{ revoked: boolean }>(
      'SELECT revoked_at IS NOT NULL AS revoked FROM gateways WHERE id = $1',
      [linked.gatewayId],
    );
    expect(rows).toEqual([{ revoked: true }]);
    await until('the gateway’s uplink to drop', () => gateway?.uplink.connected === false, 30_000, 100);
  });

  it('refuses Sync now once the household has no gateway, with its sentence and code, and queues nothing', async () => {
    const queued = async () =>
      (await platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM gateway_commands')).rows[0]!.n;
    const before = await queued();
    await nav('Devices').click();
    await settled(page);
    const card = page.locator('.device').filter({ hasText: `Address ${SCALE}` });
    await card.getByRole('button', { name: 'Sync now' }).click();
    const result = card.locator('.command-result');
    await until('the refusal', async () => ((await result.textContent()) ?? '').includes('API_ERR_'), 30_000);
    expect(await result.textContent()).toBe(
      'Sync now: failed No gateway of your household can reach this device. Error code: API_ERR_NO_GATEWAY',
    );
    expect(await queued()).toBe(before);
  });

  it('logged no CSP refusal and no uncaught error on the way', () => {
    expect(log.cspViolations).toEqual([]);
    expect(log.errors.filter((e) => e.startsWith('uncaught'))).toEqual([]);
  });
});
