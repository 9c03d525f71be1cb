import {
  currentTimeFromEpochMs,
  dateTimeToEpochMs,
  decodeBloodPressureMeasurement,
  decodePlxSpotCheck,
  decodeRacp,
  decodeTemperatureMeasurement,
  encodeCurrentTime,
  racpReportGreaterOrEqualSequence,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { BloodPressureCuff } from '../devices/bp-cuff.js';
import { PulseOximeter } from '../devices/pulse-oximeter.js';
import { Thermometer } from '../devices/thermometer.js';
import { Wristband } from '../devices/wristband.js';
import type { SimPeripheral } from '../peripheral.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { VITALS_FAULTS } from './vitals.js';

const ADDR = 'D0:00:00:00:00:09';
const T0 = Date.UTC(2026, 4, 4, 10);
const settle = () => new Promise<void>((r) => setImmediate(r));

function fault(name: string) {
  const f = VITALS_FAULTS.find((v) => v.name === name);
  if (!f) throw new Error(`no fault ${name}`);
  return f;
}

/** Builds a device, applies the named fault, and puts it on a radio; `faulty: false` gives the healthy twin. */
async function faulty<D extends SimPeripheral>(build: (clock: ManualClock) => D, name: string, apply = true) {
  const clock = new ManualClock(T0);
  const device = build(clock);
  if (apply) fault(name).apply(device);
  const link = await new InMemoryRadio().add(device).connect(ADDR);
  return { clock, device, link };
}

const cuff = (clock: ManualClock) => new BloodPressureCuff({ address: ADDR, seed: 1, clock });

/** Takes one cuff measurement with the central subscribed and the clock set; returns the 2a35 frame. */
async function cuffMeasurement(name: string, apply = true) {
  const { clock, device, link } = await faulty(cuff, name, apply);
  await link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
  const got: Uint8Array[] = [];
  await link.subscribe('1810', '2a35', (v) => got.push(v));
  device.measure();
  clock.advance(60_000);
  await settle();
  return { device, frame: got[0]!, link };
}

describe('VITALS_FAULTS', () => {
  it('has unique kebab-case names covering every required variant, each citing a spec section', () => {
    const names = VITALS_FAULTS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'bp-cuff-notify-instead-of-indicate',
        'bp-cuff-missing-feature',
        'bp-cuff-wrong-flag-bits',
        'bp-cuff-future-timestamps',
        'thermometer-nan-temperature',
        'pulse-oximeter-racp-ignores-filter',
        'wristband-stalls-mid-connection',
        'wristband-missing-hrm',
      ]),
    );
    for (const f of VITALS_FAULTS) {
      expect(f.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(f.name.startsWith(f.device)).toBe(true);
      expect(f.violates).toMatch(/§\d/);
    }
  });

  it('refuses to apply a fault to the wrong kind of device', () => {
    const band = new Wristband({ address: ADDR, seed: 1, clock: new ManualClock() });
    expect(() => fault('bp-cuff-missing-feature').apply(band)).toThrow(
      expect.objectContaining({ code: 'SIM_ERR_INVALID_OPTION' }),
    );
  });

  it('bp-cuff-notify-instead-of-indicate: 2a35 is declared notify and results go out as notifications', async () => {
    const { device, link } = await cuffMeasurement('bp-cuff-notify-instead-of-indicate');
    const bpm = (await link.characteristics('1810')).find((c) => c.uuid === '2a35');
    expect(bpm?.properties).toEqual(['notify']);
    expect(device.wire.filter((w) => w.characteristic === '2a35').map((w) => w.kind)).toEqual([
      'notification',
    ]);
    const healthy = await cuffMeasurement('bp-cuff-notify-instead-of-indicate', false);
    expect(healthy.device.wire.filter((w) => w.characteristic === '2a35').map((w) => w.kind)).toEqual([
      'indication',
    ]);
  });

  it('bp-cuff-missing-feature: 2a49 is absent from discovery and reads fail', async () => {
    const { link } = await faulty(cuff, 'bp-cuff-missing-feature');
    expect((await link.characteristics('1810')).map((c) => c.uuid)).toEqual(['2a35', '2a36']);
    await expect(link.read('1810', '2a49')).rejects.toMatchObject({ code: 'SIM_ERR_NO_SUCH_CHARACTERISTIC' });
  });

  it('bp-cuff-wrong-flag-bits: the frame claims kPa while the numbers are mmHg', async () => {
    const { device, frame } = await cuffMeasurement('bp-cuff-wrong-flag-bits');
    const truth = device.readings[0]!;
    expect(frame[0]! & 0x01).toBe(1);
    expect(toHex(frame.subarray(1))).toBe(toHex(truth.frame.subarray(1)));
    const m = decodeBloodPressureMeasurement(frame);
    expect(m.unit).toBe('kPa');
    expect(m.systolic).toBe(truth.systolic);
    // Read as kPa, the systolic would be several hundred mmHg.
    expect((m.systolic as number) * 7.50062).toBeGreaterThan(600);
  });

  it('bp-cuff-future-timestamps: stamps are years ahead even after Current Time was written', async () => {
    const { device, frame } = await cuffMeasurement('bp-cuff-future-timestamps');
    const stamped = dateTimeToEpochMs(decodeBloodPressureMeasurement(frame).timestamp!)!;
    expect(new Date(stamped).getUTCFullYear()).toBe(2033);
    expect(stamped - device.readings[0]!.at).toBeGreaterThan(6 * 365 * 86_400_000);
    const healthy = await cuffMeasurement('bp-cuff-future-timestamps', false);
    expect(
      new Date(dateTimeToEpochMs(decodeBloodPressureMeasurement(healthy.frame).timestamp!)!).getUTCFullYear(),
    ).toBe(2026);
  });

  it('thermometer-nan-temperature: the Temperature field is the FLOAT NaN 0x007FFFFF', async () => {
    const { clock, device, link } = await faulty(
      (c) => new Thermometer({ address: ADDR, seed: 1, clock: c }),
      'thermometer-nan-temperature',
    );
    const got: Uint8Array[] = [];
    await link.subscribe('1809', '2a1c', (v) => got.push(v));
    device.measure();
    clock.advance(20_000);
    expect(toHex(got[0]!.subarray(1, 5))).toBe('ffff7f00');
    const m = decodeTemperatureMeasurement(got[0]!);
    expect(m.temperature).toBe('NaN');
    expect(m.timestamp).toBeDefined();
    expect(device.readings[0]!.celsius).toBeGreaterThan(35);
  });

  it('pulse-oximeter-racp-ignores-filter: "≥ sequence 4" returns every stored record', async () => {
    const run = async (apply: boolean) => {
      const { clock, device, link } = await faulty(
        (c) => new PulseOximeter({ address: ADDR, seed: 1, clock: c }),
        'pulse-oximeter-racp-ignores-filter',
        apply,
      );
      for (let i = 0; i < 5; i++) {
        clock.advance(60_000);
        device.spotCheck();
      }
      const records: Uint8Array[] = [];
      const responses: Uint8Array[] = [];
      await link.subscribe('1822', '2a5e', (v) => records.push(v));
      await link.subscribe('1822', '2a52', (v) => responses.push(v));
      records.length = 0;
      await link.write('1822', '2a52', racpReportGreaterOrEqualSequence(4));
      await settle();
      expect(responses.map((r) => decodeRacp(r))).toEqual([
        { opCode: 'response_code', requestOpCode: 1, responseCode: 'success' },
      ]);
      return records.map((r) => decodePlxSpotCheck(r).timestamp!.minutes);
    };
    expect(await run(true)).toEqual([1, 2, 3, 4, 5]);
    expect(await run(false)).toEqual([4, 5]);
  });

  it('wristband-stalls-mid-connection: after four operations requests hang and the link times out', async () => {
    const { clock, link } = await faulty(
      (c) => new Wristband({ address: ADDR, seed: 1, clock: c }),
      'wristband-stalls-mid-connection',
    );
    const reasons: string[] = [];
    link.onDisconnect((r) => reasons.push(r));
    for (let i = 0; i < 4; i++) await link.read('180a', '2a29');
    let settled = false;
    const hung = link.read('180a', '2a29').finally(() => {
      settled = true;
    });
    hung.catch(() => {});
    await settle();
    expect(settled).toBe(false);
    clock.advance(6_000);
    await expect(hung).rejects.toMatchObject({ code: 'SIM_ERR_DISCONNECTED' });
    expect(reasons).toEqual(['connection timeout']);
  });

  it('wristband-missing-hrm: the Heart Rate Service has no 2a37 and subscribing fails', async () => {
    const { device, link } = await faulty(
      (c) => new Wristband({ address: ADDR, seed: 1, clock: c }),
      'wristband-missing-hrm',
    );
    expect(await link.services()).toContain('180d');
    expect((await link.characteristics('180d')).map((c) => c.uuid)).toEqual(['2a38', '2a39']);
    await expect(link.subscribe('180d', '2a37', () => {})).rejects.toMatchObject({
      code: 'SIM_ERR_NO_SUCH_CHARACTERISTIC',
    });
    expect(device.wire.filter((w) => w.characteristic === '2a37')).toEqual([]);
  });
});
