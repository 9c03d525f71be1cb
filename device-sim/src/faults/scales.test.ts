import {
  codecFor,
  currentTimeFromEpochMs,
  decodeMiBodyCompositionScale2,
  decodeWeightMeasurement,
  encodeCurrentTime,
  isPublishable,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { DisconnectReason } from '../gatt/connection.js';
import { MiScale } from '../scales/mi-scale.js';
import { openUdsSession, settle } from '../scales/uds-session.js';
import { WeightScale } from '../scales/weight-scale.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { SCALE_FAULTS } from './scales.js';

const ADDR = 'D0:5C:A1:E0:00:0F';
const START = Date.UTC(2026, 3, 20, 7);
const UCP = codecFor('2a9f');
const consent = UCP.encode({ opCode: 'consent', userIndex: 0, consentCode: 4711 });

function faulty(name: string) {
  const clock = new ManualClock(START);
  const scale = new WeightScale({
    address: ADDR,
    seed: 8,
    clock,
    unsuccessfulRate: 0,
    users: [{ index: 0, consent: 4711, weightKg: 70, heightCm: 175 }],
  });
  const fault = SCALE_FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`no fault ${name}`);
  fault.apply(scale);
  return { clock, scale, radio: new InMemoryRadio().add(scale) };
}

async function weighOnce(name: string) {
  const f = faulty(name);
  const s = await openUdsSession(f.radio, f.scale);
  await s.control(consent);
  f.scale.step({ user: 0 });
  await settle();
  return { ...f, s };
}

describe('SCALE_FAULTS', () => {
  it('names each fault once, in kebab-case, with the rule it breaks', () => {
    const names = SCALE_FAULTS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      'scale-forgets-bond',
      'scale-clock-never-set',
      'scale-wrong-flag-bits',
      'scale-missing-weight-feature',
      'scale-bcm-notify-instead-of-indicate',
      'mi-scale-never-stabilizes',
    ]);
    for (const f of SCALE_FAULTS) expect(f.violates).toMatch(/§|spec/);
  });

  it('scale-forgets-bond: a central that kept its bond is dropped with "pin or key missing"', async () => {
    const { scale, radio } = faulty('scale-forgets-bond');
    const first = await openUdsSession(radio, scale);
    await first.link.disconnect();
    expect(scale.hasBond(radio.centralId)).toBe(true);

    const link = await radio.connect(ADDR);
    await settle();
    await expect(link.read('181d', '2a9e')).rejects.toMatchObject({ code: 'SIM_ERR_DISCONNECTED' });
    expect(scale.hasBond(radio.centralId)).toBe(false);

    // The reason, seen by a central that listens from the first moment (see report on InMemoryRadio).
    scale.rememberBond('other-central');
    const reasons: DisconnectReason[] = [];
    scale.connect('other-central', { bonded: true }).onDisconnect((r) => reasons.push(r));
    await settle();
    expect(reasons).toEqual(['pin or key missing']);
  });

  it('scale-clock-never-set: a Current Time write succeeds but readings stay in 2000', async () => {
    const { scale, s } = await weighOnce('scale-clock-never-set');
    await s.link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(START)));
    scale.step({ user: 0 });
    await settle();
    expect(s.weights.map((w) => decodeWeightMeasurement(w).timestamp?.year)).toEqual([2000, 2000]);
  });

  it('scale-wrong-flag-bits: weights claim lb while carrying kg steps, so 70 kg reads as ~140 lb', async () => {
    const { scale, s } = await weighOnce('scale-wrong-flag-bits');
    const w = decodeWeightMeasurement(s.weights[0]!);
    const kg = scale.taken[0]!.weightKg!;
    expect(s.weights[0]![0]! & 0x01).toBe(1);
    expect(w.units).toBe('imperial');
    expect(w.weight).toBeCloseTo(kg * 2, 6);
    // Height 1750 mm reads as 175.0 in (4.45 m).
    expect(w.bmiAndHeight?.height).toBeCloseTo(175, 6);
    expect(scale.wire.find((r) => r.characteristic === '2a9d')?.bytes[0]).toBe(0x0f);
  });

  it('scale-missing-weight-feature: discovery has no 0x2A9E and reading it fails', async () => {
    const { scale, radio } = faulty('scale-missing-weight-feature');
    const link = await radio.connect(ADDR);
    expect((await link.characteristics('181d')).map((c) => c.uuid)).toEqual(['2a9d']);
    await expect(link.read('181d', '2a9e')).rejects.toMatchObject({ code: 'SIM_ERR_NO_SUCH_CHARACTERISTIC' });
    expect(scale.findCharacteristic('181b', '2a9b')).toBeDefined();
  });

  it('scale-bcm-notify-instead-of-indicate: 0x2A9C offers notify only and its packets go out as notifications', async () => {
    const { scale, s } = await weighOnce('scale-bcm-notify-instead-of-indicate');
    expect((await s.link.characteristics('181b')).find((c) => c.uuid === '2a9c')?.properties).toEqual([
      'notify',
    ]);
    const kinds = scale.wire.filter((r) => r.service !== '181c').map((r) => `${r.characteristic} ${r.kind}`);
    expect(kinds).toEqual(['2a9d indication', '2a9c notification', '2a9c notification', '2a9c notification']);
  });

  it('mi-scale-never-stabilizes: no advertised frame is ever a reading', () => {
    const clock = new ManualClock(START);
    const scale = new MiScale({ address: ADDR, seed: 1, clock });
    SCALE_FAULTS.find((f) => f.name === 'mi-scale-never-stabilizes')!.apply(scale);
    scale.step();
    clock.advance(10_000);
    const frames = scale.wire.map((r) => decodeMiBodyCompositionScale2(r.bytes));
    expect(frames).toHaveLength(11);
    expect(frames.map((f) => f.stabilized)).toEqual(Array(11).fill(false));
    expect(frames.filter(isPublishable)).toEqual([]);
    expect(frames.filter((f) => f.impedancePresent)).toHaveLength(4);
  });

  it('refuses to apply a scale fault to a device of another kind', () => {
    const mi = new MiScale({ address: ADDR, seed: 1, clock: new ManualClock() });
    expect(() => SCALE_FAULTS[0]!.apply(mi)).toThrow(/SIM_ERR_INVALID_OPTION/);
  });
});
