import {
  isProtocolError,
  metricDefinition,
  parseReadingsEnvelope,
  ReadingSchema,
  ReadingsEnvelopeSchema,
} from '@linkwell/firmware-protocol';
import { heartRateReading } from '../readings.js';

/** Deterministic PRNG (mulberry32) so a failing run can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}
export type Rng = ReturnType<typeof prng>;

/** A valid one-reading envelope: a plausible heart rate of `device`, distinct per `i`. */
export function validEnvelope(gw: string, device: string, i: number): Record<string, unknown> {
  const reading = heartRateReading(gw, device, i);
  return { v: 1, gw, seq: i, sent_at: reading.t, readings: [reading] };
}

/**
 * Whether ingest must answer the payload with exactly one dead-letter entry: the envelope is refused as a
 * whole (not JSON, not the v1 schema, another gateway's id), or its single reading is implausible. The
 * readings handler's rules restated, so that a payload it would store or hold is never sent as a rejection.
 */
export function rejectedOnce(payload: Buffer, gw: string): boolean {
  let env: ReturnType<typeof parseReadingsEnvelope>;
  try {
    env = parseReadingsEnvelope(payload);
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    return true;
  }
  if (env.gw !== gw) return true;
  if (env.readings.length !== 1) return false;
  const r = env.readings[0]!;
  const def = metricDefinition(r.metric);
  if (!def) return true;
  return Object.entries(r.values).some(([k, v]) => {
    const f = def.fields[k];
    return !f || !Number.isFinite(v) || v < f.plausible.min || v > f.plausible.max;
  });
}

type Mutation = (env: Record<string, unknown>, r: Record<string, unknown>, rng: Rng) => void;

/** Structural mutations of a valid envelope, each aimed at one rule of the schema or of the handler. */
const STRUCTURAL: readonly Mutation[] = [
  (env, _r, rng) => {
    delete env[rng.pick(ReadingsEnvelopeSchema.required)];
  },
  (_env, r, rng) => {
    delete r[rng.pick(ReadingSchema.required)];
  },
  (env) => {
    env.v = 2;
  },
  (env, _r, rng) => {
    env.gw = rng.pick(['gw_other', 'gw-x', 'a'.repeat(64), 'gw/+', '', 'gw#', 'a'.repeat(65), 42, null]);
  },
  (env) => {
    env.readings = [];
  },
  (env) => {
    env.readings = Array.from({ length: 1001 }, () => ({}));
  },
  (env, _r, rng) => {
    env[rng.pick(['extra', 'constructor', 'account'])] = { polluted: true };
  },
  (_env, r, rng) => {
    r[rng.pick(['extra', 'account', 'user_id'])] = 'acct_someone_else';
  },
  (_env, r, rng) => {
    r.id = rng.pick(['', 'XYZ', '0123456789ABCDEF', '0'.repeat(17), 12]);
  },
  (_env, r, rng) => {
    r.device = rng.pick(['d0:00:00:00:00:01', 'D0-00-00-00-00-01', '', "'; DROP TABLE devices; --"]);
  },
  (_env, r, rng) => {
    r.slot = rng.pick([-1, 256, 1.5, '1', true]);
  },
  (_env, r, rng) => {
    r.metric = rng.pick(['Heart_rate', 'heart rate', 'x'.repeat(65), '', 'hr,account=acct_demo']);
  },
  (_env, r, rng) => {
    r.metric = rng.pick(['unknown_metric', 'cpu_load', 'heart_rate_v2']);
  },
  (_env, r, rng) => {
    r.values = { bpm: rng.pick([0, 19.9, 300.1, 1e6, -72]) };
  },
  (_env, r, rng) => {
    r.values = { [rng.pick(['bogus', 'steps', 'spo2'])]: 72 };
  },
  (_env, r, rng) => {
    r.values = rng.pick([{ bpm: '72' }, { bpm: null }, { BPM: 72 }, [72], 'bpm=72', { 'bpm x': 72 }]);
  },
  (_env, r, rng) => {
    r[rng.pick(['t', 'rt'])] = rng.pick([-1, 1.5, '1764136800000', null]);
  },
  (env, _r, rng) => {
    env[rng.pick(['seq', 'sent_at'])] = rng.pick([-1, 0.5, '7', null]);
  },
  (_env, r, rng) => {
    r.time_source = rng.pick(['server', '', null]);
  },
  (_env, r, rng) => {
    r.quality = rng.pick([Array.from({ length: 33 }, () => 'ok'), ['Bad Flag'], 'ok', [1]]);
  },
  (_env, r, rng) => {
    r.raw = rng.pick(['abc', 'ZZ', 'a'.repeat(1026), 42]);
  },
  (_env, r) => {
    r.parser = 'p'.repeat(65);
  },
  (_env, r) => {
    r.orig_unit = 'u'.repeat(33);
  },
  (_env, r) => {
    r.char = '2A37';
  },
];

/** Payloads that are not an envelope at all. */
function junk(rng: Rng, valid: () => string): Buffer {
  switch (rng.int(6)) {
    case 0:
      return Buffer.from(Array.from({ length: rng.int(600) }, () => rng.int(256)));
    case 1:
      return Buffer.from(rng.pick(['', 'null', '[]', '{}', '"readings"', '1e309', 'true', '\u0000']));
    case 2: {
      const depth = 1000 + rng.int(5000);
      return Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    }
    case 3:
      return Buffer.from(`{"v":1,"readings":[${'{},'.repeat(rng.int(50))}{}]}`);
    case 4:
      return Buffer.from(valid().replace(/"/g, "'"));
    default:
      return Buffer.from(`${valid()}${rng.pick(['}', ',', ' x', '\u0000'])}`);
  }
}

export type FuzzKind = 'junk' | 'truncated' | 'bytes' | 'structural';

/**
 * The i-th fuzzed readings payload for gateway `gw`, one that ingest must dead-letter exactly once:
 * random junk (15 %), a valid envelope cut short (10 %), random byte changes (30 %), or a structural
 * mutation (45 %). Candidates that happen to stay acceptable are drawn again.
 */
export function fuzzedPayload(
  rng: Rng,
  gw: string,
  device: string,
  i: number,
): { payload: Buffer; kind: FuzzKind } {
  const valid = () => JSON.stringify(validEnvelope(gw, device, i));
  for (;;) {
    const roll = rng.next();
    let payload: Buffer;
    let kind: FuzzKind;
    if (roll < 0.15) {
      payload = junk(rng, valid);
      kind = 'junk';
    } else if (roll < 0.25) {
      const text = Buffer.from(valid());
      payload = text.subarray(0, rng.int(text.length));
      kind = 'truncated';
    } else if (roll < 0.55) {
      payload = Buffer.from(valid());
      for (let n = 1 + rng.int(8); n > 0; n--) payload[rng.int(payload.length)] = rng.int(256);
      kind = 'bytes';
    } else {
      const env = validEnvelope(gw, device, i);
      rng.pick(STRUCTURAL)(env, (env.readings as Record<string, unknown>[])[0]!, rng);
      payload = Buffer.from(JSON.stringify(env));
      kind = 'structural';
    }
    if (rejectedOnce(payload, gw)) return { payload, kind };
  }
}
