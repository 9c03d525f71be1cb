import {
  encodeHeartRateMeasurement,
  heartRateBlock,
  PARSER_VERSION,
  readingId,
  toHex,
  uuid16,
} from '@linkwell/firmware-protocol';
import { createHeartRateModel, rrFromBpm } from '../physiology/heart-rate.js';
import { createRng } from '../prng.js';
import type { FleetGatewayIdentity } from './identities.js';

const METRIC = heartRateBlock.metric;
/** Wrists lose skin contact now and then; the gateway flags those readings rather than dropping them. */
const NO_CONTACT_RATE = 0.01;
// Every reading field but these few is the same for the whole fleet, so it is JSON-encoded once.
const FIXED_HEAD = `,"slot":null,"metric":${JSON.stringify(METRIC)},"char":${JSON.stringify(uuid16(heartRateBlock.characteristic))},"t":`;
const FIXED_TAIL = `,"parser":${JSON.stringify(PARSER_VERSION)}}`;
const QUALITY_OK = '[]';
const QUALITY_NO_CONTACT = JSON.stringify(['no_skin_contact']);

interface DeviceStream {
  address: string;
  addressJson: string;
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
 * One gateway's outgoing envelopes: wristband heart-rate readings, round-robin over its devices, each
 * carrying a real 0x2A37 frame, the values the gateway's own block decodes from it and the gateway's
 * readingId. `seq` counts envelopes per gateway from 0. Device state is created on first use, so a
 * 10k-gateway fleet that never reaches most devices pays nothing for them.
 */
export class GatewayEnvelopes {
  private readonly streams: (DeviceStream | undefined)[];
  private cursor = 0;
  private readonly gwJson: string;
  seq = 0;

  constructor(
    private readonly gateway: FleetGatewayIdentity,
    private readonly seed: number,
    private readonly now: () => number,
  ) {
    this.streams = new Array(gateway.devices.length);
    this.gwJson = JSON.stringify(gateway.id);
  }

  /**
   * The envelope as JSON text, byte for byte what encodeReadingsEnvelope would produce for the same
   * readings (a unit test holds it to that). Building the text directly skips an object graph per reading
   * and JSON.stringify's generic walk, which were the fleet's largest CPU cost after the sockets.
   */
  next(readingsPerMessage: number): string {
    const receivedAt = this.now();
    let json = `{"v":1,"gw":${this.gwJson},"seq":${this.seq++},"sent_at":${this.now()},"readings":[`;
    for (let r = 0; r < readingsPerMessage; r++) {
      if (r > 0) json += ',';
      json += this.reading(this.stream(this.cursor), receivedAt);
      this.cursor = (this.cursor + 1) % this.streams.length;
    }
    return `${json}]}`;
  }

  private stream(d: number): DeviceStream {
    let s = this.streams[d];
    if (!s) {
      const seed = deviceSeed(this.seed, this.gateway.index, d);
      const rng = createRng(seed);
      s = {
        address: this.gateway.devices[d]!.address,
        addressJson: JSON.stringify(this.gateway.devices[d]!.address),
        bpm: createHeartRateModel({ seed, restingBpm: 52 + Math.round(rng() * 24) }),
        contact: rng,
        lastT: 0,
      };
      this.streams[d] = s;
    }
    return s;
  }

  private reading(s: DeviceStream, receivedAt: number): string {
    // A heart-rate notification has no time stamp: the gateway stamps it on arrival (time_source gateway).
    const t = Math.max(receivedAt, s.lastT + 1);
    s.lastT = t;
    const bpm = s.bpm(t);
    const contact = s.contact() >= NO_CONTACT_RATE;
    const raw = toHex(
      encodeHeartRateMeasurement({
        heartRateBpm: bpm,
        sensorContact: contact ? 'detected' : 'not_detected',
        rrIntervals1024: [rrFromBpm(bpm)],
      }),
    );
    const id = readingId({ gw: this.gateway.id, device: s.address, slot: null, metric: METRIC, at: t, raw });
    return (
      `{"id":"${id}","device":${s.addressJson}${FIXED_HEAD}${t},"rt":${receivedAt},"time_source":"gateway",` +
      `"values":{"bpm":${bpm}},"quality":${contact ? QUALITY_OK : QUALITY_NO_CONTACT},"raw":"${raw}"${FIXED_TAIL}`
    );
  }
}
