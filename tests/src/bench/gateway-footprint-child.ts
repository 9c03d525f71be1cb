// The gateway process measured by bench:gateway: N simulated wristbands at 1 Hz on the in-memory radio,
// the real gateway with its durable outbox, and a real MQTT uplink. Prints "ready" once streaming.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimHome, systemClock } from '@linkwell/device-sim';
import { connectMqttUplink, createGateway } from '@linkwell/gateway';
import { pino } from 'pino';

const [broker, devicesArg] = process.argv.slice(2);
const devices = Number(devicesArg ?? 10);
const home = new SimHome({
  clock: systemClock,
  seed: 1,
  devices: Array.from({ length: devices }, (_, i) => ({
    kind: 'wristband' as const,
    address: `D0:00:00:00:01:${i.toString(16).padStart(2, '0').toUpperCase()}`,
  })),
});
const logger = pino({ level: 'warn' });
const uplink = await connectMqttUplink({
  url: broker!,
  gatewayId: 'gw_bench',
  token: 'bench',
  version: 'bench',
  logger,
});
const gateway = createGateway({
  id: 'gw_bench',
  central: home.radio(),
  uplink,
  logger,
  outbox: { dir: await mkdtemp(join(tmpdir(), 'lw-footprint-outbox-')) },
});
await gateway.start();
console.log('ready');
process.on('SIGTERM', () => {
  void gateway
    .stop()
    .then(() => uplink.close())
    .finally(() => process.exit(0));
});
