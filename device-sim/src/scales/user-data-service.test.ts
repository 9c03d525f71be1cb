import {
  codecFor,
  decodeDatabaseChangeIncrement,
  decodeDateOfBirth,
  decodeGender,
  decodeHeightCm,
  decodeUserIndex,
  decodeWeightMeasurement,
  encodeDatabaseChangeIncrement,
  encodeDateOfBirth,
  encodeGender,
  encodeHeightCm,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { openUdsSession, settle } from './uds-session.js';
import { WeightScale, type WeightScaleOptions } from './weight-scale.js';

const ADDR = 'D0:5C:A1:E0:00:02';
const UCP = codecFor('2a9f');
const FIRST_NAME = codecFor('2a8a');
const register = (consentCode: number) => UCP.encode({ opCode: 'register_new_user', consentCode });
const consent = (userIndex: number, consentCode: number) =>
  UCP.encode({ opCode: 'consent', userIndex, consentCode });
const deleteUserData = () => UCP.encode({ opCode: 'delete_user_data' });
const BEN = { index: 1, consent: 1111, weightKg: 70, heightCm: 175 };

async function setup(extra: Partial<WeightScaleOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 10, 8));
  const scale = new WeightScale({
    address: ADDR,
    seed: 3,
    clock,
    unsuccessfulRate: 0,
    users: [BEN],
    ...extra,
  });
  const radio = new InMemoryRadio().add(scale);
  return { clock, scale, radio, s: await openUdsSession(radio, scale) };
}

describe('User Control Point (UDS v1.0 §3.4)', () => {
  it('registers a new user in the lowest free slot (0) and consents with its code', async () => {
    const { s } = await setup();
    expect(toHex((await s.control(register(4321)))!)).toBe('20010100');
    expect(decodeUserIndex(await s.link.read('181c', '2a9a'))).toBe(0xff);
    expect(toHex((await s.control(consent(0, 4321)))!)).toBe('200201');
    expect(decodeUserIndex(await s.link.read('181c', '2a9a'))).toBe(0);
  });

  it('answers a wrong consent code and an empty slot with User Not Authorized (20 02 05)', async () => {
    const { s } = await setup();
    expect(toHex((await s.control(consent(1, 1112)))!)).toBe('200205');
    expect(toHex((await s.control(consent(6, 1111)))!)).toBe('200205');
    expect(decodeUserIndex(await s.link.read('181c', '2a9a'))).toBe(0xff);
  });

  it('answers Operation Failed when every slot is taken', async () => {
    const { s } = await setup({ maxUsers: 2, users: [BEN, { ...BEN, index: 0 }] });
    expect(toHex((await s.control(register(5)))!)).toBe('200104');
  });

  it('answers Invalid Parameter for a consent code above 9999 and a short Consent operand', async () => {
    const { s } = await setup();
    expect(toHex((await s.control(Uint8Array.of(0x01, 0x10, 0x27)))!)).toBe('200103');
    expect(toHex((await s.control(Uint8Array.of(0x02, 0x01, 0x57)))!)).toBe('200203');
  });

  it('answers Op Code Not Supported for List All Users (a later revision) and a reserved op code', async () => {
    const { s } = await setup();
    expect(toHex((await s.control(Uint8Array.of(0x04)))!)).toBe('200402');
    expect(toHex((await s.control(Uint8Array.of(0x7e)))!)).toBe('207e02');
  });

  it('deletes the consented user with their history; the slot then refuses consent', async () => {
    const { scale, s } = await setup();
    expect(toHex((await s.control(deleteUserData()))!)).toBe('200305');
    await s.control(consent(1, 1111));
    expect(toHex((await s.control(deleteUserData()))!)).toBe('200301');
    expect(decodeUserIndex(await s.link.read('181c', '2a9a'))).toBe(0xff);
    expect(toHex((await s.control(consent(1, 1111)))!)).toBe('200205');
    expect(scale.storedReadings(1)).toEqual([]);
    expect(toHex((await s.control(register(77)))!)).toBe('20010100');
  });

  it('rejects a UCP write without UCP indications enabled with ATT 0xFD', async () => {
    const clock = new ManualClock();
    const scale = new WeightScale({ address: ADDR, seed: 1, clock, users: [BEN] });
    const link = await new InMemoryRadio().add(scale).connect(ADDR);
    await scale.connection!.pair();
    await expect(link.write('181c', '2a9f', consent(1, 1111))).rejects.toMatchObject({
      code: 'SIM_ERR_CCCD_IMPROPER',
      att: 0xfd,
    });
  });

  it('rejects a second request while the first response awaits confirmation with ATT 0xFE', async () => {
    const { scale, s } = await setup();
    // Holds the confirmation of the first UCP response only.
    let confirm: (() => void) | undefined;
    scale.connection!.onValue((_s, c) =>
      c === '2a9f' && !confirm
        ? new Promise<void>((resolve) => {
            confirm = resolve;
          })
        : undefined,
    );
    await s.link.write('181c', '2a9f', consent(1, 1111));
    await settle();
    await expect(s.link.write('181c', '2a9f', consent(1, 1111))).rejects.toMatchObject({ att: 0xfe });
    confirm!();
    await settle();
    expect(toHex((await s.control(consent(1, 1111)))!)).toBe('200201');
  });
});

describe('UDS user data characteristics', () => {
  it('refuses reads and writes before consent with ATT 0x80 (User Data Access Not Permitted)', async () => {
    const { s } = await setup();
    for (const chr of ['2a8a', '2a8e', '2a8c', '2a85', '2a99'])
      await expect(s.link.read('181c', chr)).rejects.toMatchObject({
        code: 'SIM_ERR_VALUE_REJECTED',
        att: 0x80,
      });
    await expect(s.link.write('181c', '2a8e', encodeHeightCm(170))).rejects.toMatchObject({ att: 0x80 });
  });

  it('reads and writes the consented user: height, gender, date of birth, name, change increment', async () => {
    const { s } = await setup();
    await s.control(consent(1, 1111));
    expect(decodeHeightCm(await s.link.read('181c', '2a8e'))).toBe(175);
    expect(decodeGender(await s.link.read('181c', '2a8c'))).toBe('unspecified');
    await s.link.write('181c', '2a8e', encodeHeightCm(172));
    await s.link.write('181c', '2a8c', encodeGender('female'));
    await s.link.write('181c', '2a85', encodeDateOfBirth({ year: 1990, month: 2, day: 3 }));
    await s.link.write('181c', '2a8a', FIRST_NAME.encode('Ilse'));
    await s.link.write('181c', '2a99', encodeDatabaseChangeIncrement(5));
    expect(decodeHeightCm(await s.link.read('181c', '2a8e'))).toBe(172);
    expect(decodeGender(await s.link.read('181c', '2a8c'))).toBe('female');
    expect(decodeDateOfBirth(await s.link.read('181c', '2a85'))).toEqual({ year: 1990, month: 2, day: 3 });
    expect(FIRST_NAME.decode(await s.link.read('181c', '2a8a'))).toBe('Ilse');
    expect(decodeDatabaseChangeIncrement(await s.link.read('181c', '2a99'))).toBe(5);
  });

  it('rejects a 3-byte Height with ATT 0x0D and a reserved gender with ATT 0xFF', async () => {
    const { s } = await setup();
    await s.control(consent(1, 1111));
    await expect(s.link.write('181c', '2a8e', Uint8Array.of(1, 2, 3))).rejects.toMatchObject({ att: 0x0d });
    await expect(s.link.write('181c', '2a8c', Uint8Array.of(7))).rejects.toMatchObject({ att: 0xff });
  });

  it('weighs a new user without BMI or BCM until a client writes the height, then with both', async () => {
    const { scale, s } = await setup();
    await s.control(register(4321));
    await s.control(consent(0, 4321));
    scale.step({ user: 0 });
    await settle();
    expect(decodeWeightMeasurement(s.weights[0]!).bmiAndHeight).toBeUndefined();
    expect(s.bodyComposition).toEqual([]);
    await s.link.write('181c', '2a8e', encodeHeightCm(168));
    scale.step({ user: 0 });
    await settle();
    expect(decodeWeightMeasurement(s.weights[1]!).bmiAndHeight?.height).toBe(1.68);
    expect(s.bodyComposition).toHaveLength(3);
  });

  it('forgets consent when the link drops: the next link reads User Index 0xFF', async () => {
    const { scale, radio, s } = await setup();
    await s.control(consent(1, 1111));
    await s.link.disconnect();
    const again = await openUdsSession(radio, scale, { pair: false });
    expect(decodeUserIndex(await again.link.read('181c', '2a9a'))).toBe(0xff);
  });
});
