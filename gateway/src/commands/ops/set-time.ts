import { currentTimeFromEpochMs, decodeCurrentTime, encodeCurrentTime } from '@linkwell/firmware-protocol';
import { GatewayError } from '../../errors.js';
import { rawDateTimeMs } from '../../features/time-sync.js';
import { type CommandContext, type CommandOf, managed } from '../context.js';
import { errorBody } from '../parse.js';

const CTS = '1805';
const CURRENT_TIME = '2a2b';

/**
 * Writes gateway time to the device's Current Time (CTS 0x2A2B, write with response), as the time-sync
 * feature does on connect, after reading the old time when readable; `offset_ms` is gateway minus device
 * time (null when unreadable). Throws GATEWAY_ERR_UNSUPPORTED when the device has no writable Current Time.
 */
async function setTime(
  ctx: CommandContext,
  address: string,
): Promise<{ address: string; offset_ms: number | null }> {
  const link = ctx.devices.link(address);
  if (!link) throw new GatewayError('GATEWAY_ERR_NOT_CONNECTED', `${address} is not connected`);
  const ct = (await link.characteristics(CTS).catch(() => [])).find((c) => c.uuid === CURRENT_TIME);
  if (!ct?.properties.includes('write'))
    throw new GatewayError('GATEWAY_ERR_UNSUPPORTED', `${address} has no writable Current Time (0x2A2B)`);
  try {
    let deviceMs: number | undefined;
    if (ct.properties.includes('read')) {
      const read = decodeCurrentTime(await link.read(CTS, CURRENT_TIME));
      const whole = rawDateTimeMs(read.dateTime);
      deviceMs = whole === undefined ? undefined : whole + Math.floor((read.fractions256 * 1000) / 256);
    }
    const at = ctx.now();
    await link.write(CTS, CURRENT_TIME, encodeCurrentTime(currentTimeFromEpochMs(at)), {
      withResponse: true,
    });
    const offsetMs = deviceMs === undefined ? null : at - deviceMs;
    ctx.bus.emit('device.time_synced', { address, offsetMs });
    return { address, offset_ms: offsetMs };
  } catch (err) {
    throw new GatewayError('GATEWAY_ERR_TIME_SYNC_FAILED', `${address}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** set_time: one device (which must be connected), or every connected device that has a writable Current Time. */
export async function setTimeOp(
  cmd: CommandOf<'set_time'>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  if (cmd.address) {
    managed(ctx, cmd.address);
    return setTime(ctx, cmd.address);
  }
  const devices: { address: string; offset_ms: number | null }[] = [];
  const skipped: string[] = [];
  const failed: { address: string; error: { code: string; message: string } }[] = [];
  for (const d of ctx.devices.list().filter((x) => x.connected)) {
    try {
      devices.push(await setTime(ctx, d.address));
    } catch (e) {
      if ((e as GatewayError).code === 'GATEWAY_ERR_UNSUPPORTED') skipped.push(d.address);
      else failed.push({ address: d.address, error: errorBody(e) });
    }
  }
  return { devices, skipped, failed };
}
