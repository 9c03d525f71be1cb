import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import type { Database } from '../src/db/sql-client.js';
import { DEMO_HOME, seedDemoHome, seedDemoIdentity } from '../src/dev/demo-seed.js';

describe('seedDemoIdentity', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await seedDemoHome(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  const li = { provider: 'wechat', subject: 'oUNION', name: '李伟' };

  it('links the demo person once however often linkwell up starts on the same issuer', async () => {
    await seedDemoIdentity(db, { ...li, issuer: 'http://127.0.0.1:8093' });
    await seedDemoIdentity(db, { ...li, issuer: 'http://127.0.0.1:8093' });
    const { rows } = await db.query('SELECT account_id, issuer FROM identities ORDER BY issuer');
    expect(rows).toEqual([{ account_id: DEMO_HOME.accountId, issuer: 'http://127.0.0.1:8093' }]);
  });

  it('links the demo person again, without a key clash, when the provider came back on another port', async () => {
    await seedDemoIdentity(db, { ...li, issuer: 'http://127.0.0.1:40211' });
    const { rows } = await db.query('SELECT account_id, issuer FROM identities ORDER BY issuer');
    expect(rows).toEqual([
      { account_id: DEMO_HOME.accountId, issuer: 'http://127.0.0.1:40211' },
      { account_id: DEMO_HOME.accountId, issuer: 'http://127.0.0.1:8093' },
    ]);
  });
});
