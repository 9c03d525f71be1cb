import { type Command, Option } from 'commander';
import { Listr } from 'listr2';
import { TRANSPORTS } from '../gateway/transports.js';
import { DEMO_SECOND_SIGN_IN, DEMO_SIGN_IN, startIdentityProviders } from '../up/identity.js';
import {
  backfillHistory,
  prepareDataDir,
  startApiService,
  startInflux,
  startIngestService,
  startRegistry,
  startSimulatedHome,
  stopAll,
  type UpOptions,
  type UpState,
  writeUpJson,
} from '../up/platform.js';
import { pickPort } from '../up/ports.js';
import { ensureSystemPackages } from '../up/system-packages.js';
import { intOption } from './options.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description(
      'Start the whole platform: managed influxd, ingest with its MQTT broker, the API and a simulated home',
    )
    .option('--data-dir <dir>', 'directory for all state, up.json included', './data')
    .option('--api-port <port>', 'preferred API port (a free one is used if taken)', intOption, 8080)
    .option('--mqtt-port <port>', 'preferred MQTT port', intOption, 1883)
    .option('--influx-port <port>', 'preferred InfluxDB HTTP port', intOption, 8086)
    .option(
      '--idp-port <port>',
      'first of three preferred ports for the simulated identity providers (Google-like, Apple-like, WeChat-style)',
      intOption,
      8091,
    )
    .option('--seed <n>', 'seed for the simulated physiology', intOption, 42)
    .option('--interval-ms <ms>', 'wristband notification interval', intOption, 1000)
    .option(
      '--measure-every <seconds>',
      'base period of the simulated cuff and scale: the cuff measures every 1–2 periods, the scale every 1.5–2.5',
      intOption,
      60,
    )
    .option('--database <name>', 'InfluxDB database', 'linkwell')
    .option('--no-sim', 'do not start the simulated home')
    .option('--no-backfill', 'do not back-fill 30 days of demo history on first start')
    .addOption(
      new Option(
        '--transport <kind>',
        'BLE stack between the demo gateway and the simulated home: in-memory radio, node-ble on a simulated BlueZ, or noble on simulated bindings',
      )
        .choices(TRANSPORTS)
        .default('sim'),
    )
    .option('--exit-after <seconds>', 'stop by itself after this many seconds (for scripts)', intOption)
    .action(async (o: UpOptions & { exitAfter?: number }) => {
      await runUp(o);
    });
}

async function runUp(opts: UpOptions & { exitAfter?: number }): Promise<void> {
  ensureSystemPackages('up');
  const state = { opts } as UpState;
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string) => {
    stopping ??= (async () => {
      console.log(`\n${why}: stopping the platform…`);
      await stopAll(state);
      console.log('stopped cleanly.');
      process.exit(0);
    })();
    return stopping;
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const tasks = new Listr<UpState>(
    [
      {
        title: `Preparing ${opts.dataDir}`,
        task: async (ctx) => Object.assign(ctx, await prepareDataDir(opts)),
      },
      {
        title: 'Starting InfluxDB (managed influxd)',
        task: async (ctx, t) => {
          await startInflux(ctx);
          t.title = `InfluxDB ${ctx.influxd!.version} at ${ctx.influxd!.url}`;
        },
      },
      {
        title: 'Opening the registry (PGlite), migrating, seeding the demo household',
        task: (ctx) => startRegistry(ctx),
      },
      {
        title: 'Starting ingest with its embedded MQTT broker',
        task: async (ctx, t) => {
          await startIngestService(ctx);
          t.title = `Ingest broker at ${ctx.ingest!.mqttUrl}`;
        },
      },
      {
        title: 'Starting the simulated identity providers (Google-like, Apple-like, WeChat-style)',
        task: async (ctx, t) => {
          ctx.apiPort = await pickPort(ctx.opts.apiPort);
          await startIdentityProviders(ctx);
          t.title = `Identity providers: ${ctx.identity!.providers.map((p) => p.display_name).join(', ')}`;
        },
      },
      {
        title: 'Starting the API and the web console',
        task: async (ctx, t) => {
          await startApiService(ctx);
          t.title = `API at ${ctx.api!.url}`;
        },
      },
      {
        title: `Starting the simulated home and its gateway over ${opts.transport} (wristband, BP cuff, scale, Mi scale)`,
        enabled: () => opts.sim,
        task: (ctx) => startSimulatedHome(ctx),
      },
      {
        title: 'Back-filling 30 days of demo history through ingest (first start only)',
        enabled: () => opts.sim && opts.backfill,
        task: async (ctx, t) => {
          let shown = -1;
          const r = await backfillHistory(ctx, (done, total) => {
            // A line per tenth: the simple renderer (CI, pipes) prints every change of the output.
            const tenth = Math.floor((10 * done) / Math.max(1, total));
            if (tenth === shown) return;
            shown = tenth;
            t.output = `${done} / ${total} readings acknowledged by ingest`;
          });
          // A fixed order: the readings arrive interleaved, so first-seen order varies from run to run.
          const counts = Object.entries(r.byMetric)
            .sort(([a], [b]) => metricRank(a) - metricRank(b) || a.localeCompare(b))
            .map(([m, n]) => `${n} ${m}`)
            .join(', ');
          t.title = r.skipped
            ? `Demo history already back-filled (${counts})`
            : `Back-filled 30 days of demo history in ${(r.ms / 1000).toFixed(1)} s (${counts})`;
        },
      },
    ],
    {
      ctx: state,
      rendererOptions: { collapseSubtasks: false },
      fallbackRenderer: 'simple',
      exitOnError: true,
    },
  );
  try {
    await tasks.run();
  } catch (err) {
    console.error(`\n${(err as Error).message}`);
    await stopAll(state);
    process.exit(1);
  }
  const s = await writeUpJson(state);
  // A range the API accepts (at most 400 days) that still covers today's readings when pasted later today.
  const from = new Date(Date.now() - 3_600_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  console.log(`
Linkwell is up. Ctrl-C stops everything.

  Console    ${s.console}
             sign in with WeChat-style (demo) as ${DEMO_SIGN_IN.person}, the household's owner, or with
             Google-like (demo) as ${DEMO_SECOND_SIGN_IN.person}, the second adult; the dependent's Mi scale
             readings wait in the household inbox. Anyone else gets a new account of their own.
  API        ${s.api}   (OpenAPI docs: ${s.api}/docs)
  OAuth      ${s.api}/.well-known/openid-configuration   (apps: register on ${s.console}developer;
             try examples/bp-trend-app, see the README)
  MQTT       ${s.mqtt}
  InfluxDB   ${s.influx}  (database "${s.database}")
  Logs       ${s.logs}
  State      ${state.dir}/up.json

Heart-rate trend of the demo account:

  curl -s -H "Authorization: Bearer $(node -p "require('${state.dir}/up.json').token")" \\
    "${s.api}/v1/trends/heart_rate?from=${from}&to=${to}&window=1m"
`);
  if (opts.exitAfter)
    setTimeout(() => void shutdown(`--exit-after ${opts.exitAfter}`), opts.exitAfter * 1000);
  if (state.gateway) {
    let readings = 0;
    state.gateway.bus.on('envelope.published', (e) => {
      readings += e.readings;
    });
    setInterval(
      () => console.log(`${new Date().toISOString()}  ${readings} readings acknowledged by ingest`),
      30_000,
    ).unref();
  }
}

const METRIC_ORDER = ['heart_rate', 'blood_pressure', 'body_weight'];

function metricRank(metric: string): number {
  const i = METRIC_ORDER.indexOf(metric);
  return i === -1 ? METRIC_ORDER.length : i;
}
