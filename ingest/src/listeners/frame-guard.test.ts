import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guardFrames } from './frame-guard.js';

/** A fixed header (type byte + variable-length remaining length) followed by `length` body bytes. */
function packet(type: number, length: number): Buffer {
  const len: number[] = [];
  let x = length;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    len.push(b);
  } while (x > 0);
  return Buffer.concat([Buffer.from([type, ...len]), Buffer.alloc(length, 0x61)]);
}

/** A stream read the way Aedes reads it ('readable' + read()), with the guard attached after. */
function harness(limits = { firstPacketBytes: 100, packetBytes: 1000 }) {
  const stream = new PassThrough();
  const parsed: Buffer[] = [];
  stream.on('readable', () => {
    for (let c = stream.read(); c !== null; c = stream.read()) parsed.push(c as Buffer);
  });
  const oversize: [number, boolean][] = [];
  const guard = guardFrames(stream, limits, (n, first) => oversize.push([n, first]));
  const feed = async (...chunks: Buffer[]) => {
    for (const c of chunks) {
      if (!stream.destroyed) stream.write(c);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { stream, parsed, oversize, guard, feed };
}

describe('guardFrames', () => {
  it('lets packets up to the limits through, split at any byte, including inside the length', async () => {
    const h = harness();
    const bytes = Buffer.concat([packet(0x10, 100), packet(0x32, 1000), packet(0xc0, 0), packet(0x32, 300)]);
    await h.feed(...Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)));
    expect(h.oversize).toEqual([]);
    expect(h.guard.tripped).toBe(false);
    expect(Buffer.concat(h.parsed).equals(bytes)).toBe(true);
  });

  it('destroys the stream at the header of a packet over the limit, before its body arrives', async () => {
    const h = harness();
    const big = packet(0x32, 300_000);
    await h.feed(packet(0x10, 20), big.subarray(0, 4));
    expect(h.oversize).toEqual([[300_000, false]]);
    expect(h.guard.tripped).toBe(true);
    expect(h.stream.destroyed).toBe(true);
  });

  it('applies the smaller first-packet limit to the CONNECT', async () => {
    const h = harness();
    await h.feed(packet(0x10, 101).subarray(0, 2));
    expect(h.oversize).toEqual([[101, true]]);
  });

  it('trips on the announced length alone (3 bytes of a 256 MiB header), not on bytes received', async () => {
    const h = harness();
    await h.feed(packet(0x10, 10), Buffer.from([0x30, 0xff, 0xff]));
    expect(h.oversize.length).toBe(1);
    expect(h.oversize[0]![0]).toBeGreaterThan(1000);
  });
});
