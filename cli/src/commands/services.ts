import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { main as apiMain, DEMO_HOME } from '@linkwell/api';
import { connectMqttUplink, createGateway, PasskeyBook } from '@linkwell/gateway';
import { main as ingestMain } from '@linkwell/ingest';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { resolveGatewayAuth } from '../gateway/auth.js';
import { registerGatewayCapture } from '../gateway/capture-command.js';
import { registerGatewayPair } from '../gateway/pair-command.js';
import { registerGatewayScan } from '../gateway/scan-command.js';
import { registerGatewayStatus } from '../gateway/status-command.js';
import { openTransport, TRANSPORTS, type TransportKind } from '../gateway/transports.js';
import { registerIngestDeadLetters } from '../ingest/dead-letters-command.js';
import { registerIngestHeld } from '../ingest/held-command.js';
import { defaultCredentialsPath, registerGatewayLink } from './gateway-link.js';
import { intOption } from './options.js';

export function registerServices(program: Command): void {
  const ingest = program.command('ingest').description('Ingest service: Aedes MQTT broker + InfluxDB writer');
  ingest
    .command('run')
    .description(
      'Run a standalone ingest node; configured by LINKWELL_* environment variables (docs/configuration.md)',
    )
    .action(() => ingestMain(process.env));
  registerIngestDeadLetters(ingest);
  registerIngestHeld(ingest);

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
  registerGatewayCapture(gateway);
  registerGatewayPair(gateway);
  registerGatewayStatus(gateway);
  gateway
    .command('run')
    .description('Run a gateway: connect the household’s devices and relay their readings over MQTT')
    .addOption(new Option('--transport <kind>', 'BLE stack').choices(TRANSPORTS).default('sim'))
    .option(
      '--mqtt <url>',
      'broker URL, e.g. mqtt://127.0.0.1:1883 (default: the mqttUrl of the credentials file)',
    )
    .option(
      '--credentials <file>',
      `credentials written by \`gateway link\`; MQTT tokens are refreshed through the API (default: ${defaultCredentialsPath()})`,
    )
    .option(
      '--token-file <file>',
      'instead of --credentials: a file holding a gateway token (never refreshed)',
    )
    .option('--gateway-id <id>', `with --token-file: the token’s subject (default: ${DEMO_HOME.gatewayId})`)
    .option('--seed <n>', 'seed for the simulated devices', intOption, 42)
    .option(
      '--outbox-dir <dir>',
      'directory of the durable outbox (readings wait here, fsync’d, until the broker acknowledges them)',
      './data/gateway/outbox',
    )
    .option(
      '--state-dir <dir>',
      'directory of the gateway’s small state files (history download cursors per device)',
      './data/gateway/state',
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
        mqtt?: string;
        credentials?: string;
        tokenFile?: string;
        gatewayId?: string;
        seed: number;
        outboxDir: string;
        stateDir: string;
        outboxMaxReadings: number;
        outboxMaxMib: number;
        caFile?: string;
      }) => {
        const logger = pino({ base: { svc: 'gateway' } });
        const auth = await resolveGatewayAuth(o);
        // Passkeys from `pair` commands reach BlueZ through the agent that asks this book.
        const passkeys = new PasskeyBook();
        const radio = await openTransport(o.transport, { seed: o.seed, logger, pairing: passkeys });
        const uplink = await connectMqttUplink({
          url: auth.mqttUrl,
          gatewayId: auth.gatewayId,
          token: auth.token,
          version: '0.1.0',
          logger,
          ...(o.caFile ? { tls: { ca: await readFile(o.caFile) } } : {}),
        }).catch(async (err: unknown) => {
          await radio.close();
          throw err;
        });
        logger.info(
          { gw: auth.gatewayId, mqtt: auth.mqttUrl, credentials: auth.credentialsPath ?? null },
          'gateway uplink connected',
        );
        const gw = createGateway({
          id: auth.gatewayId,
          central: radio.central,
          uplink,
          commands: { passkeys, transport: o.transport },
          logger,
          // History cursors survive restarts, so a device's stored records are not imported again.
          racpSync: { stateDir: resolve(o.stateDir) },
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
