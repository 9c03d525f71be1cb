import { type Command, Option } from 'commander';
import { type ExportOptions, runExport } from '../export/run.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description(
      'Download your readings as CSV or NDJSON (GET /v1/export), or your FHIR resources through a FHIR bulk export',
    )
    .addOption(
      new Option('--format <format>', 'csv, ndjson (readings) or fhir (NDJSON of FHIR resources)')
        .choices(['csv', 'ndjson', 'fhir'])
        .makeOptionMandatory(),
    )
    .option('--from <time>', 'ISO 8601; readings from this time (fhir: _since)')
    .option('--to <time>', 'ISO 8601; readings before this time (csv and ndjson only)')
    .option('--metric <metric>', 'one metric, e.g. heart_rate (csv and ndjson only)')
    .option('--out <file>', 'write here instead of standard output')
    .option('--api <url>', 'API base URL (default: from up.json, else http://127.0.0.1:8080)')
    .option('--token <token>', 'access token (default: LINKWELL_TOKEN, else the token in up.json)')
    .option('--data-dir <dir>', 'the `linkwell up` data directory holding up.json', './data')
    .addHelpText(
      'after',
      '\nProgress goes to standard error: a bar on a terminal, plain lines otherwise.\n' +
        'Example: linkwell export --format csv --from 2026-11-01 --out readings.csv',
    )
    .action(async (o: ExportOptions) => {
      await runExport(o);
    });
}
