import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Database, generateSigningKeys, migrate, openPostgres, type SigningKeys } from '@linkwell/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../src/harness/index.js';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import type { IdentityStack } from '../../src/identity/index.js';
import { type RegisteredApp, signInAs } from '../../src/oauth/kit.js';
import { appendReadings } from '../../src/webhooks/events.js';
import { connectedSandboxApp, until, verifiedEndpoint } from '../../src/webhooks/kit.js';
import { Receiver } from '../../src/webhooks/receiver.js';
import { startWebhookStack } from '../../src/webhooks/stack.js';

const CHILD = fileURLToPath(new URL('./fixtures/api-child.mjs', import.meta.url));
const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);

/**
 * The API's webhook worker in child processes on one PostgreSQL: SIGKILLed while a receiver holds a delivery
 * open, then restarted (twice over, so two processes compete for the queue).
 */
describe('API kill -9 mid-delivery', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>>;
  let db: Database;
  let stack: IdentityStack;
  let li: SignedIn;
  let alex: SignedIn;
  let app: RegisteredApp;
  let r: Receiver;
  const children: ChildProcess[] = [];
  const keys: { keys: SigningKeys; oauthKeys: SigningKeys } = {
    keys: generateSigningKeys(),
    oauthKeys: generateSigningKeys(),
  };

  async function child(): Promise<ChildProcess> {
    const p = spawn(process.execPath, [CHILD, pg.url, JSON.stringify(keys)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(p);
    await new Promise<void>((resolve, reject) => {
      p.stdout?.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) resolve();
      });
      p.once('exit', (code) => reject(new Error(`API child exited with ${code}`)));
    });
    return p;
  }

  beforeAll(async () => {
    pg = await startPostgres();
    db = await openPostgres(pg.url, { max: 4 });
    await migrate(db);
    // The developer's side (sign-in, app, endpoint) through an API whose own worker stays off.
    stack = await startWebhookStack({ worker: false }, { db, oauthKeys: keys.oauthKeys });
    li = await signInAs(stack, 'Li Wei');
    alex = await signInAs(stack, 'Alex Morgan');
    const c = await connectedSandboxApp(stack, li, [
      { person: alex, scope: 'openid heart_rate.read' },
      { person: li, scope: 'openid heart_rate.read' },
    ]);
    app = c.app;
    r = await new Receiver().start();
    await verifiedEndpoint(stack, li, app, r, { event_types: ['reading.created'] });
  }, 120_000);
  afterAll(async () => {
    for (const p of children) if (p.exitCode === null) p.kill('SIGKILL');
    await r?.close();
    await stack?.close();
    await db?.close();
    await pg?.stop();
  });

  it('re-sends the message in flight under the same webhook-id after a restart, and loses nothing', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `evt_kill_${i}`);
    // The third request is held open; the API is killed while it waits.
    r.plan = (n) => (n === 2 ? { kind: 'hold', ms: 4_000 } : undefined);
    const first = await child();
    await appendReadings(
      db,
      ids.map((id, i) => ({ id, account: alex.accountId, metric: 'heart_rate' as const, t: T0 + i })),
    );
    await until('the third request in flight', () => r.attempts().length === 3);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    r.plan = null;

    // Two processes now, so they compete for the queue through the lease.
    await Promise.all([child(), child()]);
    await until('all ten delivered', () => new Set(r.deliveries().map((d) => d.id)).size === 10, 20_000);
    const held = r.attempts()[2]!;
    expect(held.id).toBe('evt_kill_2');
    const again = r.attempts().filter((a) => a.id === 'evt_kill_2');
    expect(again).toHaveLength(2);
    expect(again[1]!.body).toBe(again[0]!.body);
    // In order for the one person, each delivered once.
    expect(r.deliveries().map((d) => d.id)).toEqual(ids);
  }, 60_000);

  it('two API processes never send the same message twice while neither dies', async () => {
    const before = r.attempts().length;
    const ids = Array.from({ length: 30 }, (_, i) => `evt_pair_${i}`);
    await appendReadings(
      db,
      ids.map((id, i) => ({
        id,
        account: i % 2 === 0 ? alex.accountId : li.accountId,
        metric: 'heart_rate' as const,
        t: T0 + 100 + i,
      })),
    );
    await until('all thirty delivered', () => r.attempts().length - before === 30, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = r
      .attempts()
      .slice(before)
      .map((a) => a.id);
    expect(sent).toHaveLength(30);
    expect(new Set(sent).size).toBe(30);
  }, 60_000);
});
