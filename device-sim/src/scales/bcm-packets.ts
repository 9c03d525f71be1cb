import {
  BCM_DATA_FIELDS,
  type BodyCompositionMeasurement,
  encodeBodyCompositionMeasurement,
} from '@linkwell/firmware-protocol';
import { SimGattError } from '../gatt/errors.js';

export interface SplitOptions {
  /** Bytes one indication can carry: ATT_MTU − 3 (Core Vol 3 Part F §3.4.7.2). */
  maxPayload: number;
  /** Keep the Multiple Packet bit on the last packet too, instead of clearing it to mark the end. */
  lastPacketFlagged?: boolean;
}

const FIELD_BYTES = 2;

/**
 * Splits a Body Composition Measurement that does not fit one indication into several (BCS v1.0 §3.2,
 * Flags bit 12 "Multiple Packet Measurement"). Every packet is a complete BCM on its own: Flags, the mandatory
 * Body Fat, and the Time Stamp and User ID repeated so a receiver can tell back-to-back readings apart; the
 * optional fields follow in wire order, as many per packet as fit.
 *
 * BCS does not say how the last packet is marked. By default it clears bit 12, so a receiver can close the
 * reading without waiting; `lastPacketFlagged` keeps it set, the other reading of the spec, which leaves the
 * receiver to close the group on the next reading or a timeout. firmware-protocol's BodyCompositionAssembler
 * accepts both.
 */
export function splitBodyComposition(m: BodyCompositionMeasurement, opts: SplitOptions): Uint8Array[] {
  const whole = encodeBodyCompositionMeasurement({ ...m, multiplePacket: false });
  if (whole.length <= opts.maxPayload) return [whole];

  const head: BodyCompositionMeasurement = {
    units: m.units,
    bodyFatPercent: m.bodyFatPercent,
    multiplePacket: true,
    ...(m.timestamp ? { timestamp: m.timestamp } : {}),
    ...(m.userId !== undefined ? { userId: m.userId } : {}),
  };
  const perPacket = Math.floor(
    (opts.maxPayload - encodeBodyCompositionMeasurement(head).length) / FIELD_BYTES,
  );
  if (perPacket < 1)
    throw new SimGattError(
      'SIM_ERR_VALUE_REJECTED',
      `an ATT payload of ${opts.maxPayload} bytes cannot hold one Body Composition field`,
    );

  const present = BCM_DATA_FIELDS.filter((f) => m[f.key] !== undefined);
  const packets: BodyCompositionMeasurement[] = [];
  for (let i = 0; i < present.length; i += perPacket) {
    const p: BodyCompositionMeasurement = { ...head };
    for (const f of present.slice(i, i + perPacket)) p[f.key] = m[f.key];
    packets.push(p);
  }
  if (!opts.lastPacketFlagged) packets.at(-1)!.multiplePacket = false;
  return packets.map(encodeBodyCompositionMeasurement);
}
