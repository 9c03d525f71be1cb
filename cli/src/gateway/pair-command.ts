import { createInterface } from 'node:readline/promises';
import { describeFound, findDevice, type PairingPolicy } from '@linkwell/gateway';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { intOption } from '../commands/options.js';
import { CliError } from '../errors.js';
import { openTransport, TRANSPORTS, type TransportKind } from './transports.js';

interface PairCommandOptions {
  transport: TransportKind;
  passkey?: string;
  yes?: boolean;
  scan: number;
  seed: number;
}

const ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/** One question on the terminal; prompts go to stderr so stdout stays the command's result. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/**
 * Answers the stack's passkey question: --passkey when given, else asks on the terminal. Without either it
 * refuses (the pairing then fails) and remembers that it had to, so the command can say why.
 */
function passkeyPolicy(given: string | undefined) {
  const state = { refused: false, asked: false };
  const policy: PairingPolicy = {
    async passkeyFor(address) {
      state.asked = true;
      if (given) return given;
      if (!process.stdin.isTTY) {
        state.refused = true;
        return undefined;
      }
      const typed = await ask(`passkey shown on ${address}: `);
      return /^\d{6}$/.test(typed) ? typed : undefined;
    },
  };
  return { policy, state };
}

/** `linkwell gateway pair`: find one device, confirm, and bond with it on this machine's stack. */
export function registerGatewayPair(gateway: Command): void {
  gateway
    .command('pair')
    .description('Find a device by address, show what it is, and pair (bond) with it after confirmation')
    .argument('<address>', 'Bluetooth address, e.g. D0:00:00:00:00:02')
    .addOption(new Option('--transport <kind>', 'BLE stack').choices(TRANSPORTS).default('node-ble'))
    .option('--passkey <digits>', 'the six digits the device shows, if it pairs with a passkey')
    .option('--yes', 'pair without asking (needed when stdin is not a terminal)')
    .option('--scan <ms>', 'how long to scan for the device', intOption, 5000)
    .option('--seed <n>', 'seed of the simulated household (sim and noble transports)', intOption, 42)
    .action(async (rawAddress: string, o: PairCommandOptions) => {
      const address = rawAddress.toUpperCase();
      if (!ADDRESS.test(address))
        throw new CliError(
          'CLI_ERR_BAD_ARGUMENT',
          `${rawAddress} is not a Bluetooth address (AA:BB:CC:DD:EE:FF)`,
        );
      if (o.passkey !== undefined && !/^\d{6}$/.test(o.passkey))
        throw new CliError('CLI_ERR_BAD_ARGUMENT', '--passkey takes exactly six digits');
      const logger = pino({ level: 'warn' }, pino.destination(2));
      const { policy, state } = passkeyPolicy(o.passkey);
      const t = await openTransport(o.transport, { seed: o.seed, logger, pairing: policy });
      try {
        process.stderr.write(`looking for ${address} over ${o.transport} for up to ${o.scan} ms…\n`);
        const found = await findDevice(t.central, address, { scanMs: o.scan });
        console.log(`found ${describeFound(found)}`);
        if (!found.profile) console.log('no profile handles this device: the gateway will not read it');
        if (!o.yes) {
          if (!process.stdin.isTTY)
            throw new CliError(
              'CLI_ERR_NOT_CONFIRMED',
              'stdin is not a terminal; pass --yes to pair without asking',
            );
          const answer = await ask(`pair with ${address}? [y/N] `);
          if (!/^y(es)?$/i.test(answer)) throw new CliError('CLI_ERR_NOT_CONFIRMED', 'not paired');
        }
        if (!t.central.pair)
          throw new CliError('CLI_ERR_BAD_ARGUMENT', `the ${o.transport} stack cannot pair`);
        const link = await t.central.connect(address);
        try {
          await t.central.pair(address);
        } catch (e) {
          if (state.refused)
            throw new CliError(
              'CLI_ERR_PASSKEY_REQUIRED',
              `${address} asked for a passkey; give it with --passkey or run on a terminal`,
              { cause: e },
            );
          throw e;
        } finally {
          await link.disconnect().catch(() => {});
        }
        const how =
          o.transport === 'noble'
            ? 'link ready; noble bonds on the first access that needs encryption'
            : `bonded${state.asked ? ' with a passkey' : ' (just works)'}`;
        console.log(`paired ${address}: ${how}${found.profile ? `, profile ${found.profile.id}` : ''}`);
        if (o.transport !== 'node-ble')
          console.log(
            `note: ${o.transport} pairs with the simulated household; the bond ends with this command`,
          );
      } finally {
        await t.close();
      }
    });
}
