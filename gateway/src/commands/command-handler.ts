import type { CommandMessage, CommandResultMessage, DeviceProfile } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus } from '../events.js';
import { ScaleUserStore } from '../state/scale-users.js';
import { UnpairedDevices } from '../state/unpaired-devices.js';
import type { CommandContext, CommandOf, CommandOp, CommandOptions, OpHandler } from './context.js';
import type { DeviceControl } from './device-control.js';
import { captureOp } from './ops/capture.js';
import { pairOp } from './ops/pair.js';
import { resetOp } from './ops/reset.js';
import { setTimeOp } from './ops/set-time.js';
import { syncOp } from './ops/sync.js';
import { udsConsentOp, udsRegisterOp } from './ops/uds-user.js';
import { unpairOp } from './ops/unpair.js';
import { errorBody, errorResult, okResult, parseCommandPayload } from './parse.js';

export type { CommandOptions } from './context.js';

export interface CommandHandlerDeps extends CommandOptions {
  gatewayId: string;
  devices: DeviceControl;
  bus: GatewayEventBus;
  publishResult(result: CommandResultMessage): Promise<void>;
  publishEvent(event: Record<string, unknown>): Promise<void>;
  logger: Logger;
  now: () => number;
  profiles: readonly DeviceProfile[];
  /** Called once a reset's result was sent: the gateway stops (gateway.ts). */
  onReset?: () => void;
}

export interface CommandHandler {
  /** Answers one payload from lw/v1/gw/{gw}/cmd; never rejects. */
  handle(payload: Uint8Array | string): Promise<void>;
  /** Stops answering; a command under way finishes, but its result is no longer sent. */
  close(): void;
}

/** One handler per op, checked exhaustive by the compiler. */
const OPS: { [K in CommandOp]: OpHandler<K> } = {
  pair: pairOp,
  unpair: unpairOp,
  sync: syncOp,
  set_time: setTimeOp,
  capture: captureOp,
  reset: resetOp,
  uds_register: udsRegisterOp,
  uds_consent: udsConsentOp,
};

function dispatch<K extends CommandOp>(cmd: CommandOf<K>, ctx: CommandContext) {
  return (OPS[cmd.op] as OpHandler<K>)(cmd, ctx);
}

/**
 * The gateway's side of the command channel (docs/gateway-commands.md). Commands run one at a time in the
 * order they arrive, since most of them take a device's only link. Each result is remembered by tid, so
 * a QoS 1 redelivery (or a platform retry) of a tid gets the same answer instead of running again.
 */
export function createCommandHandler(deps: CommandHandlerDeps): CommandHandler {
  const log = deps.logger;
  const ctx: CommandContext = {
    gatewayId: deps.gatewayId,
    devices: deps.devices,
    bus: deps.bus,
    publishEvent: deps.publishEvent,
    logger: log,
    now: deps.now,
    profiles: deps.profiles,
    passkeys: deps.passkeys,
    pairScanMs: deps.pairScanMs ?? 5000,
    captureScanMs: deps.captureScanMs ?? 2000,
    syncQuietMs: deps.syncQuietMs ?? 1500,
    syncMaxMs: deps.syncMaxMs ?? 10_000,
    transport: deps.transport,
    unpaired: deps.unpaired ?? UnpairedDevices.inMemory(),
    scaleUsers: deps.scaleUsers ?? ScaleUserStore.inMemory(),
    udsResponseMs: deps.udsResponseMs ?? 5000,
    wipe: deps.wipe,
  };
  const remember = deps.rememberResults ?? 256;
  const results = new Map<string, Promise<CommandResultMessage>>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  async function execute(command: CommandMessage): Promise<CommandResultMessage> {
    const { tid, cmd } = command;
    // Checked when the command's turn comes, not on arrival: one that waited behind others past its expiry
    // must not run either, since the platform has already told the person it timed out.
    if (command.expires_at !== undefined && deps.now() > command.expires_at) {
      const e = new GatewayError(
        'GATEWAY_ERR_COMMAND_EXPIRED',
        `${cmd.op} ${tid} expired at ${new Date(command.expires_at).toISOString()}; not run`,
      );
      log.warn({ code: e.code, tid, op: cmd.op }, e.message);
      return errorResult(deps.gatewayId, tid, e);
    }
    // Only op, tid and address: a pair passkey or a UDS consent code never reaches the log.
    log.info({ tid, op: cmd.op, device: 'address' in cmd ? cmd.address : undefined }, 'command');
    try {
      return okResult(deps.gatewayId, tid, await dispatch(cmd, ctx));
    } catch (e) {
      const { code, message } = errorBody(e);
      log.warn({ code, tid, op: cmd.op }, `command ${cmd.op} failed: ${message}`);
      return errorResult(deps.gatewayId, tid, e);
    }
  }

  async function send(result: CommandResultMessage, op: string, cached: boolean): Promise<void> {
    if (closed) return;
    deps.bus.emit('command.completed', {
      tid: result.tid,
      op,
      status: result.status,
      ...(result.status === 'error' ? { code: result.error.code } : {}),
      cached,
    });
    await deps
      .publishResult(result)
      .catch((e: unknown) =>
        log.warn(
          { code: 'GATEWAY_ERR_PUBLISH_FAILED', tid: result.tid, err: (e as Error).message },
          'command result not sent; the platform can ask again with the same tid',
        ),
      );
  }

  return {
    async handle(payload) {
      if (closed) return;
      const parsed = parseCommandPayload(payload);
      if (!parsed.ok) {
        log.warn({ code: 'GATEWAY_ERR_BAD_COMMAND', tid: parsed.tid ?? null }, parsed.error.message);
        if (parsed.tid !== undefined)
          await send(errorResult(deps.gatewayId, parsed.tid, parsed.error), 'invalid', false);
        return;
      }
      const { tid, cmd } = parsed.command;
      const earlier = results.get(tid);
      if (earlier) return send(await earlier, cmd.op, true);
      const run = queue.then(() => execute(parsed.command));
      queue = run;
      results.set(tid, run);
      // Maps iterate in insertion order: the first key is the oldest result.
      if (results.size > remember) results.delete(results.keys().next().value!);
      const result = await run;
      await send(result, cmd.op, false);
      if (cmd.op === 'reset' && result.status === 'ok') {
        closed = true;
        deps.onReset?.();
      }
    },
    close() {
      closed = true;
    },
  };
}
