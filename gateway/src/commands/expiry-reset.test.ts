import { describe, expect, it } from 'vitest';
import { startedCommandHome } from '../../test/command-home.js';
import { until } from '../../test/feature-home.js';

const BAND = 'D0:00:00:00:00:01';
const CUFF = 'D0:00:00:00:00:02';

describe('command expiry (expires_at)', () => {
  it('refuses a sync whose expires_at has passed with GATEWAY_ERR_COMMAND_EXPIRED and never runs it', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const connectsBefore = h.of('device.connected').length;
    const now = h.clock.now();
    h.deliver(
      JSON.stringify({
        v: 1,
        tid: 'late-1',
        sent_at: now - 60_000,
        expires_at: now - 1,
        cmd: { op: 'sync' },
      }),
    );
    await until(() => h.results.some((r) => r.tid === 'late-1'), 'the result of late-1', 5000);
    expect(h.results.find((r) => r.tid === 'late-1')).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'late-1',
      status: 'error',
      error: {
        code: 'GATEWAY_ERR_COMMAND_EXPIRED',
        message: `sync late-1 expired at ${new Date(now - 1).toISOString()}; not run`,
      },
    });
    // A sync holds and reconnects every device; an expired one must leave the link alone.
    expect(h.of('device.connected')).toHaveLength(connectsBefore);
    expect(h.of('device.disconnected')).toHaveLength(0);
  });

  it('runs a command whose expires_at is still ahead', async () => {
    const h = await startedCommandHome([{ kind: 'wristband', address: BAND }]);
    const now = h.clock.now();
    h.deliver(
      JSON.stringify({ v: 1, tid: 'ok-1', sent_at: now, expires_at: now + 30_000, cmd: { op: 'set_time' } }),
    );
    await until(() => h.results.some((r) => r.tid === 'ok-1'), 'the result of ok-1', 5000);
    expect(h.results.find((r) => r.tid === 'ok-1')).toMatchObject({ status: 'ok' });
  });
});

describe('reset command', () => {
  it('lets every device go, wipes state through the hook, answers, then stops and refuses further commands', async () => {
    let wiped = 0;
    const h = await startedCommandHome(
      [
        { kind: 'wristband', address: BAND },
        { kind: 'bp-cuff', address: CUFF },
      ],
      {
        commands: {
          wipe: async () => {
            wiped += 1;
          },
        },
      },
    );
    const resets: unknown[] = [];
    h.gw.bus.on('gateway.reset', (e) => resets.push(e));
    const managedBefore = h.gw.devices.list().length;
    const r = await h.send({ op: 'reset' }, 'reset-1');
    expect(r).toEqual({
      v: 1,
      gw: 'gw_cmd',
      tid: 'reset-1',
      status: 'ok',
      data: { devices_forgotten: managedBefore, bonds_removed: false, state_wiped: true },
    });
    expect(managedBefore).toBeGreaterThan(0);
    expect(wiped).toBe(1);
    expect(h.gw.devices.list()).toEqual([]);
    expect(resets).toEqual([{}]);
    // Stopped: a later command gets no answer at all.
    h.deliver(JSON.stringify({ v: 1, tid: 'after-1', sent_at: h.clock.now(), cmd: { op: 'sync' } }));
    await new Promise((r) => setTimeout(r, 200));
    expect(h.results.some((x) => x.tid === 'after-1')).toBe(false);
  });
});

describe('device announcements on the events topic', () => {
  it('publishes device.discovered for each matched device at start and device.info with DIS and battery', async () => {
    const h = await startedCommandHome([{ kind: 'bp-cuff', address: CUFF }]);
    await until(() => h.events.some((e) => e.type === 'device.info'), 'device.info', 5000);
    const discovered = h.events.filter((e) => e.type === 'device.discovered');
    expect(discovered[0]).toEqual({
      type: 'device.discovered',
      address: CUFF,
      profile: 'sig.blood-pressure',
      vendor: 'Bluetooth SIG',
      model: 'Blood Pressure Service',
      name: 'Linkwell Cuff',
      rssi: -60,
      at: h.clock.now(),
    });
    // The connect announces it again (without scan facts), which keeps "nearby" fresh.
    expect(discovered.length).toBeGreaterThanOrEqual(2);
    const info = h.events.find((e) => e.type === 'device.info');
    expect(info).toEqual({
      type: 'device.info',
      address: CUFF,
      battery: 100,
      manufacturer: 'Linkwell Sim',
      model: 'Cuff 2',
      serial: 'D00000000002',
      firmware: '1.0.0',
      at: h.clock.now(),
    });
  });
});
