import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { BloodPressureCuff } from '../devices/bp-cuff.js';
import type { MiScale } from '../scales/mi-scale.js';
import type { WeightScale } from '../scales/weight-scale.js';
import { createDevice, DEVICE_KINDS, FAULTS } from './catalog.js';
import { DEMO_HOME_DEVICES, SimHome } from './home.js';

const T0 = Date.UTC(2026, 10, 23, 6, 0, 0);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('SimHome', () => {
  it('describes every device of the demo home for --list', () => {
    const home = new SimHome({ clock: new ManualClock(T0), seed: 1 });
    const list = home.describe();
    expect(list.map((d) => [d.kind, d.address])).toEqual(DEMO_HOME_DEVICES.map((d) => [d.kind, d.address]));
    expect(list.find((d) => d.kind === 'mi-scale')?.connectable).toBe(false);
    expect(list.find((d) => d.kind === 'scale')?.users?.map((u) => u.consent)).toEqual([1234, 5678]);
    home.dispose();
  });

  it('lets the household use its devices on the clock, alternating cuff and scale users', async () => {
    const clock = new ManualClock(T0);
    const home = new SimHome({ clock, seed: 5 });
    home.startActivity({ 'bp-cuff': 60_000, scale: 60_000 });
    for (let i = 0; i < 6; i++) {
      clock.advance(60_000);
      await new Promise((r) => setImmediate(r));
    }
    const cuff = home.find('bp-cuff') as BloodPressureCuff;
    expect(cuff.readings.map((r) => r.user)).toEqual([1, 2, 1, 2, 1]);
    const scale = home.find('scale') as WeightScale;
    expect(scale.taken.map((r) => r.userId)).toEqual([1, 2, 1, 2, 1, 2]);
    expect((home.find('mi-scale') as MiScale).taken.length).toBeGreaterThan(0);
    home.stopActivity();
    clock.advance(60_000); // lets the measurement in progress finish
    const before = cuff.readings.length;
    clock.advance(600_000);
    expect(cuff.readings.length).toBe(before);
    home.dispose();
  });

  it('replays byte-identical frames for the same seed, across every device', async () => {
    const run = async (seed: number) => {
      const clock = new ManualClock(T0);
      const home = new SimHome({ clock, seed });
      home.startActivity();
      for (let i = 0; i < 40; i++) {
        clock.advance(30_000);
        await new Promise((r) => setImmediate(r));
      }
      home.dispose();
      return home.peripherals.map((p) => p.wire.map((w) => `${w.at} ${w.kind} ${w.service} ${hex(w.bytes)}`));
    };
    const a = await run(9);
    expect(a.flat().length).toBeGreaterThan(10);
    expect(await run(9)).toEqual(a);
    expect(await run(10)).not.toEqual(a);
  });

  it('applies a named fault to the first device of its kind and refuses unknown names', () => {
    const home = new SimHome({
      clock: new ManualClock(T0),
      seed: 1,
      faults: ['bp-cuff-missing-feature'],
    });
    const cuff = home.find('bp-cuff')!;
    expect(cuff.findCharacteristic('1810', '2a49')).toBeUndefined();
    expect(home.describe().find((d) => d.kind === 'bp-cuff')?.fault).toBe('bp-cuff-missing-feature');
    expect(() => new SimHome({ clock: new ManualClock(), seed: 1, faults: ['no-such-fault'] })).toThrow(
      /SIM_ERR_UNKNOWN_FAULT/,
    );
    expect(
      () =>
        new SimHome({
          clock: new ManualClock(),
          seed: 1,
          devices: [{ kind: 'wristband', address: 'D0:00:00:00:00:09' }],
          faults: ['scale-forgets-bond'],
        }),
    ).toThrow(/SIM_ERR_INVALID_OPTION/);
    home.dispose();
  });
});

describe('device catalog', () => {
  it('builds every kind with the services it lists, and every fault names a known kind', () => {
    for (const k of DEVICE_KINDS) {
      const d = createDevice(k.kind, { address: 'D0:00:00:00:00:10', seed: 1, clock: new ManualClock(T0) });
      const exposed = d.advertisement().connectable
        ? d.services()
        : Object.keys(d.advertisement().serviceData ?? {}).concat(d.advertisement().serviceUuids);
      for (const s of k.services) expect(exposed, `${k.kind} exposes ${s}`).toContain(s);
      (d as { dispose?: () => void }).dispose?.();
    }
    const kinds = new Set(DEVICE_KINDS.map((k) => k.kind));
    for (const f of FAULTS) expect(kinds.has(f.device), f.name).toBe(true);
    expect(new Set(FAULTS.map((f) => f.name)).size).toBe(FAULTS.length);
  });

  it('refuses an unknown kind with SIM_ERR_UNKNOWN_DEVICE_KIND', () => {
    expect(() =>
      createDevice('toaster', { address: 'D0:00:00:00:00:10', seed: 1, clock: new ManualClock() }),
    ).toThrow(/SIM_ERR_UNKNOWN_DEVICE_KIND/);
  });
});
