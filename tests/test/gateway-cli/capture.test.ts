import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  DEMO_HOME_DEVICES,
  SimHome,
  type SimulatedBluez,
  startSimulatedBluez,
  systemClock,
} from '@linkwell/device-sim';
import { codecFor, parseEvent } from '@linkwell/firmware-protocol';
import { captureIssues, type DeviceCapture } from '@linkwell/gateway';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RunningDbusDaemon,
  type RunningMosquitto,
  startDbusDaemon,
  startMosquitto,
} from '../../src/harness/index.js';

const CLI = resolve(fileURLToPath(import.meta.url), '../../../../cli/bin/linkwell.js');
const run = promisify(execFile);
const WRISTBAND = 'D0:00:00:00:00:01';
const SCALE = 'D0:00:00:00:00:03';
const UDS_READABLE = ['2a9a', '2a8a', '2a85', '2a8c', '2a8e', '2a99'];

async function capture(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<DeviceCapture> {
  const { stdout } = await run(process.execPath, [CLI, 'gateway', 'capture', ...args], {
    env,
    timeout: 45_000,
  });
  return JSON.parse(stdout) as DeviceCapture;
}

const chars = (c: DeviceCapture, service: string) =>
  c.services.find((s) => s.uuid === service)?.characteristics ?? [];

function expectWristband(c: DeviceCapture, transport: string) {
  expect(captureIssues(c)).toEqual([]);
  expect(c).toMatchObject({ v: 1, address: WRISTBAND, transport, frames_dropped: 0 });
  expect(c.disconnected).toBeUndefined();
  expect(c.advertisement).toMatchObject({ name: 'Linkwell Band' });
  expect(c.advertisement?.services).toContain('180d');
  expect(chars(c, '180d')).toContainEqual({ uuid: '2a37', properties: ['notify'], subscribe: { ok: true } });
  expect(chars(c, '180d').find((ch) => ch.uuid === '2a38')?.read).toEqual({
    value: expect.stringMatching(/^[0-9a-f]{2}$/),
  });
  const hr = c.frames.filter((f) => f.service === '180d' && f.char === '2a37');
  expect(hr.length).toBeGreaterThanOrEqual(3);
  for (const f of hr) {
    expect(f.t).toBeGreaterThanOrEqual(c.started_at);
    expect(f.t).toBeLessThanOrEqual(c.ended_at);
    const decoded = codecFor('2a37').decode(Buffer.from(f.hex, 'hex')) as {
      bpm?: unknown;
      heartRate?: unknown;
    };
    expect(decoded).toBeTypeOf('object');
  }
  // Receive times are in order.
  expect(hr.map((f) => f.t)).toEqual([...hr.map((f) => f.t)].sort((a, b) => a - b));
}

function expectScaleUdsBondedOnly(c: DeviceCapture, code: string) {
  expect(captureIssues(c)).toEqual([]);
  const uds = chars(c, '181c');
  expect(uds.map((ch) => ch.uuid)).toEqual(expect.arrayContaining(['2a9f', ...UDS_READABLE]));
  for (const uuid of UDS_READABLE) {
    expect(uds.find((ch) => ch.uuid === uuid)?.read, uuid).toEqual({
      error: { code, att: 0x05, message: expect.any(String) },
    });
  }
  // Everything that needs no bond was still read: the failures above were not fatal.
  expect(chars(c, '180a').every((ch) => ch.read && 'value' in ch.read)).toBe(true);
  expect(chars(c, '181d').find((ch) => ch.uuid === '2a9e')?.read).toMatchObject({
    value: expect.any(String),
  });
}

describe('linkwell gateway capture', () => {
  let bus: RunningDbusDaemon;
  let bluez: SimulatedBluez;
  let home: SimHome;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let broker: RunningMosquitto;

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = await mkdtemp(join(tmpdir(), 'lw-capture-'));
    bus = await startDbusDaemon();
    home = new SimHome({ clock: systemClock, seed: 7, devices: DEMO_HOME_DEVICES });
    bluez = await startSimulatedBluez({ busAddress: bus.address, peripherals: home.peripherals });
    env = { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: bus.address };
  });

  afterAll(async () => {
    home?.dispose();
    await bluez?.stop();
    await bus?.stop();
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('over node-ble: the wristband’s HRS table, and ≥3 heart-rate notifications that decode', async () => {
    const c = await capture(
      [WRISTBAND, '--transport', 'node-ble', '--duration', '4500', '--scan', '1000'],
      env,
    );
    expectWristband(c, 'node-ble');
    expect(c.duration_ms).toBeGreaterThanOrEqual(4500);
  });

  it('over node-ble: the scale’s bonded-only UDS characteristics are recorded with their error', async () => {
    const c = await capture([SCALE, '--transport', 'node-ble', '--duration', '300', '--scan', '1000'], env);
    expectScaleUdsBondedOnly(c, 'GATEWAY_ERR_BLE_AUTH_FAILED');
  });

  it('over sim, written to --out', async () => {
    const out = join(dir, 'band.json');
    const { stdout, stderr } = await run(
      process.execPath,
      [
        CLI,
        'gateway',
        'capture',
        WRISTBAND,
        '--transport',
        'sim',
        '--duration',
        '4500',
        '--scan',
        '500',
        '--out',
        out,
      ],
      { timeout: 45_000 },
    );
    expect(stdout).toBe('');
    expect(stderr).toMatch(/3 services, \d+ characteristics, 0 unreadable, \d+ frames/);
    expectWristband(JSON.parse(await readFile(out, 'utf8')) as DeviceCapture, 'sim');
  });

  it('over sim: the scale’s UDS reads fail with the simulated ATT 0x05', async () => {
    const c = await capture([SCALE, '--transport', 'sim', '--duration', '300', '--scan', '300']);
    expectScaleUdsBondedOnly(c, 'SIM_ERR_INSUFFICIENT_AUTHENTICATION');
  });

  it('--publish sends the capture as a device.capture event on the gateway’s events topic', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'static-token\n');
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'capture-observer', reconnectPeriod: 0 });
    const got = new Promise<{ topic: string; payload: Buffer }>((r) =>
      sub.once('message', (topic, payload) => r({ topic, payload })),
    );
    await sub.subscribeAsync('lw/v1/gw/+/events', { qos: 1 });
    const printed = await capture([
      WRISTBAND,
      '--transport',
      'sim',
      '--duration',
      '1500',
      '--scan',
      '300',
      '--publish',
      '--mqtt',
      broker.url,
      '--token-file',
      tokenFile,
      '--gateway-id',
      'gw_capture',
    ]);
    const { topic, payload } = await got;
    await sub.endAsync();
    expect(topic).toBe('lw/v1/gw/gw_capture/events');
    const event = parseEvent(payload) as ReturnType<typeof parseEvent> & {
      address: string;
      capture: DeviceCapture;
    };
    expect(event).toMatchObject({ v: 1, gw: 'gw_capture', type: 'device.capture', address: WRISTBAND });
    expect(captureIssues(event.capture)).toEqual([]);
    expect(event.capture).toEqual(printed);
  });

  it('fails with GATEWAY_ERR_CONFIG for something that is not an address', async () => {
    const err = await run(
      process.execPath,
      [CLI, 'gateway', 'capture', 'nope', '--transport', 'sim', '--scan', '0'],
      {
        timeout: 30_000,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/^GATEWAY_ERR_CONFIG: /m);
  });
});
