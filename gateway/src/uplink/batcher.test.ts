import type { Reading } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ReadingBatcher } from './batcher.js';

/** A timer queue on simulated time: `run()` fires what is due. */
function fakeTimers() {
  let pending: (() => void)[] = [];
  return {
    setTimer: (fn: () => void) => {
      pending.push(fn);
      return () => {
        pending = pending.filter((f) => f !== fn);
      };
    },
    run() {
      const due = pending;
      pending = [];
      for (const f of due) f();
    },
    get count() {
      return pending.length;
    },
  };
}

const reading = (n: number) => ({ id: n.toString(16).padStart(16, '0') }) as Reading;

describe('ReadingBatcher', () => {
  it('sends a full envelope of 3 at once when the size cap of 3 is reached', async () => {
    const sent: string[][] = [];
    const b = new ReadingBatcher({
      maxReadings: 3,
      lingerMs: 250,
      send: async (r) => void sent.push(r.map((x) => x.id)),
      onError: () => {},
    });
    for (let i = 0; i < 3; i++) b.add(reading(i));
    await b.flush();
    expect(sent).toEqual([[reading(0).id, reading(1).id, reading(2).id]]);
  });

  it('flushes a partial batch of 2 when the linger timer fires', async () => {
    const timers = fakeTimers();
    const sent: number[] = [];
    const b = new ReadingBatcher({
      maxReadings: 10,
      lingerMs: 250,
      setTimer: timers.setTimer,
      send: async (r) => void sent.push(r.length),
      onError: () => {},
    });
    b.add(reading(1));
    b.add(reading(2));
    expect(sent).toEqual([]);
    timers.run();
    await b.flush();
    expect(sent).toEqual([2]);
  });

  it('keeps readings in order after a failed send and delivers them on the retry', async () => {
    const timers = fakeTimers();
    const sent: string[][] = [];
    const errors: number[] = [];
    let fail = true;
    const b = new ReadingBatcher({
      maxReadings: 2,
      lingerMs: 250,
      setTimer: timers.setTimer,
      send: async (r) => {
        if (fail) throw new Error('broker down');
        sent.push(r.map((x) => x.id));
      },
      onError: (_e, r) => errors.push(r.length),
    });
    b.add(reading(1));
    b.add(reading(2)); // size cap reached: this send fails
    await new Promise((r) => setImmediate(r));
    b.add(reading(3)); // backing off: no immediate resend
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([2]);
    expect(b.pending).toBe(3);
    fail = false;
    timers.run(); // the retry timer
    await b.flush();
    expect(sent).toEqual([[reading(1).id, reading(2).id], [reading(3).id]]);
    expect(b.pending).toBe(0);
  });
});
