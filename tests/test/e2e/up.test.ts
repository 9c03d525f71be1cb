import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'fhir-kit-client';
import { afterAll, describe, expect, it } from 'vitest';
import { call, personId, signIn, TestBrowser } from '../../src/identity/index.js';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../../cli/dist/main.js');

interface UpJson {
  api: string;
  console: string;
  providers: string[];
  token: string;
  mqtt: string;
  influx: string;
}

function startUp(dataDir: string, extra: string[] = []): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(
    process.execPath,
    [
      CLI,
      'up',
      '--data-dir',
      dataDir,
      '--api-port',
      '0',
      '--mqtt-port',
      '0',
      '--influx-port',
      '0',
      '--interval-ms',
      '200',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  ms: number,
  output: () => string,
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; linkwell up printed:\n${output()}`);
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  );
const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !/^\S+ \S+ Z/.test(readFileSyncSafe(`/proc/${pid}/stat`));
function readFileSyncSafe(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/** Signs in at the console's providers as the demo person 李伟 (WeChat-style); the account it lands on. */
async function signInAsDemoPerson(up: UpJson): Promise<{ account: string; points: number }> {
  const browser = new TestBrowser();
  const res = await signIn(browser, up.api, 'wechat', personId('wechat', '李伟'));
  if (res.status !== 303 || res.headers.get('location') !== '/account') {
    throw new Error(`sign-in ended with ${res.status} ${res.headers.get('location')}`);
  }
  const me = (await (await call(browser, up.api, 'GET', '/v1/me')).json()) as { id: string };
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const trend = (await (
    await call(browser, up.api, 'GET', `/v1/trends/heart_rate?from=${from}&to=${to}&window=1m`)
  ).json()) as { points: { count: number }[] };
  return { account: me.id, points: trend.points.reduce((a, p) => a + p.count, 0) };
}

async function heartRatePoints(up: UpJson, token = up.token): Promise<number> {
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 60_000).toISOString();
  const res = await fetch(`${up.api}/v1/trends/heart_rate?from=${from}&to=${to}&window=1m`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`trend answered ${res.status}`);
  const body = (await res.json()) as { points: { count: number }[] };
  return body.points.reduce((a, p) => a + p.count, 0);
}

/** One InfluxQL count, with `epoch=ms`; 0 when the measurement has no matching point yet. */
async function influxCount(influx: string, q: string): Promise<number> {
  const res = await fetch(`${influx}/query?db=linkwell&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: [number, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** Earliest point of a measurement for the demo account, ms since epoch. */
async function influxFirst(influx: string, measurement: string, field: string): Promise<number> {
  const q = `SELECT first("${field}") FROM "${measurement}" WHERE account = 'acct_demo'`;
  const res = await fetch(`${influx}/query?db=linkwell&epoch=ms&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: [number, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[0] ?? Number.NaN;
}

/** The demo household's second adult (api/src/dev/demo-seed.ts DEMO_HOUSEHOLD.partner). */
const PARTNER = 'acct_demo_partner';

/** Readings of the demo household waiting in its inbox, as its owner sees them. */
async function inboxItems(browser: TestBrowser, api: string): Promise<number> {
  const res = await call(browser, api, 'GET', '/v1/households/hh_demo/inbox');
  if (res.status !== 200) throw new Error(`inbox answered ${res.status}`);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

describe('npx linkwell up', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('streams the demo heart rate within 90 s, stops cleanly on SIGTERM, and reuses its data dir on restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lw-up-'));
    dirs.push(dataDir);
    const started = Date.now();
    const first = startUp(dataDir);
    const upJson = join(dataDir, 'up.json');
    const up = await waitFor(
      'up.json',
      async () => (existsSync(upJson) ? (JSON.parse(await readFile(upJson, 'utf8')) as UpJson) : undefined),
      90_000,
      first.output,
    );
    expect(Object.keys(up)).toEqual(expect.arrayContaining(['api', 'token', 'mqtt', 'influx']));
    const firstCount = await waitFor(
      'a non-empty trend',
      async () => ((await heartRatePoints(up)) > 0 ? heartRatePoints(up) : undefined),
      90_000 - (Date.now() - started),
      first.output,
    );
    expect(firstCount).toBeGreaterThan(0);
    expect(first.output()).toContain('curl -s -H "Authorization: Bearer');
    // The console is served, and signing in as the demo person lands on the streaming demo account.
    expect(up.providers).toEqual(['google', 'apple', 'wechat']);
    expect(first.output()).toContain(`Console    ${up.console}`);
    const page = await fetch(`${up.console}signin`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const demo = await signInAsDemoPerson(up);
    expect(demo.account).toBe('acct_demo');
    expect(demo.points).toBeGreaterThan(0);

    const influxPid = Number(await readFile(join(dataDir, 'influxdb', 'influxd.pid'), 'utf8'));
    first.child.kill('SIGTERM');
    expect(await exited(first.child)).toBe(0);
    expect(first.output()).toContain('stopped cleanly.');
    expect(alive(influxPid)).toBe(false);

    // Second run on the same directory: same keys (the first token still works) and the same InfluxDB data.
    const second = startUp(dataDir);
    const up2 = await waitFor(
      'up.json of the second run',
      async () => {
        const j = JSON.parse(await readFile(upJson, 'utf8')) as UpJson & { pid: number };
        return j.pid === second.child.pid ? j : undefined;
      },
      90_000,
      second.output,
    );
    expect(await heartRatePoints(up2, up.token)).toBeGreaterThanOrEqual(firstCount);
    // The providers are back on the same ports, so the demo identity still finds its account.
    expect((await signInAsDemoPerson(up2)).account).toBe('acct_demo');
    second.child.kill('SIGINT');
    expect(await exited(second.child)).toBe(0);
  }, 240_000);

  it.each(['node-ble', 'noble'])(
    'streams heart rate, blood pressure and weight with the gateway on %s over the simulated home',
    async (transport) => {
      const dataDir = await mkdtemp(join(tmpdir(), `lw-up-${transport}-`));
      dirs.push(dataDir);
      // Without the backfill every point is live; a 5 s pace gets a cuff result within about a minute.
      const run = startUp(dataDir, ['--transport', transport, '--no-backfill', '--measure-every', '5']);
      const upJson = join(dataDir, 'up.json');
      const up = await waitFor(
        'up.json',
        async () =>
          existsSync(upJson)
            ? (JSON.parse(await readFile(upJson, 'utf8')) as UpJson & { transport: string; dbus?: string })
            : undefined,
        90_000,
        run.output,
      );
      expect(up.transport).toBe(transport);
      if (transport === 'node-ble') expect(up.dbus).toMatch(/^unix:path=\//);
      const count = await waitFor(
        'a non-empty trend',
        async () => ((await heartRatePoints(up)) > 0 ? heartRatePoints(up) : undefined),
        60_000,
        run.output,
      );
      expect(count).toBeGreaterThan(0);
      // The cuff's indicated results and the scale's weighings (after UDS consent) cross this stack too.
      const measured = await waitFor(
        'blood pressure and weight',
        async () => {
          const bp = await influxCount(
            up.influx,
            `SELECT count("systolic") FROM "blood_pressure" WHERE account = 'acct_demo'`,
          );
          const kg = await influxCount(
            up.influx,
            `SELECT count("weight") FROM "body_weight" WHERE account = 'acct_demo'`,
          );
          return bp > 0 && kg > 0 ? { bp, kg } : undefined;
        },
        120_000,
        run.output,
      );
      expect(measured.bp).toBeGreaterThan(0);
      run.child.kill('SIGTERM');
      expect(await exited(run.child)).toBe(0);
      if (up.dbus) expect(existsSync(up.dbus.slice('unix:path='.length))).toBe(false);
    },
    180_000,
  );

  it('back-fills 30 days for both adults, every device measures live under the right account, and the Mi scale fills the inbox', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lw-up-story-'));
    dirs.push(dataDir);
    const started = Date.now();
    // A 5 s base period: the cuff measures every 5–10 s when not busy (a measurement takes 26–38 s).
    const run = startUp(dataDir, ['--measure-every', '5']);
    const up = await waitFor(
      'up.json',
      async () =>
        existsSync(join(dataDir, 'up.json'))
          ? (JSON.parse(await readFile(join(dataDir, 'up.json'), 'utf8')) as UpJson)
          : undefined,
      90_000,
      run.output,
    );
    expect(run.output()).toMatch(
      /Back-filled 30 days of demo history in [\d.]+ s \(43200 heart_rate, 120 blood_pressure, 60 body_weight\)/,
    );
    const marker = JSON.parse(await readFile(join(dataDir, 'demo-history.json'), 'utf8')) as {
      fromMs: number;
      toMs: number;
      readings: number;
    };
    expect(marker.readings).toBe(43_380);
    expect(marker.toMs - marker.fromMs).toBe(30 * 86_400_000);
    // The history is in InfluxDB exactly: for the first adult one heart rate a minute, BP twice a day and a
    // weight a day; for the second adult (the cuff's and the scale's user 2) BP twice a day and a weight a
    // day. Each has the `history` quality flag (ingest keeps the flags as a comma-separated field).
    const history = (m: string, f: string, account = 'acct_demo') =>
      influxCount(
        up.influx,
        `SELECT count("${f}") FROM "${m}" WHERE account = '${account}' AND quality =~ /(^|,)history(,|$)/`,
      );
    const all = (m: string, f: string, account = 'acct_demo') =>
      influxCount(up.influx, `SELECT count("${f}") FROM "${m}" WHERE account = '${account}'`);
    expect(await history('heart_rate', 'bpm')).toBe(43_200);
    expect(await history('blood_pressure', 'systolic')).toBe(60);
    expect(await history('body_weight', 'weight')).toBe(30);
    expect(await history('heart_rate', 'bpm', PARTNER)).toBe(0);
    expect(await history('blood_pressure', 'systolic', PARTNER)).toBe(60);
    expect(await history('body_weight', 'weight', PARTNER)).toBe(30);
    expect(await influxFirst(up.influx, 'heart_rate', 'bpm')).toBe(marker.fromMs);
    expect(await influxFirst(up.influx, 'body_weight', 'weight')).toBeLessThan(marker.fromMs + 86_400_000);

    // Live (everything without the history flag) within 3 minutes: heart rate, blood pressure and weight
    // under the first adult, blood pressure and weight under the second, and the dependent's Mi scale
    // weighings held in the household inbox (no user index, no member rule).
    const owner = new TestBrowser();
    await signIn(owner, up.api, 'wechat', personId('wechat', '李伟'));
    let lastCounts: Record<string, number> = {};
    let lastError = '';
    const live = await waitFor(
      'live readings under both adults and inbox items',
      async () => {
        const counts = {
          heart_rate: (await all('heart_rate', 'bpm')) - 43_200,
          blood_pressure: (await all('blood_pressure', 'systolic')) - 60,
          body_weight: (await all('body_weight', 'weight')) - 30,
          partner_blood_pressure: (await all('blood_pressure', 'systolic', PARTNER)) - 60,
          partner_body_weight: (await all('body_weight', 'weight', PARTNER)) - 30,
          inbox: await inboxItems(owner, up.api).catch((e: Error) => {
            lastError = e.message;
            return 0;
          }),
        };
        lastCounts = counts;
        return Object.values(counts).every((n) => n > 0) ? counts : undefined;
      },
      180_000 - (Date.now() - started),
      () => `${JSON.stringify(lastCounts)} ${lastError}\n${run.output()}`,
    );
    // The second adult signs in with the Google-like provider and lands on their own account.
    const partner = new TestBrowser();
    await signIn(partner, up.api, 'google', personId('google', 'Alex Morgan'));
    expect(((await (await call(partner, up.api, 'GET', '/v1/me')).json()) as { id: string }).id).toBe(
      PARTNER,
    );
    console.log(`linkwell up live readings after ${Math.round((Date.now() - started) / 1000)} s:`, live);

    // fhir-kit-client, unchanged, against `linkwell up` (issue 15): metadata, a search, and the server's
    // paging links to the end. One day of the back-filled heart rate: 1 440 Observations.
    const fhir = new Client({
      baseUrl: `${up.api}/fhir/R4`,
      customHeaders: { Authorization: `Bearer ${up.token}` },
    });
    const capability = (await fhir.capabilityStatement()) as unknown as { fhirVersion: string };
    expect(capability.fhirVersion).toBe('4.0.1');
    const day = {
      from: new Date(marker.fromMs).toISOString(),
      to: new Date(marker.fromMs + 86_400_000).toISOString(),
    };
    let page = (await fhir.search({
      resourceType: 'Observation',
      searchParams: { code: '8867-4', date: [`ge${day.from}`, `lt${day.to}`], _count: 500 },
    })) as { entry?: unknown[] };
    let observations = page.entry?.length ?? 0;
    let pages = 1;
    for (
      let next = fhir.nextPage({ bundle: page as never });
      next;
      next = fhir.nextPage({ bundle: page as never })
    ) {
      page = (await next) as { entry?: unknown[] };
      observations += page.entry?.length ?? 0;
      pages += 1;
    }
    // Heart-rate Observations are the band's readings and each cuff reading's pulse (docs/fhir.md).
    const inDay = (m: string, f: string) =>
      influxCount(
        up.influx,
        `SELECT count("${f}") FROM "${m}" WHERE account = 'acct_demo' AND time >= ${marker.fromMs}ms AND time < ${marker.fromMs + 86_400_000}ms`,
      );
    const expected = (await inDay('heart_rate', 'bpm')) + (await inDay('blood_pressure', 'pulse'));
    expect(expected).toBeGreaterThanOrEqual(1440);
    expect([observations, pages]).toEqual([expected, Math.ceil(expected / 500)]);

    // Every back-filled weight reached the event log through ingest's outbox and the API's relay.
    const changes = (await (
      await fetch(`${up.api}/v1/changes?type=reading.created&metric=body_weight&limit=1000`, {
        headers: { authorization: `Bearer ${up.token}` },
      })
    ).json()) as { changes: { id: string; reading: { measured_at: string } }[] };
    const historyWeights = changes.changes.filter((c) => Date.parse(c.reading.measured_at) < marker.toMs);
    expect(historyWeights).toHaveLength(30);
    expect(new Set(changes.changes.map((c) => c.id)).size).toBe(changes.changes.length);
    run.child.kill('SIGTERM');
    expect(await exited(run.child)).toBe(0);

    // A second start finds the marker and leaves the history as it is.
    const again = startUp(dataDir, ['--measure-every', '5']);
    const up2 = await waitFor(
      'up.json of the second run',
      async () => {
        const j = JSON.parse(await readFile(join(dataDir, 'up.json'), 'utf8')) as UpJson & { pid: number };
        return j.pid === again.child.pid ? j : undefined;
      },
      90_000,
      again.output,
    );
    expect(again.output()).toContain('Demo history already back-filled');
    expect(
      await influxCount(
        up2.influx,
        `SELECT count("bpm") FROM "heart_rate" WHERE account = 'acct_demo' AND quality =~ /(^|,)history(,|$)/`,
      ),
    ).toBe(43_200);
    again.child.kill('SIGTERM');
    expect(await exited(again.child)).toBe(0);
  }, 300_000);

  it('leaves no influxd behind even when linkwell up is killed with SIGKILL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lw-up-kill-'));
    dirs.push(dataDir);
    const run = startUp(dataDir);
    await waitFor(
      'up.json',
      async () => (existsSync(join(dataDir, 'up.json')) ? true : undefined),
      90_000,
      run.output,
    );
    const influxPid = Number(await readFile(join(dataDir, 'influxdb', 'influxd.pid'), 'utf8'));
    expect(alive(influxPid)).toBe(true);
    run.child.kill('SIGKILL');
    await exited(run.child);
    await waitFor('influxd to die', async () => (alive(influxPid) ? undefined : true), 10_000, run.output);
  }, 120_000);
});
