import { main as apiMain } from '@linkwell/api';
import { main as ingestMain } from '@linkwell/ingest';
import type { Command } from 'commander';
import { registerGatewayCapture } from '../gateway/capture-command.js';
import { registerGatewayPair } from '../gateway/pair-command.js';
import { registerGatewayRun } from '../gateway/run-command.js';
import { registerGatewayScan } from '../gateway/scan-command.js';
import { registerGatewayStatus } from '../gateway/status-command.js';
import { registerIngestDeadLetters } from '../ingest/dead-letters-command.js';
import { registerIngestHeld } from '../ingest/held-command.js';
import { registerGatewayLink } from './gateway-link.js';

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
  registerGatewayRun(gateway);
}
