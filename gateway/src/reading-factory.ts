import {
  type BlockReading,
  isProtocolError,
  type MeasurementBlock,
  PARSER_VERSION,
  type Reading,
  readingId,
  toHex,
  uuid16,
} from '@linkwell/firmware-protocol';

/** The `frame.rejected` event for a frame a block could not decode: where it came from, the code, the bytes. */
export function rejectedFrame(address: string, block: MeasurementBlock, frame: Uint8Array, err: unknown) {
  return {
    address,
    characteristic: uuid16(block.characteristic),
    code: isProtocolError(err) ? err.code : 'GATEWAY_ERR_BAD_FRAME',
    ...(isProtocolError(err) && err.offset !== undefined ? { offset: err.offset } : {}),
    raw: toHex(frame),
    message: (err as Error).message,
  };
}

/**
 * Turns a decoded block reading into a wire reading. Without a device time stamp the gateway's receive
 * time is the measurement time, and `time_source` says so.
 */
export function toWireReading(
  gw: string,
  address: string,
  block: MeasurementBlock,
  decoded: BlockReading,
  frame: Uint8Array,
  receivedAt: number,
): Reading {
  const raw = toHex(frame);
  const t = decoded.deviceTime ?? receivedAt;
  return {
    id: readingId({ gw, device: address, slot: decoded.slot, metric: block.metric, at: t, raw }),
    device: address,
    slot: decoded.slot,
    metric: block.metric,
    char: uuid16(block.characteristic),
    t,
    rt: receivedAt,
    time_source: decoded.deviceTime === undefined ? 'gateway' : 'device',
    values: decoded.values,
    ...(decoded.origUnit ? { orig_unit: decoded.origUnit } : {}),
    quality: decoded.quality,
    raw,
    parser: PARSER_VERSION,
  };
}

/** Recomputes a reading's idempotency id after a feature changed its time or slot. */
export function rekeyReading(gw: string, r: Reading): Reading {
  return {
    ...r,
    id: readingId({ gw, device: r.device, slot: r.slot, metric: r.metric, at: r.t, raw: r.raw }),
  };
}
