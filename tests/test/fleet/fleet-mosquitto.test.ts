import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetConnectError, type FleetProgress, runFleet } from '@linkwell/device-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMosquitto, startMosquitto } from '../../src/harness/index.js';
import { checkFleetEnvelopes, collectReadings } from './envelope-checks.js';

/** A mosquitto 2 password file line ($7$: PBKDF2-SHA512), so no mosquitto_passwd binary is needed. */
function passwordLine(user: string, password: string): string {
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `${user}:$7$101$${salt.toString('base64')}$${hash.toString('base64')}\n`;
}

describe('fleet → Mosquitto (anonymous)', () => {
  let broker: RunningMosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker?.stop());

  it('paced: acknowledges every message, never exceeds the rate, and a subscriber sees valid envelopes', async () => {
    const fleet = { gateways: 4, devicesPerGateway: 3, readingsPerMessage: 5 };
    const watcher = await collectReadings(broker.url);
    const progress: FleetProgress[] = [];
    try {
      const report = await runFleet(
        { brokerUrl: broker.url, ...fleet, rate: 200, durationS: 1.5, seed: 7 },
        { progress: (p) => progress.push(p) },
      );
      expect(report).toMatchObject({
        gateways: 4,
        devices: 12,
        readingsPerMessage: 5,
        connected: 4,
        publishingGateways: 4,
        failed: 0,
        connectFailures: 0,
        disconnects: 0,
        errors: {},
        aborted: false,
      });
      expect(report.sent).toBeGreaterThan(0);
      expect(report.acknowledged).toBe(report.sent);
      // The pacer hands out rate × elapsed messages, never more (one tick of rounding at most).
      expect(report.sent).toBeLessThanOrEqual(200 * 1.5 + 1);
      expect(report.readingsPerSecond).toBeCloseTo(report.messagesPerSecond * 5, 0);
      expect(report.ackLatencyMs.p50).toBeGreaterThan(0);
      expect(report.ackLatencyMs.p50).toBeLessThanOrEqual(report.ackLatencyMs.p99);
      expect(report.ackLatencyMs.p99).toBeLessThanOrEqual(report.ackLatencyMs.max);
      expect(progress.at(-1)).toMatchObject({ phase: 'done', sent: report.sent, acknowledged: report.sent });
      expect(progress.at(-1)!.ackRate).toBe(report.messagesPerSecond);

      await watcher.waitFor(report.acknowledged);
      expect(checkFleetEnvelopes(watcher.payloads, fleet)).toEqual({
        envelopes: report.acknowledged,
        readings: report.acknowledged * 5,
      });
    } finally {
      await watcher.close();
    }
  });

  it('unpaced (rate 0): publishes back to back over a small window and loses nothing', async () => {
    const fleet = { gateways: 3, devicesPerGateway: 2, readingsPerMessage: 1, idPrefix: 'burst' };
    const watcher = await collectReadings(broker.url);
    try {
      const report = await runFleet({
        brokerUrl: broker.url,
        ...fleet,
        rate: 0,
        inflight: 4,
        durationS: 0.5,
      });
      expect(report.sent).toBeGreaterThan(3 * 4);
      expect(report).toMatchObject({ acknowledged: report.sent, failed: 0, publishingGateways: 3 });
      await watcher.waitFor(report.acknowledged);
      checkFleetEnvelopes(watcher.payloads, fleet);
    } finally {
      await watcher.close();
    }
  });

  it('stops early on abort and still reports what was sent', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 400);
    const report = await runFleet({
      brokerUrl: broker.url,
      gateways: 2,
      devicesPerGateway: 1,
      readingsPerMessage: 1,
      rate: 100,
      durationS: 60,
      signal: abort.signal,
    });
    expect(report.aborted).toBe(true);
    expect(report.elapsedS).toBeLessThan(5);
    expect(report.sent).toBeGreaterThan(0);
    expect(report.acknowledged + report.failed).toBe(report.sent);
  });
});

describe('fleet → Mosquitto with password auth (MQTT 5)', () => {
  let broker: RunningMosquitto;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-fleet-auth-'));
    // Mosquitto started as root drops to its own user before it reads the password file.
    await chmod(dir, 0o755);
    const file = join(dir, 'passwords');
    await writeFile(file, passwordLine('loadtest', 's3cret'), { mode: 0o644 });
    broker = await startMosquitto({ config: `allow_anonymous false\npassword_file ${file}` });
  });
  afterAll(async () => {
    await broker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = (password: string, credentialsFor?: (gw: string) => boolean) =>
    runFleet({
      brokerUrl: broker.url,
      gateways: 3,
      devicesPerGateway: 1,
      readingsPerMessage: 2,
      rate: 100,
      durationS: 0.5,
      protocolVersion: 5,
      credentials: (gw) =>
        credentialsFor && !credentialsFor(gw) ? undefined : { username: 'loadtest', password },
    });

  it('connects every gateway with the shared credentials and gets every message acknowledged', async () => {
    const watcher = await collectReadings(broker.url, { username: 'loadtest', password: 's3cret' });
    try {
      const report = await run('s3cret');
      expect(report).toMatchObject({ protocolVersion: 5, connected: 3, connectFailures: 0, failed: 0 });
      expect(report.acknowledged).toBe(report.sent);
      await watcher.waitFor(report.acknowledged);
      checkFleetEnvelopes(watcher.payloads, { gateways: 3, devicesPerGateway: 1, readingsPerMessage: 2 });
    } finally {
      await watcher.close();
    }
  });

  it('counts gateways without credentials as connect failures, with the reason, and runs the rest', async () => {
    const report = await run('s3cret', (gw) => gw !== 'fleet-gw-0002');
    expect(report).toMatchObject({ connected: 2, publishingGateways: 2, connectFailures: 1, failed: 0 });
    expect(Object.keys(report.errors)).toEqual([
      expect.stringMatching(/^connect: Connection refused: .*\(CONNACK 13[45]\)$/),
    ]);
  });

  it('throws SIM_ERR_FLEET_CONNECT with the CONNACK reason when every connection is refused', async () => {
    const err = await run('wrong').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FleetConnectError);
    expect(err).toMatchObject({ code: 'SIM_ERR_FLEET_CONNECT' });
    expect((err as Error).message).toMatch(/none of 3 gateways could connect .*\(CONNACK 13[45]\)/);
    expect((err as FleetConnectError).report).toMatchObject({ connected: 0, connectFailures: 3, sent: 0 });
  });
});
