import type { Reading } from '@linkwell/firmware-protocol';
import { type CommandContext, type CommandOf, managed } from '../context.js';
import type { ManagedDevice } from '../device-control.js';
import { errorBody } from '../parse.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reconnects one device and counts the readings it delivers until it has been quiet for `syncQuietMs`
 * (capped at `syncMaxMs`). A fresh link is what makes devices replay: stored records are sent on
 * (re)subscription, and the history feature asks RACP for what is new.
 */
async function syncOne(d: ManagedDevice, ctx: CommandContext) {
  const startedAt = ctx.now();
  let readings = 0;
  let stored = 0;
  let lastAt = Date.now();
  const count = (r: Reading) => {
    if (r.device.toUpperCase() !== d.address) return;
    readings += 1;
    if (r.t < startedAt) stored += 1;
    lastAt = Date.now();
  };
  ctx.bus.on('reading', count);
  try {
    await ctx.devices.hold(d.address);
    await ctx.devices.connect(d.address, d.profile);
    const begun = Date.now();
    lastAt = Math.max(lastAt, begun);
    for (;;) {
      const left = Math.min(ctx.syncQuietMs - (Date.now() - lastAt), ctx.syncMaxMs - (Date.now() - begun));
      if (left <= 0) break;
      await sleep(left);
    }
    return { address: d.address, ok: true, readings, stored };
  } finally {
    ctx.bus.off('reading', count);
  }
}

/** sync: reconnect one device, or every managed device at once, so each replays what it stored. */
export async function syncOp(cmd: CommandOf<'sync'>, ctx: CommandContext): Promise<Record<string, unknown>> {
  if (cmd.address) return syncOne(managed(ctx, cmd.address), ctx);
  const outcomes = await Promise.all(
    ctx.devices
      .list()
      .map((d) =>
        syncOne(d, ctx).catch((e: unknown) => ({ address: d.address, ok: false, error: errorBody(e) })),
      ),
  );
  return { devices: outcomes };
}
