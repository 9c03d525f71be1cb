import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import type { IdentityStack } from '../../src/identity/index.js';
import { signInAs, signInWith } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { connectedSandboxApp, until, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const EVENTS = 600;

/**
 * Events delivered per second to a local receiver (issue 15's benchmark figure), on PGlite in memory: each
 * delivery is a lease, a signed POST that the receiver verifies with the package, and the attempt record.
 * Three people, so three deliveries can be in flight at once (order is per person).
 */
describe('delivery throughput to a local receiver', () => {
  let stack: IdentityStack;
  let people: SignedIn[];
  let r: Receiver;

  beforeAll(async () => {
    stack = await startWebhookStack({ pollMs: 20, random: () => 0 });
    const li = await signInAs(stack, 'Li Wei');
    people = [li, await signInAs(stack, 'Alex Morgan'), await signInWith(stack, 'apple', 'Sam Taylor')];
    const { app } = await connectedSandboxApp(
      stack,
      li,
      people.map((person) => ({ person, scope: 'openid heart_rate.read' })),
    );
    r = await new Receiver().start();
    await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] });
  }, 60_000);
  afterAll(async () => {
    await r?.close();
    await stack?.close();
  });

  it(`delivers ${EVENTS} events, each verified, and reports the rate`, async () => {
    const t0 = Date.UTC(2026, 10, 1);
    const started = performance.now();
    await appendReadings(
      stack.db,
      Array.from({ length: EVENTS }, (_, i) => ({
        id: `evt_tp_${i}`,
        account: people[i % people.length]!.accountId,
        metric: 'heart_rate' as const,
        t: t0 + i * 1000,
      })),
    );
    await until('all delivered', () => r.deliveries().length === EVENTS, 60_000);
    const seconds = (performance.now() - started) / 1000;
    const rate = EVENTS / seconds;
    console.log(
      `webhooks: ${EVENTS} events in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} events/s (PGlite, 3 persons)`,
    );
    expect(r.attempts()).toHaveLength(EVENTS);
    expect(rate).toBeGreaterThan(20);
  }, 90_000);
});
