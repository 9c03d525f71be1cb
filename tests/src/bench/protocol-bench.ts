import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRng } from '@linkwell/device-sim';
import {
  CODECS,
  decodeHeartRateMeasurement,
  encodeHeartRateMeasurement,
  parseReadingsEnvelope,
  readingId,
} from '@linkwell/firmware-protocol';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';

/** Runs `fn` repeatedly for about `ms` and returns operations per second (after a short warm-up). */
function opsPerSecond(fn: (i: number) => unknown, ms = 1000): number {
  for (let i = 0; i < 10_000; i++) fn(i);
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10_000; i++) fn(n + i);
    n += 10_000;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

export function runProtocolBench(log: (line: string) => void) {
  const frames = [
    Uint8Array.of(0x06, 72),
    Uint8Array.of(0x1e, 0x55, 0x32, 0x00, 0x21, 0x00),
    Uint8Array.of(0x1f, 0x01, 0x01, 0x32, 0x01, 0x01, 0x00, 0x02, 0x01, 0xff, 0xff),
  ];
  let sink = 0;
  // Baseline: touching the same bytes with no parsing, the floor any decoder pays.
  const baseline = opsPerSecond((i) => {
    const f = frames[i % 3]!;
    sink += f[0]! + f[1]!;
  });
  const decode = opsPerSecond((i) => {
    sink += decodeHeartRateMeasurement(frames[i % 3]!).heartRateBpm;
  });
  const m = {
    heartRateBpm: 85,
    sensorContact: 'detected' as const,
    energyExpendedKj: 50,
    rrIntervals1024: [33, 800],
  };
  const encode = opsPerSecond(() => {
    sink += encodeHeartRateMeasurement(m).length;
  });

  const readings = Array.from({ length: 50 }, (_, r) => ({
    id: readingId({
      gw: 'gw_b',
      device: 'D0:00:00:00:00:01',
      slot: null,
      metric: 'heart_rate',
      at: r,
      raw: '0648',
    }),
    device: 'D0:00:00:00:00:01',
    slot: null,
    metric: 'heart_rate',
    char: '2a37',
    t: 1_700_000_000_000 + r,
    rt: 1_700_000_000_000 + r,
    time_source: 'gateway',
    values: { bpm: 72 },
    quality: [],
    raw: '0648',
    parser: 'fp/0.1.0',
  }));
  const payload = JSON.stringify({ v: 1, gw: 'gw_b', seq: 1, sent_at: 1, readings });
  const jsonOnly =
    opsPerSecond(() => {
      sink += (JSON.parse(payload) as { seq: number }).seq;
    }, 1000) * 50;
  const parseValidate =
    opsPerSecond(() => {
      sink += parseReadingsEnvelope(payload).seq;
    }, 1000) * 50;
  // JSON versus one binary option for the envelope (docs/wire-format.md records the choice).
  const envObject = JSON.parse(payload) as unknown;
  const cborBytes = cborEncode(envObject);
  const jsonEncode =
    opsPerSecond(() => {
      sink += JSON.stringify(envObject).length;
    }, 500) * 50;
  const cborEncodeRate =
    opsPerSecond(() => {
      sink += cborEncode(envObject).length;
    }, 500) * 50;
  const cborDecodeRate =
    opsPerSecond(() => {
      sink += (cborDecode(cborBytes) as { seq: number }).seq;
    }, 500) * 50;
  if (sink === 42) log(''); // keeps the work observable so it is not optimised away

  const out = {
    hrm_decode_per_s: Math.round(decode),
    hrm_decode_vs_byte_touch_baseline: Number((decode / baseline).toFixed(3)),
    hrm_encode_per_s: Math.round(encode),
    envelope_parse_validate_readings_per_s: Math.round(parseValidate),
    envelope_json_parse_only_readings_per_s: Math.round(jsonOnly),
    envelope_validation_ratio: Number((parseValidate / jsonOnly).toFixed(3)),
    envelope_bytes_per_reading: Math.round(payload.length / 50),
    json_encode_readings_per_s: Math.round(jsonEncode),
    cbor_encode_readings_per_s: Math.round(cborEncodeRate),
    cbor_decode_readings_per_s: Math.round(cborDecodeRate),
    cbor_bytes_per_reading: Math.round(cborBytes.length / 50),
  };
  return { summary: out, perCodec: perCodecDecode() };
}

/** Valid public vector frames per UUID, when shared/ sits beside the repository. */
function vectorFrames(): Map<string, Uint8Array[]> {
  const file = fileURLToPath(
    new URL('../../../../shared/protocol-vectors/public-vectors.json', import.meta.url),
  );
  const out = new Map<string, Uint8Array[]>();
  if (!existsSync(file)) return out;
  for (const v of JSON.parse(readFileSync(file, 'utf8')) as {
    characteristic: string;
    hex: string;
    expected: { valid: boolean };
  }[]) {
    if (v.expected.valid)
      out.set(v.characteristic, [
        ...(out.get(v.characteristic) ?? []),
        Uint8Array.from(Buffer.from(v.hex, 'hex')),
      ]);
  }
  return out;
}

/**
 * Decode rate of every registered codec on frames it accepts: the public vectors' valid frames, plus frames
 * found by a seeded random search for codecs the vectors do not cover.
 */
function perCodecDecode(): Record<string, number | string> {
  const fromVectors = vectorFrames();
  const rand = createRng(7);
  const next = () => Math.floor(rand() * 256);
  const out: Record<string, number | string> = {};
  for (const c of CODECS.values()) {
    const frames: Uint8Array[] = [...(fromVectors.get(c.uuid) ?? [])];
    for (let tries = 0; tries < 200_000 && frames.length < 4; tries++) {
      const f = Uint8Array.from({ length: 1 + (next() % 20) }, next);
      try {
        c.decode(f);
        frames.push(f);
      } catch {
        // not a valid frame for this codec
      }
    }
    if (frames.length === 0) {
      out[`${c.uuid} ${c.name}`] = 'no sample frame';
      continue;
    }
    let sink = 0;
    out[`${c.uuid} ${c.name}`] = Math.round(
      opsPerSecond((i) => {
        sink += c.decode(frames[i % frames.length]!) ? 1 : 0;
      }, 200),
    );
    if (sink < 0) out.never = 0;
  }
  return out;
}
