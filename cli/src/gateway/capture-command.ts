import { writeFile } from 'node:fs/promises';
import { captureDevice, type DeviceCapture } from '@linkwell/gateway';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { intOption } from '../commands/options.js';
import { connectGatewayUplink, resolveGatewayAuth } from './auth.js';
import { defaultCredentialsPath } from './credentials-path.js';
import { openTransport, TRANSPORTS, type TransportKind } from './transports.js';

interface CaptureCommandOptions {
  transport: TransportKind;
  duration: number;
  scan: number;
  seed: number;
  out?: string;
  publish?: boolean;
  mqtt?: string;
  credentials?: string;
  tokenFile?: string;
  gatewayId?: string;
  caFile?: string;
}

function summary(c: DeviceCapture): string {
  const chars = c.services.reduce((n, s) => n + s.characteristics.length, 0);
  const failed = c.services.flatMap((s) => s.characteristics).filter((ch) => ch.read && 'error' in ch.read);
  return (
    `${c.address}: ${c.advertisement ? `advertising as ${c.advertisement.name ?? '?'}` : 'not seen while scanning'}, ` +
    `${c.services.length} services, ${chars} characteristics, ${failed.length} unreadable, ` +
    `${c.frames.length} frames in ${c.duration_ms} ms${c.disconnected ? ` (disconnected: ${c.disconnected.reason})` : ''}\n`
  );
}

/** `linkwell gateway capture`: one device's advertisement, GATT table, values and frames as a JSON document. */
export function registerGatewayCapture(gateway: Command): void {
  gateway
    .command('capture')
    .description(
      'Record one device: advertisement, GATT table, a read of each readable characteristic and every notification/indication',
    )
    .argument('<address>', 'Bluetooth address, e.g. D0:00:00:00:00:01')
    .addOption(new Option('--transport <kind>', 'BLE stack').choices(TRANSPORTS).default('node-ble'))
    .option('--duration <ms>', 'how long to record notifications and indications', intOption, 10_000)
    .option('--scan <ms>', 'how long to scan for the advertisement first (0: skip)', intOption, 2000)
    .option('--seed <n>', 'seed of the simulated household (sim and noble transports)', intOption, 42)
    .option('--out <file>', 'write the capture here instead of to standard output')
    .option('--publish', 'also send it as a device.capture event on lw/v1/gw/{gw}/events')
    .option('--mqtt <url>', 'with --publish: broker URL (default: the mqttUrl of the credentials file)')
    .option(
      '--credentials <file>',
      `with --publish: credentials written by \`gateway link\` (default: ${defaultCredentialsPath()})`,
    )
    .option('--token-file <file>', 'with --publish, instead of --credentials: a file holding a gateway token')
    .option('--gateway-id <id>', 'with --token-file: the token’s subject')
    .option('--ca-file <file>', 'with --publish: PEM CA bundle for an mqtts:// broker')
    .action(async (address: string, o: CaptureCommandOptions) => {
      const logger = pino({ level: 'warn' }, pino.destination(2));
      // Authentication problems show up before minutes of recording, not after.
      const auth = o.publish ? await resolveGatewayAuth(o) : undefined;
      const t = await openTransport(o.transport, { seed: o.seed, logger });
      let capture: DeviceCapture;
      try {
        process.stderr.write(`capturing ${address} over ${o.transport} for ${o.duration} ms…\n`);
        capture = await captureDevice(t.central, address, {
          durationMs: o.duration,
          scanMs: o.scan,
          transport: o.transport,
        });
      } finally {
        await t.close();
      }
      process.stderr.write(summary(capture));
      const text = `${JSON.stringify(capture, null, 2)}\n`;
      if (o.out) await writeFile(o.out, text);
      else process.stdout.write(text);
      if (auth) {
        const uplink = await connectGatewayUplink(auth, {
          logger,
          ...(o.caFile ? { caFile: o.caFile } : {}),
        });
        try {
          await uplink.publishEvent({
            type: 'device.capture',
            at: Date.now(),
            address: capture.address,
            capture,
          });
        } finally {
          await uplink.close();
        }
        process.stderr.write(`published as a device.capture event of ${auth.gatewayId}\n`);
      }
    });
}
