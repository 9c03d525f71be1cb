import {
  type AssembledBodyComposition,
  BodyCompositionAssembler,
  bodyCompositionBlock,
  bodyCompositionReading,
  decodeBodyCompositionMeasurement,
} from '@linkwell/firmware-protocol';
import type { DecodedFrame, DeviceFeature } from './types.js';

export interface BcmAssemblyOptions {
  /**
   * A measurement still open this long after its last packet is relayed as it stands, flagged
   * `partial_packet`. Default 2 s; packets of one measurement follow each other within milliseconds.
   */
  timeoutMs?: number;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Multi-packet Body Composition assembly (BCS v1.0 §3.2, Flags bit 12). The profile block decodes each frame
 * on its own, so at the default ATT MTU a scale's 32-byte measurement would become several partial readings.
 * On every link whose profile has that block, this feature feeds the frames through one
 * BodyCompositionAssembler and relays one reading per measurement, whose `raw` is its packets in order. A
 * group the next packet or the last packet does not close (the scale keeps bit 12 on its last packet, or the
 * link dropped mid-measurement) is relayed after `timeoutMs`, or when the link ends, with `partial_packet`:
 * the gateway cannot tell whether fields are missing, and a reading is never dropped.
 */
export function bcmAssemblyFeature(opts: BcmAssemblyOptions = {}): DeviceFeature {
  const timeoutMs = opts.timeoutMs ?? 2000;
  return {
    name: 'bcm-assembly',
    async prepare(s) {
      const block = s.profile.blocks.find((b) => b.id === bodyCompositionBlock.id);
      if (!block) return;
      const assembler = new BodyCompositionAssembler();
      /** Frames of the group the assembler holds, oldest first. */
      let held: Uint8Array[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;

      const decoded = (
        g: AssembledBodyComposition,
        frames: Uint8Array[],
        partial: boolean,
      ): DecodedFrame[] => {
        const reading = bodyCompositionReading({ ...g.measurement, multiplePacket: partial });
        return reading ? [{ reading, raw: concat(frames) }] : [];
      };
      const relayOpenGroup = () => {
        clearTimeout(timer);
        timer = undefined;
        const g = assembler.flush();
        const frames = held;
        held = [];
        if (g) s.deliver(block.id, decoded(g, frames, true));
      };

      s.wrapDecoder(block.id, () => (frame) => {
        const packet = decodeBodyCompositionMeasurement(frame);
        const frames = [...held, frame];
        const out: DecodedFrame[] = [];
        for (const g of assembler.push(packet)) out.push(...decoded(g, frames.splice(0, g.packets), false));
        held = frames;
        clearTimeout(timer);
        timer = undefined;
        if (assembler.pendingPackets > 0) {
          timer = setTimeout(relayOpenGroup, timeoutMs);
          timer.unref?.();
        }
        return out;
      });
      s.addCleanup(relayOpenGroup);
    },
  };
}
