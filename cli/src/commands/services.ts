import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { main as apiMain, DEMO_HOME } from '@linkwell/api';
import { connectMqttUplink, createGateway } from '@linkwell/gateway';
import { main as ingestMain } from '@linkwell/ingest';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { registerGatewayScan } from '../gateway/scan-command.js';
import { openTransport, TRANSPORTS, type TransportKind } from '../gateway/transports.js';
import { registerGatewayLink } from './gateway-link.js';
import { intOption } from './options.js';

export function registerServices(program: Command): void {
  program
    .command('ingest')
    .description('Ingest service: Aedes MQTT broker + InfluxDB writer')
    .command('run')
    .description(
      'Run a standalone ingest node; configured by LINKWELL_* environment variables (docs/configuration.md)',
    )
    .action(() => ingestMain(process.env));

  program
    .command('api')
    .description('Fastify API: trends, registry, tokens')
    .command('run')
    .description(
      'Run a standalone API node; configured by LINKWELL_API_* environment variables (docs/configuration.md)',
    )
    .action(() => apiMain(process.env));

  const gateway = program.command('gateway').description('Home gateway: BLE devices to MQTT');
  registerGatewayLink(gateway);
  registerGatewayScan(gateway);
  gateway
    .command('run')
    .description('Run a gateway: connect the household’s devices and relay their readings over MQTT')
    .addOption(new Option('--transport <kind>', 'BLE stack').choices(TRANSPORTS).default('sim'))
    .requiredOption('--mqtt <url>', 'broker URL, e.g. mqtt://127.0.0.1:1883')
    .requiredOption('--token-file <file>', 'file holding this gateway’s token')
    .option('--gateway-id <id>', 'gateway id (the token’s subject)', DEMO_HOME.gatewayId)
    .option('--seed <n>', 'seed for the simulated devices', intOption, 42)
    .option(
      '--outbox-dir <dir>',
      'directory of the durable outbox (readings wait here, fsync’d, until the broker acknowledges them)',
      './data/gateway/outbox',
    )
    .option(
      '--outbox-max-readings <n>',
      'outbox bound in readings (docs/gateway-outbox.md)',
      intOption,
      1_000_000,
    )
    .option('--outbox-max-mib <n>', 'outbox bound in MiB of segment files', intOption, 256)
    .option(
      '--ca-file <file>',
      'PEM CA bundle for an mqtts:// broker whose certificate the system store does not trust',
    )
    .action(
      async (o: {
        transport: TransportKind;
        mqtt: string;
        tokenFile: string;
        gatewayId: string;
        seed: number;
        outboxDir: string;
        outboxMaxReadings: number;
        outboxMaxMib: number;
        caFile?: string;
      }) => {
        const logger = pino({ base: { svc: 'gateway' } });
        const radio = await openTransport(o.transport, { seed: o.seed, logger });
        const token = (await readFile(o.tokenFile, 'utf8')).trim();
        const uplink = await connectMqttUplink({
          url: o.mqtt,
          gatewayId: o.gatewayId,
          token,
          version: '0.1.0',
          logger,
          ...(o.caFile ? { tls: { ca: await readFile(o.caFile) } } : {}),
        });
        const gw = createGateway({
          id: o.gatewayId,
          central: radio.central,
          uplink,
          logger,
          outbox: {
            dir: resolve(o.outboxDir),
            maxItems: o.outboxMaxReadings,
            maxBytes: o.outboxMaxMib * 1024 * 1024,
          },
        });
        await gw.start();
        const stop = async () => {
          await gw.stop();
          await uplink.close();
          await radio.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
    );
}
