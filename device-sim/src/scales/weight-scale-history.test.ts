import { codecFor, decodeWeightMeasurement, toHex } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { openUdsSession, settle } from './uds-session.js';
import { WeightScale, type WeightScaleOptions } from './weight-scale.js';

const ADDR = 'D0:5C:A1:E0:00:03';
const DAY = 86_400_000;
const UCP = codecFor('2a9f');
const consent = (userIndex: number, consentCode: number) =>
  UCP.encode({ opCode: 'consent', userIndex, consentCode });
const CARL = { index: 0, consent: 100, weightKg: 92, heightCm: 186 };
const DORA = { index: 1, consent: 200, weightKg: 58, heightCm: 162 };

function scaleWith(extra: Partial<WeightScaleOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 4, 1, 6));
  const scale = new WeightScale({
    address: ADDR,
    seed: 11,
    clock,
    unsuccessfulRate: 0,
    unsetClock: false,
    users: [CARL, DORA],
    ...extra,
  });
  return { clock, scale, radio: new InMemoryRadio().add(scale) };
}

/** Carl weighs on three mornings, Dora on two, with nobody connected. */
function weighOffline(clock: ManualClock, scale: WeightScale): void {
  for (let day = 0; day < 3; day++) {
    scale.step({ user: 0 });
    if (day < 2) scale.step({ user: 1 });
    clock.advance(DAY);
  }
}

describe('WeightScale history replay', () => {
  it('replays only the consented user, oldest first, and then forgets what was confirmed', async () => {
    const { clock, scale, radio } = scaleWith();
    weighOffline(clock, scale);
    expect(scale.storedReadings(0)).toHaveLength(3);
    expect(scale.storedReadings(1)).toHaveLength(2);

    const s = await openUdsSession(radio, scale);
    await s.control(consent(0, 100));
    await settle();
    const got = s.weights.map(decodeWeightMeasurement);
    expect(got.map((w) => w.userId)).toEqual([0, 0, 0]);
    expect(got.map((w) => w.timestamp?.day)).toEqual([1, 2, 3]);
    expect(got.map((w) => w.weight)).toEqual(
      scale.taken.filter((t) => t.userId === 0).map((t) => t.weightKg),
    );
    expect(s.bodyComposition).toHaveLength(9);
    expect(scale.storedReadings(0)).toEqual([]);
    expect(scale.storedReadings(1)).toHaveLength(2);
  });

  it('answers Consent before the first replayed reading', async () => {
    const { clock, scale, radio } = scaleWith();
    weighOffline(clock, scale);
    const s = await openUdsSession(radio, scale);
    await s.control(consent(1, 200));
    await settle();
    const order = scale.wire
      .filter((r) => r.kind === 'indication')
      .map((r) => r.characteristic)
      .slice(0, 3);
    expect(order).toEqual(['2a9f', '2a9d', '2a9c']);
  });

  it('waits for the weight CCCD: consent first, replay once indications are enabled', async () => {
    const { clock, scale, radio } = scaleWith();
    weighOffline(clock, scale);
    const link = await radio.connect(ADDR);
    await scale.connection!.pair();
    const ucp: string[] = [];
    await link.subscribe('181c', '2a9f', (v) => ucp.push(toHex(v)));
    await link.write('181c', '2a9f', consent(1, 200));
    await settle();
    expect(ucp).toEqual(['200201']);
    expect(scale.storedReadings(1)).toHaveLength(2);
    const weights: Uint8Array[] = [];
    await link.subscribe('181d', '2a9d', (v) => weights.push(v));
    await settle();
    expect(weights.map((w) => decodeWeightMeasurement(w).userId)).toEqual([1, 1]);
    expect(scale.storedReadings(1)).toEqual([]);
  });

  it('keeps a reading whose indication was never confirmed and replays it on the next link', async () => {
    const { clock, scale, radio } = scaleWith();
    weighOffline(clock, scale);
    const s = await openUdsSession(radio, scale);
    // A central that stops confirming after the consent response, then walks away.
    scale.connection!.onValue((_s, c) => (c === '2a9d' ? new Promise<void>(() => {}) : undefined));
    await s.control(consent(0, 100));
    await settle();
    expect(s.weights).toHaveLength(1);
    expect(scale.storedReadings(0)).toHaveLength(3);
    radio.dropLink(ADDR);
    await settle();
    expect(scale.storedReadings(0)).toHaveLength(3);

    const again = await openUdsSession(radio, scale, { pair: false });
    await again.control(consent(0, 100));
    await settle();
    expect(again.weights.map((w) => decodeWeightMeasurement(w).timestamp?.day)).toEqual([1, 2, 3]);
    expect(scale.storedReadings(0)).toEqual([]);
  });

  it('stores a reading for another user while someone else is consented, without sending it', async () => {
    const { scale, radio } = scaleWith();
    const s = await openUdsSession(radio, scale);
    await s.control(consent(0, 100));
    scale.step({ user: 1 });
    await settle();
    expect(s.weights).toEqual([]);
    expect(scale.storedReadings(1)).toHaveLength(1);
  });

  it('keeps at most historyLimit readings per user, dropping the oldest', async () => {
    const { clock, scale } = scaleWith({ historyLimit: 2 });
    weighOffline(clock, scale);
    expect(scale.storedReadings(0).map((m) => m.timestamp.day)).toEqual([2, 3]);
  });
});
