import type { BleCentral } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { featureHome, until } from '../../test/feature-home.js';

const BAND = 'D0:00:00:00:00:01';

/** Records every timer the gateway plans; the test fires them by hand. */
function manualTimers() {
  const tasks: { ms: number; fn: () => void; cancelled: boolean }[] = [];
  return {
    tasks,
    schedule: (fn: () => void, ms: number) => {
      const t = { ms, fn, cancelled: false };
      tasks.push(t);
      return () => {
        t.cancelled = true;
      };
    },
    /** Fires the newest live timer of this length. */
    fire(ms: number) {
      const t = [...tasks].reverse().find((x) => x.ms === ms && !x.cancelled);
      if (!t) throw new Error(`no pending ${ms} ms timer`);
      t.cancelled = true;
      t.fn();
    },
    pending: () => tasks.filter((t) => !t.cancelled).map((t) => t.ms),
  };
}

/** A central whose next `failures` connects fail, as a device out of range would. */
function flaky(central: BleCentral) {
  const state = { failures: 0 };
  const wrapped: BleCentral = {
    scan: (o) => central.scan(o),
    connect: async (a) => {
      if (state.failures > 0) {
        state.failures -= 1;
        throw new Error('le-connection-abort-by-local');
      }
      return central.connect(a);
    },
  };
  return { state, wrapped };
}

describe('reconnect with jittered backoff', () => {
  it('doubles from 1 s to the 60 s cap while connects fail, then resets after a stable link', async () => {
    const timers = manualTimers();
    let central: ReturnType<typeof flaky> | undefined;
    const { radio, gw, of } = featureHome([{ kind: 'wristband', address: BAND }], {
      schedule: timers.schedule,
      random: () => 0.5, // no jitter: the bare schedule
      wrap: (c) => {
        central = flaky(c);
        return central.wrapped;
      },
    });
    await gw.start();
    expect(timers.pending()).toEqual([30_000]); // stability timer of the first link

    central!.state.failures = 8;
    radio.dropLink(BAND);
    await until(() => of('device.reconnecting').length === 1, 'first retry');
    for (let i = 1; i <= 9; i++) {
      const [last] = of('device.reconnecting').slice(-1);
      timers.fire(last!.delayMs as number);
      await until(
        () => of('device.reconnecting').length === i + 1 || of('device.connected').length === 2,
        'next',
      );
    }
    await until(() => of('device.connected').length === 2, 'reconnected');
    expect(of('device.reconnecting').map((e) => e.delayMs)).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
    expect(of('device.reconnecting').map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // Stable for 30 s: the next drop starts again at 1 s.
    timers.fire(30_000);
    radio.dropLink(BAND);
    await until(() => of('device.reconnecting').length === 10, 'retry after the stable link');
    expect(of('device.reconnecting')[9]).toMatchObject({ attempt: 1, delayMs: 1000 });
    // Dropped again before it was stable: the backoff grows.
    timers.fire(1000);
    await until(() => of('device.connected').length === 3, 'third link');
    radio.dropLink(BAND);
    await until(() => of('device.reconnecting').length === 11, 'retry of an unstable link');
    expect(of('device.reconnecting')[10]).toMatchObject({ attempt: 2, delayMs: 2000 });
    await gw.stop();
    expect(timers.pending()).toEqual([]);
  });

  it('spreads each delay within ±20 % of the doubling schedule', async () => {
    for (const [random, factor] of [
      [() => 0, 0.8],
      [() => 0.999_999, 1.2],
    ] as const) {
      const timers = manualTimers();
      let central: ReturnType<typeof flaky> | undefined;
      const { radio, gw, of } = featureHome([{ kind: 'wristband', address: BAND }], {
        schedule: timers.schedule,
        random,
        reconnect: { initialMs: 1000, maxMs: 4000 },
        wrap: (c) => {
          central = flaky(c);
          return central.wrapped;
        },
      });
      await gw.start();
      central!.state.failures = 3;
      radio.dropLink(BAND);
      for (let i = 1; i <= 4; i++) {
        await until(() => of('device.reconnecting').length === i, `retry ${i}`);
        timers.fire(of('device.reconnecting')[i - 1]!.delayMs as number);
      }
      await until(() => of('device.connected').length === 2, 'reconnected');
      expect(of('device.reconnecting').map((e) => e.delayMs)).toEqual(
        [1000, 2000, 4000, 4000].map((b) => Math.round(b * factor)),
      );
      await gw.stop();
    }
  });

  it('announces device.disconnected with the link-loss reason and does not reconnect after stop', async () => {
    const timers = manualTimers();
    const { radio, gw, of } = featureHome([{ kind: 'wristband', address: BAND }], {
      schedule: timers.schedule,
    });
    await gw.start();
    radio.dropLink(BAND, 'connection timeout');
    await until(() => of('device.disconnected').length === 1, 'the drop');
    expect(of('device.disconnected')[0]).toMatchObject({ address: BAND, reason: 'connection timeout' });
    const delay = of('device.reconnecting')[0]!.delayMs as number;
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1200);
    await gw.stop();
    expect(timers.pending()).toEqual([]);
    expect(of('device.connected')).toHaveLength(1);
  });
});
