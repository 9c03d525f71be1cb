import { decodeHeartRateMeasurement } from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { Wristband } from './wristband.js';

const ADDR = 'D0:00:00:00:00:01';

async function run(seed: number, seconds: number) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const band = new Wristband({ address: ADDR, seed, clock });
  const link = await new InMemoryRadio().add(band).connect(ADDR);
  const got: number[] = [];
  await link.subscribe('180d', '2a37', (v) => got.push(decodeHeartRateMeasurement(v).heartRateBpm));
  clock.advance(seconds * 1000);
  return { band, got, link, clock };
}

describe('Wristband', () => {
  it('notifies one decodable frame per second while subscribed: 10 frames in 10 s', async () => {
    const { band, got } = await run(42, 10);
    expect(got).toHaveLength(10);
    expect(got).toEqual(band.sent.map((s) => s.bpm));
    expect(band.sent.map((s) => s.at)).toEqual(
      Array.from({ length: 10 }, (_, i) => Date.UTC(2026, 0, 1) + (i + 1) * 1000),
    );
  });

  it('replays the same heart rates for seed 42 and different ones for seed 43', async () => {
    const a = await run(42, 30);
    const b = await run(42, 30);
    const c = await run(43, 30);
    expect(a.got).toEqual(b.got);
    expect(a.got).not.toEqual(c.got);
    for (const bpm of a.got) expect(bpm).toBeGreaterThanOrEqual(35);
  });

  it('stops notifying after the link drops', async () => {
    const { band, link, clock } = await run(1, 3);
    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    await link.disconnect();
    clock.advance(5000);
    expect(band.sent).toHaveLength(3);
    expect(reasons).toEqual(['local host terminated connection']);
    await expect(link.read('180f', '2a19')).rejects.toMatchObject({ code: 'SIM_ERR_DISCONNECTED' });
  });

  it('answers Body Sensor Location with 0x02 (wrist) and battery with 100 %', async () => {
    const { link } = await run(1, 0);
    expect([...(await link.read('180d', '2a38'))]).toEqual([2]);
    expect([...(await link.read('180f', '2a19'))]).toEqual([100]);
  });
});

describe('InMemoryRadio', () => {
  it('filters scan results by advertised service', async () => {
    const clock = new ManualClock();
    const radio = new InMemoryRadio().add(new Wristband({ address: ADDR, seed: 1, clock }));
    expect(await radio.scan({ durationMs: 0, services: ['1810'] })).toEqual([]);
    expect((await radio.scan({ durationMs: 0, services: ['180d'] })).map((r) => r.address)).toEqual([ADDR]);
  });

  it('refuses to connect to an unknown address with SIM_ERR_UNKNOWN_DEVICE', async () => {
    await expect(new InMemoryRadio().connect('AA:AA:AA:AA:AA:AA')).rejects.toMatchObject({
      code: 'SIM_ERR_UNKNOWN_DEVICE',
    });
  });
});
