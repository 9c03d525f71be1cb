import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { call, type IdentityStack } from '../../src/identity/index.js';
import { type RegisteredApp, signInAs } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { connectedSandboxApp, until, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);

describe('a person disconnecting an app', () => {
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let app: RegisteredApp;
  let other: RegisteredApp;
  let alexSub: string;
  let r: Receiver;
  let otherReceiver: Receiver;

  beforeAll(async () => {
    stack = await startWebhookStack({ pollMs: 20, random: () => 0 });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    const c = await connectedSandboxApp(stack, li, [{ person: alex, scope: 'openid heart_rate.read' }]);
    app = c.app;
    alexSub = c.subjects[0] as string;
    other = (await connectedSandboxApp(stack, li, [{ person: alex, scope: 'openid heart_rate.read' }])).app;
    r = await new Receiver().start();
    otherReceiver = await new Receiver().start();
    await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created', 'connection.revoked'] });
    await verifiedEndpoint(stack, li, other, otherReceiver, {
      event_types: ['reading.created', 'connection.revoked'],
    });
  }, 60_000);
  afterAll(async () => {
    await r?.close();
    await otherReceiver?.close();
    await stack?.close();
  });

  it('tells that app connection.revoked under the subject it knew, tells no other app, and stops its readings', async () => {
    const list = (await (await call(alex.browser, stack.apiUrl, 'GET', '/v1/connections')).json()) as {
      connections: { grant_id: string; client_id: string }[];
    };
    const grant = list.connections.find((c) => c.client_id === app.client_id)!.grant_id;
    expect((await call(alex.browser, stack.apiUrl, 'DELETE', `/v1/connections/${grant}`)).status).toBe(204);
    const revoked = await until('connection.revoked', () =>
      r.deliveries().find((d) => d.verified!.type === 'connection.revoked'),
    );
    expect(revoked.verified!.data).toMatchObject({ type: 'connection.revoked', subject: alexSub });
    expect(revoked.body).not.toContain(alex.accountId);

    await appendReadings(stack.db, [
      { id: 'evt_after_revoke', account: alex.accountId, metric: 'heart_rate', t: T0 },
    ]);
    // The other app, still connected, gets the reading: the pipe is flowing, so the first app's silence counts.
    await until('the other app gets the reading', () =>
      otherReceiver.deliveries().find((d) => d.id === 'evt_after_revoke'),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(r.deliveries().map((d) => d.verified!.type)).toEqual(['connection.revoked']);
    expect(otherReceiver.deliveries().map((d) => d.verified!.type)).toEqual(['reading.created']);
  });
});
