import { resolve } from 'node:path';
import { createGateway, PasskeyBook, ScaleUserStore, UnpairedDevices } from '@linkwell/gateway';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { intOption } from '../commands/options.js';
import { connectGatewayUplink, resolveGatewayAuth } from './auth.js';
import { defaultCredentialsPath } from './credentials-path.js';
import { openTransport, TRANSPORTS, type TransportKind } from './transports.js';

/**
 * Adds `run` under `parent`: `linkwell gateway run`, and `linkwell-gateway run`, the gateway-only entry
 * point (`cli/bin/linkwell-gateway.js`). This module imports only what a running gateway needs, so that
 * entry does not load the API, ingest or the rest of the CLI (docs/benchmarks.md, bench:gateway).
 */
export function registerGatewayRun(parent: Command): void {
  parent
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
    .option('--gateway-id <id>', 'with --token-file: the gateway id (default: the token’s subject)')
    .option('--seed <n>', 'seed for the simulated devices', intOption, 42)
    .option(
      '--outbox-dir <dir>',
      'directory of the durable outbox (readings wait here, fsync’d, until the broker acknowledges them)',
      './data/gateway/outbox',
    )
    .option(
      '--state-dir <dir>',
      'directory of the gateway’s small state files (history download cursors, devices the household unpaired)',
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
        // Devices the household unpaired stay unpaired across restarts (read before anything connects).
        const unpaired = await UnpairedDevices.openIn(resolve(o.stateDir));
        // Scale users the household registered or consented through commands keep being consented as.
        const scaleUsers = await ScaleUserStore.openIn(resolve(o.stateDir));
        const radio = await openTransport(o.transport, { seed: o.seed, logger, pairing: passkeys });
        const uplink = await connectGatewayUplink(auth, {
          logger,
          ...(o.caFile ? { caFile: o.caFile } : {}),
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
          unpaired,
          scaleUsers,
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
