import { type HomeDeviceSpec, ManualClock, SimHome } from '@linkwell/device-sim';
import type { BleCentral, Reading } from '@linkwell/firmware-protocol';
import { pino } from 'pino';
import { createGateway, type GatewayDeps } from '../src/gateway.js';
import type { Uplink } from '../src/uplink/mqtt-uplink.js';

export const T0 = Date.UTC(2026, 10, 23, 8);

const nullUplink: Uplink = {
  async publishReadings() {},
  async publishEvent() {},
  async close() {},
};

/** Polls until `cond` holds; in-memory indications travel on promise callbacks and immediates. */
export async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A SimHome with the given devices and a gateway on its in-memory radio; every bus event is recorded. */
export function featureHome(
  devices: HomeDeviceSpec[],
  opts: Partial<GatewayDeps> & { wrap?: (c: BleCentral) => BleCentral } = {},
) {
  const clock = new ManualClock(T0);
  const home = new SimHome({ clock, seed: 11, devices });
  const radio = home.radio();
  const { wrap, ...rest } = opts;
  const gw = createGateway({
    id: 'gw_features',
    central: wrap ? wrap(radio) : radio,
    uplink: nullUplink,
    logger: pino({ level: 'silent' }),
    now: () => clock.now(),
    batch: { maxReadings: 1000, lingerMs: 60_000 },
    ...rest,
  });
  const readings: Reading[] = [];
  const events: { type: string; [k: string]: unknown }[] = [];
  gw.bus.on('reading', (r) => readings.push(r));
  for (const type of [
    'device.connected',
    'device.disconnected',
    'device.reconnecting',
    'device.time_synced',
    'device.info',
    'device.user_consented',
    'device.feature_failed',
  ] as const)
    gw.bus.on(type, (e: object) => events.push({ type, ...e }));
  const of = (type: string) => events.filter((e) => e.type === type);
  return { clock, home, radio, gw, readings, events, of };
}
