import {
  BodyCompositionAssembler,
  codecFor,
  currentTimeFromEpochMs,
  decodeBodyCompositionMeasurement,
  decodeWeightMeasurement,
  decodeWeightScaleFeature,
  encodeCurrentTime,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { openUdsSession, settle } from './uds-session.js';
import { WeightScale, type WeightScaleOptions } from './weight-scale.js';

const ADDR = 'D0:5C:A1:E0:00:01';
const START = Date.UTC(2026, 2, 1, 7, 30);
const UCP = codecFor('2a9f');
const consent = (userIndex: number, consentCode: number) =>
  UCP.encode({ opCode: 'consent', userIndex, consentCode });

const ANNA = {
  index: 1,
  consent: 1234,
  weightKg: 80,
  heightCm: 180,
  gender: 'male' as const,
  dateOfBirth: { year: 1985, month: 5, day: 20 },
};

async function setup(extra: Partial<WeightScaleOptions> = {}) {
  const clock = new ManualClock(START);
  const scale = new WeightScale({
    address: ADDR,
    seed: 7,
    clock,
    unsuccessfulRate: 0,
    users: [ANNA],
    ...extra,
  });
  const radio = new InMemoryRadio().add(scale);
  const s = await openUdsSession(radio, scale);
  return { clock, scale, radio, s };
}

describe('WeightScale live measurements', () => {
  it('indicates weight, user 1, BMI and height, then a BCM in 3 packets the assembler rebuilds', async () => {
    const { scale, s } = await setup();
    expect(UCP.decode((await s.control(consent(1, 1234)))!)).toEqual({
      opCode: 'response_code',
      requestOpCode: 2,
      result: 'success',
    });
    scale.step({ user: 1 });
    await settle();

    const truth = scale.taken[0]!;
    const c = truth.composition!;
    expect(truth.weightKg).toBeGreaterThan(76);
    expect(truth.weightKg).toBeLessThan(84);
    const at2000 = { year: 2000, month: 1, day: 1, hours: 0, minutes: 0, seconds: 0 };
    expect(s.weights.map(decodeWeightMeasurement)).toEqual([
      {
        units: 'si',
        weight: truth.weightKg,
        timestamp: at2000,
        userId: 1,
        bmiAndHeight: { bmi: Math.round((truth.weightKg! / 1.8 ** 2) * 10) / 10, height: 1.8 },
      },
    ]);

    expect(s.bodyComposition.map((p) => p.length)).toEqual([20, 20, 14]);
    const packets = s.bodyComposition.map(decodeBodyCompositionMeasurement);
    expect(packets.map((p) => p.multiplePacket)).toEqual([true, true, false]);
    const assembler = new BodyCompositionAssembler();
    const done = packets.flatMap((p) => assembler.push(p));
    expect(done).toEqual([
      {
        packets: 3,
        measurement: {
          units: 'si',
          bodyFatPercent: c.bodyFatPercent,
          timestamp: at2000,
          userId: 1,
          basalMetabolismKj: c.basalMetabolismKj,
          musclePercent: c.musclePercent,
          muscleMass: c.muscleMassKg,
          fatFreeMass: c.fatFreeMassKg,
          softLeanMass: c.softLeanMassKg,
          bodyWaterMass: c.bodyWaterMassKg,
          impedanceOhm: c.impedanceOhm,
          weight: truth.weightKg,
          height: 1.8,
          multiplePacket: false,
        },
      },
    ]);
    expect(scale.storedReadings(1)).toEqual([]);
  });

  it('sends one 30-byte BCM without the multiple-packet bit when the MTU is 247', async () => {
    const { scale, s } = await setup({ attMtu: 247 });
    await s.control(consent(1, 1234));
    scale.step({ user: 1 });
    await settle();
    expect(s.bodyComposition.map((p) => p.length)).toEqual([30]);
    expect(decodeBodyCompositionMeasurement(s.bodyComposition[0]!).multiplePacket).toBe(false);
  });

  it('keeps the multiple-packet bit on the last packet with bcmLastPacketFlagged; flush() closes it', async () => {
    const { scale, s } = await setup({ bcmLastPacketFlagged: true });
    await s.control(consent(1, 1234));
    scale.step({ user: 1 });
    await settle();
    const packets = s.bodyComposition.map(decodeBodyCompositionMeasurement);
    expect(packets.map((p) => p.multiplePacket)).toEqual([true, true, true]);
    const assembler = new BodyCompositionAssembler();
    expect(packets.flatMap((p) => assembler.push(p))).toEqual([]);
    expect(assembler.flush()?.measurement.impedanceOhm).toBe(scale.taken[0]!.composition!.impedanceOhm);
  });

  it('stamps 2000-01-01 plus elapsed time until Current Time is written, then the written time', async () => {
    const { clock, scale, s } = await setup();
    await s.control(consent(1, 1234));
    clock.advance(5 * 60_000);
    scale.step({ user: 1 });
    await s.link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
    clock.advance(60_000);
    scale.step({ user: 1 });
    await settle();
    expect(s.weights.map((w) => decodeWeightMeasurement(w).timestamp)).toEqual([
      { year: 2000, month: 1, day: 1, hours: 0, minutes: 5, seconds: 0 },
      { year: 2026, month: 3, day: 1, hours: 7, minutes: 36, seconds: 0 },
    ]);
  });

  it('starts its clock at 1970 with unsetClock: 1970', async () => {
    const { scale, s } = await setup({ unsetClock: 1970 });
    await s.control(consent(1, 1234));
    scale.step({ user: 1 });
    await settle();
    expect(decodeWeightMeasurement(s.weights[0]!).timestamp?.year).toBe(1970);
  });

  it('sends Weight 0xFFFF and Body Fat 0xFFFF with only time stamp and user for an unsuccessful weighing', async () => {
    const { scale, s } = await setup();
    await s.control(consent(1, 1234));
    scale.step({ user: 1, unsuccessful: true });
    await settle();
    expect(toHex(s.weights[0]!)).toBe('06ffffd007010100000001');
    expect(toHex(s.bodyComposition[0]!)).toBe('0600ffffd007010100000001');
    expect(decodeWeightMeasurement(s.weights[0]!).weight).toBeNull();
    expect(decodeBodyCompositionMeasurement(s.bodyComposition[0]!).bodyFatPercent).toBeNull();
  });

  it('fails about as often as unsuccessfulRate says, and the frames say so exactly when the truth does', async () => {
    const { clock, scale, s } = await setup({ unsuccessfulRate: 0.25 });
    await s.control(consent(1, 1234));
    for (let i = 0; i < 40; i++) {
      scale.step({ user: 1 });
      await settle();
      clock.advance(3_600_000);
    }
    const failed = s.weights.map((w) => decodeWeightMeasurement(w).weight === null);
    expect(failed).toEqual(scale.taken.map((t) => t.weightKg === null));
    const n = failed.filter(Boolean).length;
    expect(n).toBeGreaterThan(3);
    expect(n).toBeLessThan(20);
  });

  it('indicates a guest (User ID 0xFF) weight without BMI or BCM, and forgets it when nobody listens', async () => {
    const { scale, s } = await setup();
    scale.step();
    await settle();
    const w = decodeWeightMeasurement(s.weights[0]!);
    expect(w.userId).toBe(0xff);
    expect(w.bmiAndHeight).toBeUndefined();
    expect(s.bodyComposition).toEqual([]);
    await s.link.disconnect();
    scale.step();
    expect(scale.taken).toHaveLength(2);
    expect(scale.wire.filter((r) => r.characteristic === '2a9d')).toHaveLength(1);
  });

  it('reads Weight Scale Feature: time stamp, multiple users, BMI, 0.05 kg and 0.01 m', async () => {
    const { s } = await setup();
    expect(decodeWeightScaleFeature(await s.link.read('181d', '2a9e'))).toEqual({
      timeStampSupported: true,
      multipleUsersSupported: true,
      bmiSupported: true,
      weightResolutionCode: 4,
      heightResolutionCode: 1,
    });
  });

  it('refuses a step for an unregistered slot with SIM_ERR_INVALID_OPTION', async () => {
    const { scale } = await setup();
    expect(() => scale.step({ user: 5 })).toThrow(/SIM_ERR_INVALID_OPTION/);
  });
});

describe('WeightScale pairing', () => {
  it('needs a bonded link for UDS: UCP indications fail with ATT 0x05 before pairing', async () => {
    const clock = new ManualClock(START);
    const scale = new WeightScale({ address: ADDR, seed: 1, clock, users: [ANNA], passkey: '246810' });
    const link = await new InMemoryRadio().add(scale).connect(ADDR);
    await expect(link.subscribe('181c', '2a9f', () => {})).rejects.toMatchObject({
      code: 'SIM_ERR_INSUFFICIENT_AUTHENTICATION',
      att: 0x05,
    });
    await expect(scale.connection!.pair({ requestPasskey: async () => '000000' })).rejects.toMatchObject({
      code: 'SIM_ERR_AUTHENTICATION_FAILED',
    });
    await scale.connection!.pair({ requestPasskey: async () => '246810' });
    await expect(link.subscribe('181c', '2a9f', () => {})).resolves.toBeTypeOf('function');
  });

  it('lets a central that kept its bond reconnect encrypted and give consent without pairing again', async () => {
    const clock = new ManualClock(START);
    const scale = new WeightScale({ address: ADDR, seed: 1, clock, users: [ANNA], passkey: '246810' });
    const radio = new InMemoryRadio().add(scale);
    const first = await openUdsSession(radio, scale, { passkey: '246810' });
    await first.link.disconnect();
    const again = await openUdsSession(radio, scale, { pair: false });
    expect(scale.connection?.encrypted).toBe(true);
    expect(toHex((await again.control(consent(1, 1234)))!)).toBe('200201');
  });

  it('refuses a passkey that is not six digits', () => {
    expect(
      () => new WeightScale({ address: ADDR, seed: 1, clock: new ManualClock(), passkey: '12345' }),
    ).toThrow(/SIM_ERR_INVALID_OPTION/);
  });
});
