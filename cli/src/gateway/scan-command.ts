import { matchProfile } from '@linkwell/firmware-protocol';
import { type Command, Option } from 'commander';
import { pino } from 'pino';
import { intOption } from '../commands/options.js';
import { openTransport, TRANSPORTS, type TransportKind } from './transports.js';

/** `linkwell gateway scan`: what the gateway would see, and which profile each device matches. */
export function registerGatewayScan(gateway: Command): void {
  gateway
    .command('scan')
    .description('Scan for health devices and show the profile each one matches')
    .addOption(new Option('--transport <kind>', 'BLE stack').choices(TRANSPORTS).default('node-ble'))
    .option('--duration <ms>', 'how long to scan', intOption, 5000)
    .option('--seed <n>', 'seed of the simulated household (sim and noble transports)', intOption, 42)
    .option('--json', 'print JSON lines')
    .action(async (o: { transport: TransportKind; duration: number; seed: number; json?: boolean }) => {
      const logger = pino({ level: 'warn' }, pino.destination(2));
      const t = await openTransport(o.transport, { seed: o.seed, logger });
      try {
        console.error(`scanning for ${o.duration} ms over ${o.transport}…`);
        const found = await t.central.scan({ durationMs: o.duration });
        for (const r of found) {
          const profile = matchProfile({
            ...(r.name ? { name: r.name } : {}),
            services: r.services.filter((s) => /^[0-9a-f]{4}$/.test(s)).map((s) => Number.parseInt(s, 16)),
            ...(r.manufacturerData
              ? {
                  manufacturerData: new Map(
                    Object.entries(r.manufacturerData).map(([k, v]) => [Number(k), v]),
                  ),
                }
              : {}),
          });
          if (o.json)
            console.log(
              JSON.stringify({
                ...r,
                serviceData: undefined,
                manufacturerData: undefined,
                profile: profile?.id ?? null,
              }),
            );
          else
            console.log(
              `${r.address}  ${(r.name ?? '?').padEnd(18)} rssi ${String(r.rssi ?? '?').padStart(4)}  ${r.services.join(',')}  → ${profile ? `${profile.id} (${profile.vendor} ${profile.model})` : 'unsupported'}`,
            );
        }
        if (found.length === 0) console.error('no devices found');
      } finally {
        await t.close();
      }
    });
}
