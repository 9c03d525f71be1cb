import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SqlClient } from '../registry/resolver.js';
import { openRevocationList } from './revocations.js';

/** A registry stand-in whose revoked set the test changes; `fail` makes the next reads throw. */
function fakeRegistry(initial: string[]) {
  const state = { revoked: [...initial], fail: false, reads: 0, gate: Promise.resolve() };
  const db: SqlClient = {
    async query<T>() {
      state.reads += 1;
      await state.gate;
      if (state.fail) throw new Error('connection refused');
      return { rows: state.revoked.map((id) => ({ id })) as T[] };
    },
  };
  return { db, state };
}

const logger = pino({ level: 'silent' });

describe('revocation list', () => {
  it('reads the revoked gateways at start and reports only newly revoked ones on refresh', async () => {
    const { db, state } = fakeRegistry(['gw_old']);
    const list = await openRevocationList(db, { logger, refreshMs: 60_000 });
    const seen: string[][] = [];
    list.onRevoked((gws) => seen.push(gws));
    expect(list.isRevoked('gw_old')).toBe(true);
    expect(list.isRevoked('gw_a')).toBe(false);

    state.revoked.push('gw_a');
    await list.refresh();
    expect(list.isRevoked('gw_a')).toBe(true);
    expect(seen).toEqual([['gw_a']]);
    await list.refresh();
    expect(seen).toEqual([['gw_a']]);
    list.close();
  });

  it('keeps the previous list when the registry fails, and picks up changes once it answers', async () => {
    const { db, state } = fakeRegistry(['gw_x']);
    const list = await openRevocationList(db, { logger, refreshMs: 60_000 });
    state.fail = true;
    state.revoked = ['gw_y'];
    await list.refresh();
    expect(list.isRevoked('gw_x')).toBe(true);
    expect(list.isRevoked('gw_y')).toBe(false);
    state.fail = false;
    await list.refresh();
    expect([list.isRevoked('gw_x'), list.isRevoked('gw_y')]).toEqual([false, true]);
    list.close();
  });

  it('coalesces refreshes during a read into one more read that starts after it', async () => {
    const { db, state } = fakeRegistry([]);
    const list = await openRevocationList(db, { logger, refreshMs: 60_000 });
    let release!: () => void;
    state.gate = new Promise((r) => {
      release = r;
    });
    const first = list.refresh();
    state.revoked = ['gw_late'];
    const during = [list.refresh(), list.refresh(), list.refresh()];
    release();
    await Promise.all([first, ...during]);
    expect(state.reads).toBe(3); // start, the read in flight, one queued read for the three calls
    expect(list.isRevoked('gw_late')).toBe(true);
    list.close();
  });

  it('refreshes on its own every refreshMs', async () => {
    const { db, state } = fakeRegistry([]);
    const list = await openRevocationList(db, { logger, refreshMs: 30 });
    state.revoked = ['gw_timer'];
    const seen = new Promise<string[]>((r) => list.onRevoked(r));
    expect(await seen).toEqual(['gw_timer']);
    list.close();
  });
});
