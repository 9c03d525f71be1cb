import type { CommandContext, CommandOf } from '../context.js';
import { removeBondOf } from '../stale-bond.js';

/**
 * reset (factory reset): every managed device is let go and its bond removed where the central can; the
 * composition root's `wipe` then deletes credentials and state. The gateway stops once this result is sent
 * (command-handler.ts), so it cannot reconnect with credentials it was told to forget.
 */
export async function resetOp(
  _cmd: CommandOf<'reset'>,
  ctx: CommandContext,
): Promise<Record<string, unknown>> {
  const removeBond = removeBondOf(ctx.devices.central);
  const addresses = ctx.devices.list().map((d) => d.address);
  for (const address of addresses) {
    await ctx.devices.forget(address);
    if (removeBond) await removeBond(address);
  }
  if (ctx.wipe) await ctx.wipe();
  return {
    devices_forgotten: addresses.length,
    bonds_removed: removeBond !== undefined,
    state_wiped: ctx.wipe !== undefined,
  };
}
