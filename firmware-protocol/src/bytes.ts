import { ProtocolError } from './errors.js';
import { floatFromRaw, floatToRaw, type MedicalNumber, sfloatFromRaw, sfloatToRaw } from './ieee11073.js';

/**
 * Little-endian cursor over a GATT value. Every read is length-guarded so a short
 * frame becomes PROTO_ERR_TRUNCATED with the offset of the missing field, never a RangeError.
 * (Core Spec Vol 3 Part G §3.3.3: multi-octet GATT fields are little-endian.)
 */
export class ByteReader {
  private pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number, field: string): number {
    if (this.remaining < n) {
      throw new ProtocolError(
        'PROTO_ERR_TRUNCATED',
        `${field} needs ${n} byte(s) but ${this.remaining} remain`,
        this.pos,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.bytes[this.need(1, field)]!;
  }

  u16(field: string): number {
    const at = this.need(2, field);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8);
  }

  u24(field: string): number {
    const at = this.need(3, field);
    return this.bytes[at]! | (this.bytes[at + 1]! << 8) | (this.bytes[at + 2]! << 16);
  }

  u32(field: string): number {
    const at = this.need(4, field);
    return (
      (this.bytes[at]! | (this.bytes[at + 1]! << 8) | (this.bytes[at + 2]! << 16)) +
      this.bytes[at + 3]! * 0x1000000
    );
  }

  /** SFLOAT (IEEE 11073 16-bit), special values as strings. */
  sfloat(field: string): MedicalNumber {
    return sfloatFromRaw(this.u16(field));
  }

  /** FLOAT (IEEE 11073 32-bit), special values as strings. */
  float(field: string): MedicalNumber {
    return floatFromRaw(this.u32(field));
  }

  s8(field: string): number {
    const v = this.u8(field);
    return v >= 0x80 ? v - 0x100 : v;
  }

  /** Ends a frame whose fields are all read: anything left over is PROTO_ERR_WRONG_LENGTH at its offset. */
  end(): void {
    if (this.remaining > 0) {
      throw new ProtocolError(
        'PROTO_ERR_WRONG_LENGTH',
        `${this.remaining} trailing byte(s) after the last flagged field`,
        this.pos,
      );
    }
  }

  take(n: number, field: string): Uint8Array {
    const at = this.need(n, field);
    return this.bytes.subarray(at, at + n);
  }
}

/** Growable little-endian writer used by the encoders. */
export class ByteWriter {
  private readonly out: number[] = [];

  u8(v: number): this {
    this.out.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    this.out.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }

  u24(v: number): this {
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
    return this;
  }

  u32(v: number): this {
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }

  sfloat(v: MedicalNumber): this {
    return this.u16(sfloatToRaw(v));
  }

  float(v: MedicalNumber): this {
    return this.u32(floatToRaw(v));
  }

  raw(b: Uint8Array): this {
    for (const x of b) this.out.push(x);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

export function requireRange(value: number, min: number, max: number, field: string, offset?: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError(
      'PROTO_ERR_OUT_OF_RANGE',
      `${field} must be an integer in ${min}..${max}, got ${value}`,
      offset,
    );
  }
}
