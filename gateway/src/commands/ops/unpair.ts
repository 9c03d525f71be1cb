import { type CommandContext, type CommandOf, managed } from '../context.js';
import { removeBondOf } from '../stale-bond.js';

/**
 * unpair: disconnect, stop managing (no reconnects, not even after a restart: the address is remembered)
 * and remove the bond where the central can.
 */
export async function unpairOp(
  cmd: CommandOf<'unpair'>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  const device = managed(ctx, cmd.address);
  // Remembered first: if that write fails, nothing has changed and the command fails with its code.
  await ctx.unpaired.add(cmd.address);
  await ctx.devices.forget(cmd.address);
  const removeBond = removeBondOf(ctx.devices.central);
  if (removeBond) await removeBond(cmd.address);
  await ctx.publishEvent({ type: 'device.unpaired', at: ctx.now(), address: cmd.address }).catch(() => {});
  return {
    address: cmd.address,
    profile: device.profile.id,
    was_connected: device.connected,
    bond_removed: removeBond !== undefined,
  };
}
