import {
  currentTimeFromEpochMs,
  dateTimeToEpochMs,
  decodePlxContinuous,
  decodePlxFeatures,
  decodePlxSpotCheck,
  decodeRacp,
  encodeCurrentTime,
  encodeRacp,
  type RacpQuery,
  racpAbort,
  racpReportAll,
  racpReportGreaterOrEqualSequence,
  racpReportNumberOfRecords,
  toHex,
} from '@linkwell/firmware-protocol';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { InMemoryRadio } from '../transport/in-memory.js';
import { PulseOximeter } from './pulse-oximeter.js';

const ADDR = 'D0:00:00:00:00:05';
const T0 = Date.UTC(2026, 3, 1, 9);
const settle = () => new Promise<void>((r) => setImmediate(r));
const seq = (sequenceNumber: number) => ({ filterType: 'sequence_number' as const, sequenceNumber });

function setup(seed = 12) {
  const clock = new ManualClock(T0);
  const oxi = new PulseOximeter({ address: ADDR, seed, clock });
  return { clock, oxi, radio: new InMemoryRadio().add(oxi) };
}

/** Five spot-checks a minute apart, then a central listening to spot-checks and RACP. */
async function withRecords(n = 5) {
  const s = setup();
  for (let i = 0; i < n; i++) {
    s.clock.advance(60_000);
    s.oxi.spotCheck();
  }
  const link = await s.radio.connect(ADDR);
  const records: Uint8Array[] = [];
  const responses: Uint8Array[] = [];
  await link.subscribe('1822', '2a5e', (v) => records.push(v));
  await link.subscribe('1822', '2a52', (v) => responses.push(v));
  const ask = async (frame: Uint8Array) => {
    records.length = 0;
    responses.length = 0;
    await link.write('1822', '2a52', frame);
    await settle();
    return { records: records.map(decodePlxSpotCheck), responses: responses.map(decodeRacp) };
  };
  return { ...s, link, ask };
}

const report = (query: RacpQuery) => encodeRacp({ opCode: 'report_stored_records', query });
const success = (requestOpCode: number) => ({
  opCode: 'response_code',
  requestOpCode,
  responseCode: 'success',
});

describe('PulseOximeter', () => {
  it('notifies continuous readings once a second while subscribed, early estimates first', async () => {
    const { clock, oxi, radio } = setup();
    const link = await radio.connect(ADDR);
    const got: Uint8Array[] = [];
    const off = await link.subscribe('1822', '2a5f', (v) => got.push(v));
    clock.advance(20_000);
    await off();
    clock.advance(10_000);
    expect(got).toHaveLength(20);
    const decoded = got.map(decodePlxContinuous);
    expect(decoded.map((m) => m.measurementStatus!.flags[1])).toEqual([
      ...Array(4).fill('early_estimated_data'),
      ...Array(16).fill('validated_data'),
    ]);
    for (const m of decoded) {
      expect(m.measurementStatus!.flags[0]).toBe('measurement_ongoing');
      expect(m.spo2Percent).toBeGreaterThanOrEqual(90);
      expect(m.spo2Percent).toBeLessThanOrEqual(100);
      expect(m.pulseRateBpm).toBeGreaterThan(45);
      expect(m.pulseAmplitudeIndexPercent).toBeGreaterThan(0);
    }
    expect(
      Math.abs(decoded.reduce((a, m) => a + (m.spo2Percent as number), 0) / 20 - oxi.model.baselineSpo2),
    ).toBeLessThan(1.5);
  });

  it('flags a slipped probe as sensor displaced and questionable while streaming', async () => {
    const { clock, radio } = setup(4);
    const link = await radio.connect(ADDR);
    const got: Uint8Array[] = [];
    await link.subscribe('1822', '2a5f', (v) => got.push(v));
    clock.advance(4 * 3_600_000);
    const decoded = got.map(decodePlxContinuous);
    const displaced = decoded.filter((m) => m.deviceAndSensorStatus!.flags.includes('sensor_displaced'));
    expect(displaced.length).toBeGreaterThan(5);
    expect(displaced.length).toBeLessThan(decoded.length / 20);
    for (const m of displaced)
      expect(m.measurementStatus!.flags).toContain('questionable_measurement_detected');
  });

  it('declares its features and status support masks in PLX Features', async () => {
    const { radio } = setup();
    const link = await radio.connect(ADDR);
    const f = decodePlxFeatures(await link.read('1822', '2a60'));
    expect(f.supportedFeatures.flags).toEqual([
      'measurement_status',
      'device_and_sensor_status',
      'spot_check_measurement_storage',
      'spot_check_timestamp',
      'pulse_amplitude_index',
    ]);
    expect(f.measurementStatusSupport!.flags).toContain('data_from_measurement_storage');
    expect(f.deviceAndSensorStatusSupport!.flags).toEqual(['low_perfusion_detected', 'sensor_displaced']);
    expect((await link.characteristics('1822')).map((c) => [c.uuid, c.properties])).toEqual([
      ['2a5e', ['indicate']],
      ['2a5f', ['notify']],
      ['2a60', ['read']],
      ['2a52', ['write', 'indicate']],
    ]);
  });

  it('indicates a live spot-check, saying the clock is unset until Current Time is written', async () => {
    const { clock, oxi, radio } = setup();
    const link = await radio.connect(ADDR);
    const got: Uint8Array[] = [];
    await link.subscribe('1822', '2a5e', (v) => got.push(v));
    const first = oxi.spotCheck();
    await link.write('1805', '2a2b', encodeCurrentTime(currentTimeFromEpochMs(clock.now())));
    clock.advance(30_000);
    oxi.spotCheck();
    const [before, after] = got.map(decodePlxSpotCheck);
    expect(before).toMatchObject({ deviceClockNotSet: true, spo2Percent: first.value.sample.spo2Percent });
    expect(before!.timestamp!.year).toBe(2000);
    expect(before!.measurementStatus!.flags).toEqual(['validated_data']);
    expect(after!.deviceClockNotSet).toBe(false);
    expect(dateTimeToEpochMs(after!.timestamp!)).toBe(T0 + 30_000);
    expect(oxi.stored).toBe(2);
    expect(first.sequenceNumber).toBe(1);
  });

  it('reports all stored records oldest first, flagged as from storage, then Success', async () => {
    const { oxi, ask } = await withRecords();
    const { records, responses } = await ask(racpReportAll());
    expect(records.map((r) => r.spo2Percent)).toEqual(
      oxi.records.all().map((r) => r.value.sample.spo2Percent),
    );
    // The clock was never set, so the stamps count from 2000-01-01 00:00, a minute apart.
    expect(records.map((r) => [r.timestamp!.year, r.timestamp!.minutes, r.deviceClockNotSet])).toEqual(
      [1, 2, 3, 4, 5].map((k) => [2000, k, true]),
    );
    for (const r of records) expect(r.measurementStatus!.flags).toContain('data_from_measurement_storage');
    expect(responses).toEqual([success(1)]);
    expect(oxi.stored).toBe(5);
  });

  it('selects by sequence number: ≥, ≤, within range, first and last', async () => {
    const { oxi, ask } = await withRecords();
    const spo2 = oxi.records.all().map((r) => r.value.sample.spo2Percent);
    const pulses = oxi.records.all().map((r) => r.value.sample.pulseRateBpm);
    const pick = async (frame: Uint8Array) => (await ask(frame)).records.map((r) => r.pulseRateBpm);
    expect(await pick(racpReportGreaterOrEqualSequence(3))).toEqual(pulses.slice(2));
    expect(await pick(report({ operator: 'less_than_or_equal_to', maximum: seq(2) }))).toEqual(
      pulses.slice(0, 2),
    );
    expect(await pick(report({ operator: 'within_range_of', minimum: seq(2), maximum: seq(4) }))).toEqual(
      pulses.slice(1, 4),
    );
    expect(await pick(report({ operator: 'first_record' }))).toEqual(pulses.slice(0, 1));
    expect(await pick(report({ operator: 'last_record' }))).toEqual(pulses.slice(4));
    expect(spo2).toHaveLength(5);
  });

  it('answers Operator Not Supported for filters when built to serve only what PLXS defines', async () => {
    const clock = new ManualClock(T0);
    const oxi = new PulseOximeter({ address: ADDR, seed: 1, clock, strictRacp: true });
    oxi.spotCheck();
    const link = await new InMemoryRadio().add(oxi).connect(ADDR);
    const responses: string[] = [];
    await link.subscribe('1822', '2a5e', () => {});
    await link.subscribe('1822', '2a52', (v) => responses.push(toHex(v)));
    await link.write('1822', '2a52', racpReportGreaterOrEqualSequence(1));
    await settle();
    await link.write('1822', '2a52', racpReportAll());
    await settle();
    expect(responses).toEqual(['06000104', '06000101']);
  });

  it('counts, deletes and answers No Records Found', async () => {
    const { oxi, ask } = await withRecords();
    expect((await ask(racpReportNumberOfRecords())).responses).toEqual([
      { opCode: 'number_of_stored_records_response', numberOfRecords: 5 },
    ]);
    const count = encodeRacp({
      opCode: 'report_number_of_stored_records',
      query: { operator: 'greater_than_or_equal_to', minimum: seq(4) },
    });
    expect(toHex(count)).toBe('0403010400');
    expect((await ask(count)).responses).toEqual([
      { opCode: 'number_of_stored_records_response', numberOfRecords: 2 },
    ]);
    const del = encodeRacp({
      opCode: 'delete_stored_records',
      query: { operator: 'greater_than_or_equal_to', minimum: seq(4) },
    });
    expect((await ask(del)).responses).toEqual([success(2)]);
    expect(oxi.records.all().map((r) => r.sequenceNumber)).toEqual([1, 2, 3]);
    expect((await ask(racpReportGreaterOrEqualSequence(4))).responses).toEqual([
      { opCode: 'response_code', requestOpCode: 1, responseCode: 'no_records_found' },
    ]);
    const all = encodeRacp({ opCode: 'delete_stored_records', query: { operator: 'all_records' } });
    expect((await ask(all)).responses).toEqual([success(2)]);
    expect(oxi.stored).toBe(0);
    const none = await ask(racpReportAll());
    expect(none.records).toEqual([]);
    expect(toHex(encodeRacp(none.responses[0]!))).toBe('06000106');
  });

  it('answers malformed requests with the RACP response code for each kind of fault', async () => {
    const { ask } = await withRecords(2);
    const code = async (hex: string) => {
      const { responses, records } = await ask(Uint8Array.from(Buffer.from(hex, 'hex')));
      expect(records).toEqual([]);
      return toHex(encodeRacp(responses[0]!));
    };
    expect(await code('0901')).toBe('06000902'); // reserved op code → op code not supported
    expect(await code('0501')).toBe('06000502'); // a response op code sent as a request
    expect(await code('0107')).toBe('06000103'); // reserved operator → invalid operator
    expect(await code('0100')).toBe('06000103'); // report with the null operator
    expect(await code('0301')).toBe('06000303'); // abort must use the null operator
    expect(await code('010302ea07010100000000')).toBe('06000109'); // user-facing-time filter → operand not supported
    expect(await code('010301')).toBe('06000105'); // ≥ without a value → invalid operand
    expect(await code('0101ff')).toBe('06000105'); // "all" takes no operand
    expect(await code('01040105000200')).toBe('06000105'); // within range, min 5 > max 2 → invalid operand
  });

  it('refuses RACP writes unless RACP indications are enabled (ATT 0xFD)', async () => {
    const { radio } = setup();
    const link = await radio.connect(ADDR);
    await expect(link.write('1822', '2a52', racpReportAll())).rejects.toMatchObject({
      code: 'SIM_ERR_CCCD_IMPROPER',
      att: 0xfd,
    });
  });

  it('stops a report on Abort, answers Abort with Success, and refuses other requests meanwhile (ATT 0xFE)', async () => {
    const { clock, oxi } = setup();
    for (let i = 0; i < 4; i++) {
      clock.advance(60_000);
      oxi.spotCheck();
    }
    const conn = oxi.connect('slow-central');
    const confirmations: (() => void)[] = [];
    const seen: { chr: string; bytes: Uint8Array }[] = [];
    conn.onValue((_s, chr, bytes) => {
      seen.push({ chr, bytes });
      return new Promise<void>((r) => confirmations.push(r));
    });
    await conn.setCccd('1822', '2a5e', 'indicate');
    await conn.setCccd('1822', '2a52', 'indicate');
    await conn.write('1822', '2a52', racpReportAll());
    await settle();
    expect(seen.map((s) => s.chr)).toEqual(['2a5e']);
    await expect(conn.write('1822', '2a52', racpReportNumberOfRecords())).rejects.toMatchObject({
      att: 0xfe,
    });
    await conn.write('1822', '2a52', racpAbort());
    confirmations.shift()!();
    await settle();
    expect(seen.map((s) => s.chr)).toEqual(['2a5e', '2a52']);
    expect(decodeRacp(seen[1]!.bytes)).toEqual(success(3));
    confirmations.shift()!();
    await settle();
    expect(oxi.racp.busy).toBe(false);
  });

  it('answers Procedure Not Completed when the central stops listening to spot-checks mid-report', async () => {
    const { ask, link } = await withRecords(3);
    await (await link.subscribe('1822', '2a5e', () => {}))();
    const { records, responses } = await ask(racpReportAll());
    expect(records).toEqual([]);
    expect(responses).toEqual([
      { opCode: 'response_code', requestOpCode: 1, responseCode: 'procedure_not_completed' },
    ]);
  });

  it('gives a byte-identical wire log for the same seed and clock schedule, and a different one for another seed', async () => {
    const session = async (seed: number) => {
      const { clock, oxi, radio } = setup(seed);
      for (let i = 0; i < 3; i++) {
        clock.advance(3_600_000);
        oxi.spotCheck();
      }
      const link = await radio.connect(ADDR);
      await link.subscribe('1822', '2a5e', () => {});
      await link.subscribe('1822', '2a52', () => {});
      await link.subscribe('1822', '2a5f', () => {});
      await link.write('1822', '2a52', racpReportAll());
      await settle();
      clock.advance(60_000);
      oxi.spotCheck();
      await link.read('1822', '2a60');
      return oxi.wire.map((w) => `${w.at} ${w.characteristic} ${w.kind} ${toHex(w.bytes)}`);
    };
    const a = await session(60);
    expect(a.filter((l) => l.includes(' 2a5f '))).toHaveLength(60);
    expect(await session(60)).toEqual(a);
    expect(await session(61)).not.toEqual(a);
  });
});
