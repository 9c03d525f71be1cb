import {
  decodeBodySensorLocation,
  decodeHeartRateMeasurement,
  fromHex,
  isProtocolError,
  parseReadingsEnvelope,
} from '@linkwell/firmware-protocol';
import { type Command, InvalidArgumentError } from 'commander';

const DECODERS: Record<string, (b: Uint8Array) => unknown> = {
  '2a37': decodeHeartRateMeasurement,
  '2a38': decodeBodySensorLocation,
};

export function registerProtocol(program: Command): void {
  const protocol = program
    .command('protocol')
    .description('Decode GATT frames and validate MQTT payloads offline');
  protocol
    .command('decode')
    .description('Decode one characteristic value, e.g. `linkwell protocol decode 2a37 1e5532002100`')
    .argument('<characteristic>', `16-bit characteristic UUID (${Object.keys(DECODERS).join(', ')})`)
    .argument('<hex>', 'the value as hex')
    .action((chr: string, hex: string) => {
      const decode = DECODERS[chr.toLowerCase().replace(/^0x/, '')];
      if (!decode) throw new InvalidArgumentError(`no codec for ${chr}`);
      const bytes = fromHex(hex.replace(/\s+/g, ''));
      if (!bytes) throw new InvalidArgumentError('hex must be an even number of hex digits');
      report(() => decode(bytes));
    });
  protocol
    .command('validate')
    .description('Validate a readings envelope (JSON) against wire contract v1')
    .argument('<json>', 'the payload')
    .action((json: string) => report(() => parseReadingsEnvelope(json)));
}

function report(fn: () => unknown): void {
  try {
    console.log(JSON.stringify(fn(), null, 2));
  } catch (err) {
    if (!isProtocolError(err)) throw err;
    console.error(
      JSON.stringify(
        { error: { code: err.code, offset: err.offset, message: err.message, details: err.details } },
        null,
        2,
      ),
    );
    process.exitCode = 2;
  }
}
