import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack } from '../../src/identity/index.js';
import { type RegisteredApp, signInAs } from '../../src/oauth/kit.js';
import { appendReadings, type ReadingEvent } from '../../src/webhooks/events.js';
import {
  connectedSandboxApp,
  type Endpoint,
  hooks,
  until,
  verifiedEndpoint,
} from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 30, 0, 0, 0);
const START = END - 30 * DAY;
const RATE = 20;

describe('replay and rate-controlled backfill through the delivery pipe', () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let app: RegisteredApp;
  let alexSub: string;
  let r: Receiver;
  let endpoint: Endpoint;
  // 30 days of Alex's readings, four a day, and a few of Li's the backfill for Alex must leave out.
  const alexEvents: ReadingEvent[] = Array.from({ length: 120 }, (_, i) => ({
    id: `evt_bf_${String(i).padStart(3, '0')}`,
    account: '',
    metric: i % 2 === 0 ? ('heart_rate' as const) : ('blood_pressure' as const),
    t: START + i * (DAY / 4),
  }));

  beforeAll(async () => {
    stack = await startWebhookStack({ pollMs: 20, leaseMs: 5_000, random: () => 0 });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    const c = await connectedSandboxApp(stack, li, [
      { person: alex, scope: 'openid heart_rate.read blood_pressure.read' },
      { person: li, scope: 'openid heart_rate.read' },
    ]);
    app = c.app;
    alexSub = c.subjects[0] as string;
    await appendReadings(stack.db, [
      ...alexEvents.map((e) => ({ ...e, account: alex.accountId })),
      { id: 'evt_bf_li_1', account: li.accountId, metric: 'heart_rate', t: START + DAY },
    ]);
    // Registered after the events: they are history, reached only by replay and backfill.
    r = await new Receiver().start();
    endpoint = (
      await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'], payload: 'full' })
    ).endpoint;
  }, 60_000);
  afterAll(async () => {
    await r?.close();
    await stack?.close();
  });

  it('replays events by id under their own webhook-id', async () => {
    const res = await call(li.browser, stack.apiUrl, 'POST', `${hooks(app)}/${endpoint.id}/replays`, {
      event_ids: ['evt_bf_007', 'evt_bf_003', 'evt_not_there'],
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ queued: 2, event_ids: ['evt_bf_003', 'evt_bf_007'] });
    await until('two replays', () => r.deliveries().length === 2);
    expect(r.deliveries().map((d) => d.id)).toEqual(['evt_bf_003', 'evt_bf_007']);
    expect(r.deliveries()[0]!.verified!.data).toMatchObject({
      subject: alexSub,
      reading: { metric: 'blood_pressure' },
    });
  });

  it('replays a time range: every covered event in it, in order, under the same ids', async () => {
    r.received.length = 0;
    const res = await call(li.browser, stack.apiUrl, 'POST', `${hooks(app)}/${endpoint.id}/replays`, {
      from: new Date(START + DAY).toISOString(),
      to: new Date(START + 2 * DAY).toISOString(),
    });
    expect(res.status).toBe(202);
    // Alex's four readings of day 2 and Li's heart rate (she granted heart_rate.read).
    const body = (await res.json()) as { queued: number; event_ids: string[] };
    expect(body.event_ids.sort()).toEqual([
      'evt_bf_004',
      'evt_bf_005',
      'evt_bf_006',
      'evt_bf_007',
      'evt_bf_li_1',
    ]);
    await until('five replays', () => r.deliveries().length === 5);
    expect(
      r
        .deliveries()
        .filter((d) => d.verified!.data.subject === alexSub)
        .map((d) => d.id),
    ).toEqual(['evt_bf_004', 'evt_bf_005', 'evt_bf_006', 'evt_bf_007']);
  });

  it(`backfills 30 days of one person at ${RATE} events a second (±10 %), with progress events`, async () => {
    r.received.length = 0;
    const res = await call(li.browser, stack.apiUrl, 'POST', `${hooks(app)}/${endpoint.id}/backfills`, {
      from: new Date(START).toISOString(),
      to: new Date(END).toISOString(),
      rate: RATE,
      subject: alexSub,
    });
    expect(res.status).toBe(202);
    const started = (await res.json()) as { id: string; state: string };
    expect(started.state).toBe('running');
    const status = async () =>
      (await (
        await call(li.browser, stack.apiUrl, 'GET', `${hooks(app)}/${endpoint.id}/backfills/${started.id}`)
      ).json()) as { state: string; queued: number; delivered: number };
    await until('backfill completed', async () => (await status()).state === 'completed', 20_000);
    expect(await status()).toMatchObject({ state: 'completed', queued: 120, delivered: 120 });

    const readings = r.deliveries().filter((d) => d.verified!.type === 'reading.created');
    expect(readings.map((d) => d.id)).toEqual(alexEvents.map((e) => e.id));
    const seconds = (readings.at(-1)!.at - readings[0]!.at) / 1000;
    const rate = (readings.length - 1) / seconds;
    expect(rate).toBeGreaterThan(RATE * 0.9);
    expect(rate).toBeLessThan(RATE * 1.1);

    const progress = r.deliveries().filter((d) => d.verified!.type.startsWith('backfill.'));
    // A progress event each time another 50 were queued (a pass may queue a few at once), then the end.
    expect(progress.map((d) => d.verified!.type)).toEqual([
      'backfill.progress',
      'backfill.progress',
      'backfill.completed',
    ]);
    const queued = progress.map((d) => d.verified!.data.queued as number);
    expect(queued[0]).toBeGreaterThanOrEqual(50);
    expect(queued[0]).toBeLessThan(100);
    expect(queued[1]).toBeGreaterThanOrEqual(100);
    expect(queued[1]).toBeLessThan(120);
    expect(queued[2]).toBe(120);
    expect(progress.at(-1)!.verified!.data).toMatchObject({ backfill_id: started.id, delivered: 120 });
  }, 30_000);

  it('refuses a backfill for a subject that is not connected, and a reversed range', async () => {
    const path = `${hooks(app)}/${endpoint.id}/backfills`;
    const unknown = await call(li.browser, stack.apiUrl, 'POST', path, {
      from: new Date(START).toISOString(),
      to: new Date(END).toISOString(),
      rate: 5,
      subject: 'not-a-subject',
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { code: string }).code).toBe('API_ERR_WEBHOOK_UNKNOWN_SUBJECT');
    const reversed = await call(li.browser, stack.apiUrl, 'POST', path, {
      from: new Date(END).toISOString(),
      to: new Date(START).toISOString(),
      rate: 5,
    });
    expect(reversed.status).toBe(400);
    expect(((await reversed.json()) as { code: string }).code).toBe('API_ERR_WEBHOOK_BAD_RANGE');
  });
});
