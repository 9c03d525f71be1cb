// The gateway process measured by bench:gateway: N simulated wristbands at 1 Hz on the in-memory radio,
// the real gateway with its durable outbox, and a real MQTT uplink. Prints "ready" once streaming.
// Arguments: broker URL, number of devices, gateway id.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMqttUplink, createGateway } from '@linkwell/gateway';
import { pino } from 'pino';

type DeviceSim = typeof import('@linkwell/device-sim');
// Only the in-memory household: the package entry also loads the simulated BlueZ (dbus-next), the noble
// bindings and the fleet, ~5 MB that a real gateway, whose devices are outside the process, never carries.
const simDist = import.meta.resolve('@linkwell/device-sim');
const { SimHome } = (await import(new URL('./home/home.js', simDist).href)) as Pick<DeviceSim, 'SimHome'>;
const { systemClock } = (await import(new URL('./clock.js', simDist).href)) as Pick<DeviceSim, 'systemClock'>;

const [broker, devicesArg, gatewayId = 'gw_bench'] = process.argv.slice(2);
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
const outboxDir = await mkdtemp(join(tmpdir(), 'lw-footprint-outbox-'));
const uplink = await connectMqttUplink({
  url: broker!,
  gatewayId,
  token: 'bench',
  version: 'bench',
  logger,
});
const gateway = createGateway({
  id: gatewayId,
  central: home.radio(),
  uplink,
  logger,
  outbox: { dir: outboxDir },
});
await gateway.start();
console.log('ready');
process.on('SIGTERM', () => {
  void gateway
    .stop()
    .then(() => uplink.close())
    .then(() => rm(outboxDir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});
