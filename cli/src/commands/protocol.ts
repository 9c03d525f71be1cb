import { createInterface } from 'node:readline';
import {
  CODECS,
  decodeToView,
  fromHex,
  isProtocolError,
  parseReadingsEnvelope,
  WIRE_SCHEMAS,
} from '@linkwell/firmware-protocol';
import type { Command } from 'commander';

const USAGE_EXIT = 2;

type Decoded = { ok: true; view: Record<string, unknown> } | { ok: false; usage: string };

/** Usage problems (unknown UUID, bad hex) are told apart from frames that decode to `valid: false`. */
function decodeOne(characteristic: unknown, hex: unknown): Decoded {
  const uuid = typeof characteristic === 'string' ? characteristic.toLowerCase().replace(/^0x/, '') : '';
  if (!CODECS.has(uuid))
    return {
      ok: false,
      usage: `unknown characteristic ${JSON.stringify(characteristic)}; known: ${[...CODECS.keys()].join(', ')}`,
    };
  const bytes = typeof hex === 'string' ? fromHex(hex.replace(/\s+/g, '')) : undefined;
  if (!bytes)
    return { ok: false, usage: `not hex: ${JSON.stringify(hex)} (expected an even number of hex digits)` };
  return { ok: true, view: decodeToView(uuid, bytes) };
}

export function registerProtocol(program: Command): void {
  const protocol = program
    .command('protocol')
    .description('Decode GATT frames and validate MQTT payloads offline');
  protocol
    .command('decode')
    .description(
      'Decode one value, e.g. `linkwell protocol decode 2a37 1e5532002100`, printing one JSON object in the public-vector ' +
        'convention; a frame that does not decode prints {"valid":false,"error":…} and still exits 0. Advertisement ' +
        'service data uses the service UUID (181d, 181b).',
    )
    .argument('[uuid16]', 'characteristic (or advertisement service) UUID, 4 hex digits')
    .argument('[hex]', 'the value as hex')
    .option(
      '--jsonl',
      'read {"characteristic":"2a35","hex":"…"} lines from stdin and write one JSON object per line',
    )
    .action(
      async (uuid: string | undefined, hex: string | undefined, opts: { jsonl?: boolean }, cmd: Command) => {
        if (opts.jsonl) {
          process.exitCode = await decodeJsonl();
          return;
        }
        if (uuid === undefined || hex === undefined)
          cmd.error('decode needs <uuid16> <hex>, or --jsonl', { exitCode: USAGE_EXIT });
        const r = decodeOne(uuid, hex);
        if (!r.ok) cmd.error(`error: ${r.usage}`, { exitCode: USAGE_EXIT });
        else console.log(JSON.stringify(r.view));
      },
    );
  protocol
    .command('validate')
    .description('Validate a readings envelope (JSON) against wire contract v1')
    .argument('<json>', 'the payload')
    .action((json: string) => {
      try {
        console.log(JSON.stringify(parseReadingsEnvelope(json), null, 2));
      } catch (err) {
        if (!isProtocolError(err)) throw err;
        console.error(
          JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } }, null, 2),
        );
        process.exitCode = 1;
      }
    });
  protocol
    .command('schema')
    .description('Print the JSON Schema of a wire payload (readings, status, events, cmd, cmd/result)')
    .argument('<kind>', Object.keys(WIRE_SCHEMAS).join(' | '))
    .action((kind: string, _o: unknown, cmd: Command) => {
      const schema = (WIRE_SCHEMAS as Record<string, unknown>)[kind];
      if (!schema) cmd.error(`error: unknown payload kind ${kind}`, { exitCode: USAGE_EXIT });
      console.log(JSON.stringify(schema, null, 2));
    });
}

/** One output line per input line, so outputs can be zipped with inputs; usage errors also go to stderr. */
async function decodeJsonl(): Promise<number> {
  let exit = 0;
  let n = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
    n++;
    if (line.trim() === '') continue;
    let input: { characteristic?: unknown; hex?: unknown };
    try {
      input = JSON.parse(line);
    } catch {
      input = {};
    }
    const r = decodeOne(input.characteristic, input.hex);
    if (r.ok) {
      process.stdout.write(`${JSON.stringify(r.view)}\n`);
    } else {
      exit = USAGE_EXIT;
      process.stderr.write(`line ${n}: ${r.usage}\n`);
      process.stdout.write(`${JSON.stringify({ valid: false, error: 'usage', message: r.usage })}\n`);
    }
  }
  return exit;
}
