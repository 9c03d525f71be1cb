import { GatewayError } from '../../errors.js';
import type { CommandContext, CommandOf } from '../context.js';
import { describeFound, findDevice } from '../discover.js';

/**
 * pair: bond with a device and manage it under its profile. A connected device is bonded over its link;
 * any other is looked for in a scan first, so its advertisement decides the profile.
 */
export async function pairOp(cmd: CommandOf<'pair'>, ctx: CommandContext): Promise<Record<string, unknown>> {
  const { devices } = ctx;
  const current = devices.get(cmd.address);
  let profile = current?.connected ? current.profile : undefined;
  let name: string | undefined;
  if (!profile) {
    const found = await findDevice(devices.central, cmd.address, {
      scanMs: ctx.pairScanMs,
      profiles: ctx.profiles,
    });
    if (!found.profile)
      throw new GatewayError('GATEWAY_ERR_UNSUPPORTED', `no profile handles ${describeFound(found)}`);
    profile = found.profile;
    name = found.advertisement.name;
  }
  const withdraw = cmd.passkey ? ctx.passkeys?.offer(cmd.address, cmd.passkey) : undefined;
  let bonded: boolean;
  try {
    bonded = current?.connected
      ? await devices.pair(cmd.address)
      : (await devices.connect(cmd.address, profile, { pair: true })).bonded;
  } finally {
    withdraw?.();
  }
  // An explicit pair is the only way back for a device the household unpaired.
  await ctx.unpaired.remove(cmd.address);
  await ctx
    .publishEvent({ type: 'device.paired', at: ctx.now(), address: cmd.address, profile: profile.id, bonded })
    .catch(() => {});
  return {
    address: cmd.address,
    ...(name !== undefined ? { name } : {}),
    profile: profile.id,
    bonded,
    connected: devices.get(cmd.address)?.connected ?? false,
    // Whether the stack asked for the passkey given; null when none was given or nothing can hand it over.
    passkey_asked: cmd.passkey && ctx.passkeys ? ctx.passkeys.wasAsked(cmd.address) : null,
  };
}
