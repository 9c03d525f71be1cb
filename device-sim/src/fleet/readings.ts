import {
  encodeHeartRateMeasurement,
  encodeReadingsEnvelope,
  heartRateBlock,
  PARSER_VERSION,
  type Reading,
  readingId,
  toHex,
  uuid16,
} from '@linkwell/firmware-protocol';
import { createHeartRateModel, rrFromBpm } from '../physiology/heart-rate.js';
import { createRng } from '../prng.js';
import type { FleetGatewayIdentity } from './identities.js';

const CHAR = uuid16(heartRateBlock.characteristic);
/** Wrists lose skin contact now and then; the gateway flags those readings rather than dropping them. */
const NO_CONTACT_RATE = 0.01;

interface DeviceStream {
  address: string;
  bpm: (atMs: number) => number;
  contact: () => number;
  /** Last reading time; readings of one device never share a millisecond, so none overwrites another. */
  lastT: number;
}

/** Mixes the fleet seed with a position so every device gets its own, reproducible person. */
function deviceSeed(seed: number, gatewayIndex: number, deviceIndex: number): number {
  let h = (seed ^ Math.imul(gatewayIndex + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) ^ Math.imul(deviceIndex + 1, 0xc2b2ae35);
  return (h ^ (h >>> 13)) >>> 0;
}

/**
 * One gateway's outgoing envelopes: wristband heart-rate readings, round-robin over its devices, each from a
 * real 0x2A37 frame decoded by the same block the gateway uses, with the gateway's readingId. `seq` counts
 * envelopes per gateway from 0. Device state is created on first use, so a 10k-gateway fleet that never
 * reaches most devices pays nothing for them.
 */
export class GatewayEnvelopes {
  private readonly streams: (DeviceStream | undefined)[];
  private cursor = 0;
  seq = 0;

  constructor(
    private readonly gateway: FleetGatewayIdentity,
    private readonly seed: number,
    private readonly now: () => number,
  ) {
    this.streams = new Array(gateway.devices.length);
  }

  next(readingsPerMessage: number): string {
    const readings: Reading[] = new Array(readingsPerMessage);
    const receivedAt = this.now();
    for (let r = 0; r < readingsPerMessage; r++) {
      readings[r] = this.reading(this.stream(this.cursor), receivedAt);
      this.cursor = (this.cursor + 1) % this.streams.length;
    }
    return encodeReadingsEnvelope({
      v: 1,
      gw: this.gateway.id,
      seq: this.seq++,
      sent_at: this.now(),
      readings,
    });
  }

  private stream(d: number): DeviceStream {
    let s = this.streams[d];
    if (!s) {
      const seed = deviceSeed(this.seed, this.gateway.index, d);
      const rng = createRng(seed);
      s = {
        address: this.gateway.devices[d]!.address,
        bpm: createHeartRateModel({ seed, restingBpm: 52 + Math.round(rng() * 24) }),
        contact: rng,
        lastT: 0,
      };
      this.streams[d] = s;
    }
    return s;
  }

  private reading(s: DeviceStream, receivedAt: number): Reading {
    // A heart-rate notification has no time stamp: the gateway stamps it on arrival (time_source gateway).
    const t = Math.max(receivedAt, s.lastT + 1);
    s.lastT = t;
    const bpm = s.bpm(t);
    const frame = encodeHeartRateMeasurement({
      heartRateBpm: bpm,
      sensorContact: s.contact() < NO_CONTACT_RATE ? 'not_detected' : 'detected',
      rrIntervals1024: [rrFromBpm(bpm)],
    });
    const decoded = heartRateBlock.decode(frame)[0]!;
    const raw = toHex(frame);
    const gw = this.gateway.id;
    return {
      id: readingId({ gw, device: s.address, slot: null, metric: heartRateBlock.metric, at: t, raw }),
      device: s.address,
      slot: null,
      metric: heartRateBlock.metric,
      char: CHAR,
      t,
      rt: receivedAt,
      time_source: 'gateway',
      values: decoded.values,
      quality: decoded.quality,
      raw,
      parser: PARSER_VERSION,
    };
  }
}
