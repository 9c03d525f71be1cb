import type { Duplex } from 'node:stream';

const trippedStreams = new WeakSet<object>();

/** True once the guard closed this connection; the broker then stores nothing more parsed from it. */
export function frameGuardTripped(stream: object): boolean {
  return trippedStreams.has(stream);
}

export interface FrameLimits {
  /** Largest remaining length of the first packet (the CONNECT). */
  firstPacketBytes: number;
  /** Largest remaining length of every later packet. */
  packetBytes: number;
}

/**
 * Tracks MQTT fixed headers in the bytes a connection delivers and destroys the connection as soon as a
 * header announces a packet over the limit, i.e. after at most 5 bytes of it. mqtt-packet (Aedes' parser)
 * has no size limit and would buffer up to the protocol's 256 MiB before parsing.
 *
 * It listens to 'data' on a stream Aedes reads through 'readable': Node then emits 'data' from inside each
 * `read()`, before Aedes parses that chunk, so the guard sees every byte first. Call it after
 * `aedes.handle(stream)`; attached earlier, the listener would switch the stream to flowing mode.
 * The chunk that carried the header still reaches the parser (at most one read, not the packet), so the
 * broker also refuses any publish from a connection the guard has tripped on (`frameGuardTripped`).
 * `onOversize` gets the announced length, or a lower bound of it when the header was cut by a read.
 */
export function guardFrames(
  stream: Duplex,
  limits: FrameLimits,
  onOversize: (announcedBytes: number, first: boolean) => void,
): { readonly tripped: boolean } {
  let first = true;
  let state: 'header' | 'length' | 'body' | 'off' = 'header';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  const status = { tripped: false };

  const onData = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length && state !== 'off') {
      if (state === 'body') {
        const n = Math.min(remaining, chunk.length - i);
        remaining -= n;
        i += n;
        if (remaining === 0) state = 'header';
      } else if (state === 'header') {
        i += 1;
        state = 'length';
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
      } else {
        const b = chunk[i]!;
        i += 1;
        length += (b & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes += 1;
        const complete = (b & 0x80) === 0;
        // Later length bytes only add to the value: a partial length over the limit at the end of a chunk
        // is already final, and the connection is not kept open to learn the rest.
        if (
          (complete || i === chunk.length) &&
          length > (first ? limits.firstPacketBytes : limits.packetBytes)
        ) {
          status.tripped = true;
          trippedStreams.add(stream);
          state = 'off';
          stream.off('data', onData);
          onOversize(length, first);
          stream.destroy();
          return;
        }
        if (complete) {
          first = false;
          remaining = length;
          state = length === 0 ? 'header' : 'body';
        } else if (lengthBytes === 4) {
          // A fifth length byte is malformed; the parser reports it and Aedes closes the connection.
          state = 'off';
          stream.off('data', onData);
        }
      }
    }
  };
  stream.on('data', onData);
  return status;
}
