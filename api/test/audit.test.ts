import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.js';
import { openPglite } from '../src/db/pglite.js';
import type { Database } from '../src/db/sql-client.js';
import { createAuditService } from '../src/modules/audit/index.js';

describe('audit list paging', () => {
  let db: Database;
  const origin = { ip: '192.0.2.7', userAgent: 'test-agent' };

  beforeAll(async () => {
    db = await openPglite();
    await migrate(db);
    await db.query(`INSERT INTO accounts (id, display_name) VALUES ('acct_a', 'A'), ('acct_b', 'B')`);
    let t = Date.parse('2026-12-01T00:00:00Z');
    const audit = createAuditService(db, () => (t += 1000));
    for (let i = 1; i <= 12; i++)
      await audit.record('acct_a', i % 2 ? 'sign_in' : 'sign_out', origin, { n: i });
    await audit.record('acct_b', 'sign_in', origin);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('lists an account newest first by number, past id 10, and pages with before', async () => {
    const audit = createAuditService(db, Date.now);
    const first = await audit.list('acct_a', { limit: 5 });
    expect(first.map((e) => e.details.n)).toEqual([12, 11, 10, 9, 8]);
    const second = await audit.list('acct_a', { limit: 5, before: first.at(-1)!.id });
    expect(second.map((e) => e.details.n)).toEqual([7, 6, 5, 4, 3]);
    const last = await audit.list('acct_a', { limit: 5, before: second.at(-1)!.id });
    expect(last.map((e) => e.details.n)).toEqual([2, 1]);
  });

  it("keeps the time, IP and user agent, and never shows another account's entries", async () => {
    const [entry] = await createAuditService(db, Date.now).list('acct_b', { limit: 50 });
    expect(entry).toMatchObject({ action: 'sign_in', ip: '192.0.2.7', user_agent: 'test-agent' });
    expect(await createAuditService(db, Date.now).list('acct_b', { limit: 50 })).toHaveLength(1);
  });
});
