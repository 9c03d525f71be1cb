import { BCM_DATA_FIELDS, type BodyCompositionMeasurement } from './body-composition.js';

/** One whole Body Composition reading, merged from `packets` indications. */
export interface AssembledBodyComposition {
  /** The merged fields; `multiplePacket` is false because the reading is now complete. */
  measurement: BodyCompositionMeasurement;
  packets: number;
}

/**
 * Merges the packets of a multi-packet Body Composition Measurement (flags bit 12) into one reading. Use one
 * assembler per device; it is pure (no timers, no I/O).
 *
 * BCS v1.0 says a measurement too long for the ATT MTU is split into several self-describing BCM packets with
 * bit 12 set, each carrying the mandatory Body Fat field, but it does not say how the last packet is marked, and
 * no public capture exists (openScale logs the case as unsupported). So the rule below works whether or not the
 * last packet keeps bit 12:
 *
 * 1. A packet **joins** the pending group when it uses the same units, does not repeat any data field the group
 *    already holds (Basal Metabolism … Height), and does not name a different User ID. Time Stamp, User ID and
 *    Body Fat may repeat: the first packet that carries one wins (later packets of one measurement repeat them).
 * 2. A packet that does **not** join closes the pending group, which is emitted as it stands; the packet then
 *    starts afresh. This is what separates back-to-back stored records.
 * 3. A joining packet **without** bit 12 closes the group with itself included (it is the last packet); with no
 *    group pending it is an ordinary single-frame reading and is emitted at once.
 * 4. A packet with bit 12 stays pending until rule 2 or 3 fires, or until `flush()`. Call `flush()` when the
 *    indication stream ends (disconnect, RACP/UCP procedure complete, or an idle timeout the caller owns).
 */
export class BodyCompositionAssembler {
  private pending: AssembledBodyComposition | undefined;

  /** Feeds one decoded packet and returns the readings it completed, oldest first (0, 1 or 2 of them). */
  push(packet: BodyCompositionMeasurement): AssembledBodyComposition[] {
    const done: AssembledBodyComposition[] = [];
    if (this.pending && !joins(this.pending.measurement, packet)) done.push(this.take()!);
    if (this.pending) {
      this.pending = {
        measurement: merge(this.pending.measurement, packet),
        packets: this.pending.packets + 1,
      };
    } else {
      this.pending = { measurement: { ...packet, multiplePacket: false }, packets: 1 };
    }
    if (!packet.multiplePacket) done.push(this.take()!);
    return done;
  }

  /** Emits the pending group, if any. */
  flush(): AssembledBodyComposition | undefined {
    return this.take();
  }

  /** Packets held back so far (0 when nothing is pending). */
  get pendingPackets(): number {
    return this.pending?.packets ?? 0;
  }

  private take(): AssembledBodyComposition | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }
}

function joins(group: BodyCompositionMeasurement, packet: BodyCompositionMeasurement): boolean {
  if (group.units !== packet.units) return false;
  if (group.userId !== undefined && packet.userId !== undefined && group.userId !== packet.userId)
    return false;
  return BCM_DATA_FIELDS.every((f) => group[f.key] === undefined || packet[f.key] === undefined);
}

function merge(
  group: BodyCompositionMeasurement,
  packet: BodyCompositionMeasurement,
): BodyCompositionMeasurement {
  const out: BodyCompositionMeasurement = { ...group };
  if (out.timestamp === undefined && packet.timestamp !== undefined) out.timestamp = packet.timestamp;
  if (out.userId === undefined && packet.userId !== undefined) out.userId = packet.userId;
  for (const f of BCM_DATA_FIELDS) {
    const v = packet[f.key];
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}
