import { type HomeDeviceSpec, type InMemoryRadio, ManualClock, SimHome } from '@linkwell/device-sim';
import {
  type BleCentral,
  type CommandMessage,
  type CommandResultMessage,
  parseCommandResult,
} from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { onTestFinished } from 'vitest';
import type { CommandOptions } from '../src/commands/context.js';
import { createGateway, type GatewayDeps } from '../src/gateway.js';
import type { Uplink } from '../src/uplink/mqtt-uplink.js';
import { T0, until } from './feature-home.js';

/**
 * A gateway on a SimHome's in-memory radio behind an uplink that carries commands in memory: `send` puts
 * a command on the "cmd topic" and resolves with its result, validated against the v1 result schema.
 */
export function commandHome(
  devices: HomeDeviceSpec[],
  opts: Partial<GatewayDeps> & {
    commands?: CommandOptions | false;
    wrap?: (radio: InMemoryRadio) => BleCentral;
  } = {},
) {
  const clock = new ManualClock(T0);
  const home = new SimHome({ clock, seed: 5, devices });
  const radio = home.radio();
  let listener: ((payload: Buffer) => void) | undefined;
  const results: CommandResultMessage[] = [];
  const events: Record<string, unknown>[] = [];
  const uplink: Uplink = {
    async publishReadings() {},
    async publishEvent(e) {
      events.push(e);
    },
    async close() {},
    onCommand(l) {
      listener = l;
    },
    async publishCommandResult(r) {
      results.push(parseCommandResult(JSON.stringify(r)));
    },
  };
  const { wrap, commands, ...rest } = opts;
  const gw = createGateway({
    id: 'gw_cmd',
    central: wrap ? wrap(radio) : radio,
    uplink,
    logger: pino({ level: 'silent' }),
    now: () => clock.now(),
    batch: { maxReadings: 1000, lingerMs: 60_000 },
    commands:
      commands === false
        ? false
        : { pairScanMs: 0, captureScanMs: 0, syncQuietMs: 50, syncMaxMs: 2000, ...commands },
    ...rest,
  });
  const busEvents: { type: string; [k: string]: unknown }[] = [];
  for (const type of [
    'device.connected',
    'device.disconnected',
    'device.reconnecting',
    'device.paired',
    'device.bond_stale',
    'device.bond_recovery',
    'device.time_synced',
    'command.completed',
  ] as const)
    gw.bus.on(type, (e: object) => busEvents.push({ type, ...e }));
  const of = (type: string) => busEvents.filter((e) => e.type === type);

  /** Delivers a raw payload as the broker would. */
  function deliver(payload: string): void {
    if (!listener) throw new Error('the gateway has not registered for commands (start() first)');
    listener(Buffer.from(payload));
  }

  /** Sends a command and waits for the next result with its tid. */
  async function send(cmd: CommandMessage['cmd'], tid: string, ms = 5000): Promise<CommandResultMessage> {
    const before = results.filter((r) => r.tid === tid).length;
    deliver(JSON.stringify({ v: 1, tid, sent_at: clock.now(), cmd }));
    await until(() => results.filter((r) => r.tid === tid).length > before, `the result of ${tid}`, ms);
    return results.filter((r) => r.tid === tid).at(-1)!;
  }

  return { clock, home, radio, gw, results, events, busEvents, of, deliver, send };
}

/** commandHome, started, and stopped when the current test finishes. */
export async function startedCommandHome(...args: Parameters<typeof commandHome>) {
  const h = commandHome(...args);
  await h.gw.start();
  onTestFinished(() => h.gw.stop());
  return h;
}
