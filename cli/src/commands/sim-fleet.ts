import { readFile } from 'node:fs/promises';
import {
  type FleetCredentials,
  type FleetProgress,
  formatFleetProgress,
  gatewayTokenCredentials,
  runFleet,
} from '@linkwell/device-sim';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.js';
import { intOption } from './options.js';

const FAILED_EXIT = 1;

interface FleetCliOptions {
  gateways: number;
  devices: number;
  rate: number;
  readingsPerMessage: number;
  duration: number;
  broker: string;
  username?: string;
  password?: string;
  signingKey?: string;
  connectRate: number;
  protocolVersion: 4 | 5;
  seed: number;
  inflight: number;
  idPrefix: string;
}

function positiveInt(value: string): number {
  const n = intOption(value);
  if (n === 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function protocolVersion(value: string): 4 | 5 {
  if (value !== '4' && value !== '5') throw new InvalidArgumentError('expected 4 (MQTT 3.1.1) or 5');
  return Number(value) as 4 | 5;
}

async function credentialsFrom(o: FleetCliOptions): Promise<FleetCredentials | undefined> {
  if (o.signingKey !== undefined) {
    let pem: string;
    try {
      pem = await readFile(o.signingKey, 'utf8');
    } catch (err) {
      throw new CliError('CLI_ERR_BAD_ARGUMENT', `--signing-key ${o.signingKey}: ${(err as Error).message}`);
    }
    try {
      return gatewayTokenCredentials(pem);
    } catch (err) {
      throw new CliError('CLI_ERR_BAD_ARGUMENT', `--signing-key ${o.signingKey}: ${(err as Error).message}`);
    }
  }
  if (o.username === undefined) return undefined;
  const fixed = { username: o.username, password: o.password ?? '' };
  return () => fixed;
}

/** One line rewritten in place on a terminal; one line per second into a log file. */
function progressWriter(): { write: (p: FleetProgress) => void; end: () => void } {
  const tty = process.stderr.isTTY === true;
  let drawn = false;
  return {
    write(p) {
      const line = formatFleetProgress(p);
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else process.stderr.write(`${line}\n`);
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

/** `linkwell sim fleet`: many simulated gateways publishing readings straight to a broker, for load tests. */
export function registerSimFleet(sim: Command): void {
  sim
    .command('fleet')
    .description(
      'Load generator: N gateways (one MQTT connection each) × M wristbands publish QoS 1 readings envelopes ' +
        'straight to a broker for S seconds, then print a JSON report (sent, acknowledged, failed, msg/s, ' +
        'PUBACK latency percentiles) on stdout; progress goes to stderr. Exits 1 if anything failed.',
    )
    .option('--gateways <n>', 'simulated gateways (MQTT connections)', positiveInt, 10)
    .option('--devices <n>', 'wristbands per gateway', positiveInt, 1)
    .option(
      '--rate <n>',
      'messages per second across the fleet; 0 = as fast as the broker acknowledges',
      intOption,
      100,
    )
    .option('--readings-per-message <n>', 'readings per envelope (1…1000)', positiveInt, 1)
    .option('--duration <s>', 'seconds of publishing, after every gateway has connected', positiveInt, 10)
    .option('--broker <url>', 'MQTT broker URL', 'mqtt://127.0.0.1:1883')
    .option('--username <name>', 'one username for every gateway')
    .option('--password <secret>', 'password that goes with --username')
    .addOption(
      new Option(
        '--signing-key <pem-file>',
        'ES256 private key (the API’s jwt-es256.key): each gateway logs in with its own gateway token, as ingest expects',
      ).conflicts(['username', 'password']),
    )
    .option('--connect-rate <n>', 'new connections per second while ramping up', positiveInt, 500)
    .addOption(
      new Option('--protocol-version <v>', 'MQTT protocol version: 4 (3.1.1) or 5')
        .argParser(protocolVersion)
        .default(4),
    )
    .option('--inflight <n>', 'unacknowledged publishes allowed per connection', positiveInt, 10)
    .option('--seed <n>', 'seed for the simulated physiology', intOption, 1)
    .option(
      '--id-prefix <prefix>',
      'gateway/device id prefix (fleet → fleet-gw-0001, fleet-dev-0001-01)',
      'fleet',
    )
    .addHelpText(
      'after',
      `
Gateway ids are <prefix>-gw-0001…, device addresses F1:GG:GG:GG:DD:DD; against ingest, register them first.
Examples:
  linkwell sim fleet --broker mqtt://127.0.0.1:1883 --gateways 100 --rate 0 --duration 30
  linkwell sim fleet --gateways 10000 --connect-rate 500 --rate 5000 --signing-key data/keys/jwt-es256.key`,
    )
    .action(async (o: FleetCliOptions, cmd: Command) => {
      if (o.password !== undefined && o.username === undefined)
        cmd.error('error: --password needs --username', { exitCode: 2 });
      let credentials: FleetCredentials | undefined;
      try {
        credentials = await credentialsFrom(o);
      } catch (err) {
        cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
      }
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const progress = progressWriter();
      try {
        const report = await runFleet(
          {
            brokerUrl: o.broker,
            gateways: o.gateways,
            devicesPerGateway: o.devices,
            readingsPerMessage: o.readingsPerMessage,
            rate: o.rate,
            durationS: o.duration,
            connectRate: o.connectRate,
            protocolVersion: o.protocolVersion,
            seed: o.seed,
            inflight: o.inflight,
            idPrefix: o.idPrefix,
            credentials,
            signal: abort.signal,
          },
          { progress: progress.write },
        );
        progress.end();
        console.log(JSON.stringify(report, null, 2));
        if (report.failed > 0 || report.connectFailures > 0) process.exitCode = FAILED_EXIT;
      } catch (err) {
        progress.end();
        const report = (err as { report?: unknown }).report;
        if (report !== undefined) console.log(JSON.stringify(report, null, 2));
        if (err instanceof RangeError) cmd.error(`error: ${err.message}`, { exitCode: 2 });
        console.error((err as Error).message);
        process.exitCode = FAILED_EXIT;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
