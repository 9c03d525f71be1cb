import type { ScaleReading, WeightScale } from '@linkwell/device-sim';
import type { Reading } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { featureHome, until } from '../../test/feature-home.js';
import type { GatewayDeps } from '../gateway.js';

const SCALE = 'D0:00:00:00:00:03';
const USER = { address: SCALE, index: 1, consent: 1234 };

/** The body composition fields a complete reading carries, in canonical units, from the scale's ground truth. */
function truth(t: ScaleReading): Record<string, number> {
  const c = t.composition!;
  return {
    fat_percent: c.bodyFatPercent,
    basal_metabolism: c.basalMetabolismKj,
    muscle_percent: c.musclePercent,
    muscle_mass: c.muscleMassKg,
    fat_free_mass: c.fatFreeMassKg,
    soft_lean_mass: c.softLeanMassKg,
    water_mass: c.bodyWaterMassKg,
    weight: c.weightKg,
    impedance: c.impedanceOhm,
    height: t.heightCm! / 100,
  };
}

function expectValues(r: Reading, want: Record<string, number>): void {
  expect(Object.keys(r.values).sort()).toEqual(Object.keys(want).sort());
  for (const [k, v] of Object.entries(want)) expect(r.values[k], k).toBeCloseTo(v, 6);
}

/** A scale at ATT MTU 23 with two weighings of user 1 waiting, and the gateway consenting that user. */
async function replay(scaleOptions: Record<string, unknown>, deps: Partial<GatewayDeps> = {}) {
  const h = featureHome(
    [{ kind: 'scale', address: SCALE, options: { unsuccessfulRate: 0, attMtu: 23, ...scaleOptions } }],
    { users: [USER], ...deps },
  );
  const scale = h.home.find('scale') as WeightScale;
  for (let i = 0; i < 2; i++) {
    scale.step({ user: 1 });
    h.clock.advance(10 * 60_000);
  }
  await h.gw.start();
  await until(() => h.readings.filter((r) => r.metric === 'body_weight').length === 2, 'both weights');
  const compositions = () => h.readings.filter((r) => r.metric === 'body_composition');
  return { ...h, scale, compositions };
}

describe('multi-packet Body Composition assembly', () => {
  it('relays one complete reading per weighing at MTU 23, equal to what the scale measured', async () => {
    const { gw, scale, compositions } = await replay({});
    await until(() => compositions().length === 2, 'two body compositions');
    await new Promise((r) => setTimeout(r, 20));
    expect(compositions()).toHaveLength(2);
    for (const [i, r] of compositions().entries()) {
      expectValues(r, truth(scale.taken[i]!));
      expect(r.slot).toBe(1);
      expect(r.quality).not.toContain('partial_packet');
      // The packets, back to back: at MTU 23 a whole BCM needs more than one 20-byte indication.
      expect(r.raw.length / 2).toBeGreaterThan(20);
    }
    await gw.stop();
  });

  it('closes a group at the next weighing and relays the last one after 30 ms as partial_packet, when the scale keeps bit 12 on its last packet', async () => {
    const { gw, scale, compositions } = await replay(
      { bcmLastPacketFlagged: true },
      { bcmAssembly: { timeoutMs: 30 } },
    );
    await until(() => compositions().length === 2, 'two body compositions');
    const [first, last] = compositions();
    expectValues(first!, truth(scale.taken[0]!));
    expect(first!.quality).not.toContain('partial_packet');
    expectValues(last!, truth(scale.taken[1]!));
    expect(last!.quality).toContain('partial_packet');
    await gw.stop();
  });

  it('relays every packet as its own partial reading when assembly is off', async () => {
    const { gw, compositions } = await replay({}, { bcmAssembly: false });
    await until(() => compositions().length > 2, 'the packets');
    await new Promise((r) => setTimeout(r, 20));
    const n = compositions().length;
    expect(n % 2).toBe(0);
    expect(n).toBeGreaterThanOrEqual(4);
    expect(compositions().filter((r) => r.quality.includes('partial_packet'))).toHaveLength(n - 2);
    await gw.stop();
  });
});
