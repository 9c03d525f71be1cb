import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiApp,
  buildApp,
  createTokenIssuer,
  type Database,
  DEMO_HOME,
  generateSigningKeys,
} from '@linkwell/api';
import { GatewayTokenSource, readCredentials, writeCredentials } from '@linkwell/gateway';
import type { IngestService } from '@linkwell/ingest';
import { linkGateway } from 'linkwell';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoRegistry, startTestIngest } from '../../src/demo-platform.js';
import { freePort, startInfluxd } from '../../src/harness/index.js';

const _silent = pino({ level: 'silent' });

describe('gateway onboarding end to end: gateway link → approval → MQTT token accepted by ingest', () => {
  let influx: Awaited<ReturnType<typeof startInfluxd>>;
  let db: Database;
  let ingest: IngestService;
  let api: ApiApp;
  let apiUrl: string;
  let dir: string;
  const keys = generateSigningKeys();
  const issuer = createTokenIssuer(keys);
  const approverToken = issuer.userToken(DEMO_HOME.accountId, { scopes: ['gateways:link'] });
  let linked: Awaited<ReturnType<typeof linkGateway>>;
  let output = '';
  let approval: Promise<Response> | undefined;

  beforeAll(async () => {
    influx = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'lw-onboarding-'));
    db = await openDemoRegistry();
    ingest = await startTestIngest({
      influxUrl: influx.url,
      registry: db,
      gatewayPublicKeyPem: keys.publicKeyPem,
      dataDir: join(dir, 'ingest'),
    });
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    api = buildApp({
      db,
      influx: { url: influx.url, database: 'linkwell' },
      keys,
      metrics: new Registry(),
      logger: false,
      // 1 s polling keeps the test quick; everything else keeps its production default.
      deviceFlow: { intervalSeconds: 1, mqttUrl: ingest.mqttUrl },
    });
    await api.listen({ host: '127.0.0.1', port });

    linked = await linkGateway(
      { api: apiUrl, credentials: join(dir, 'etc', 'gateway.json'), name: 'E2E gateway' },
      {
        out: {
          write: (t: string) => {
            output += t;
          },
        },
        // The household member approves in "the app" as soon as the code is on screen.
        onAuthorization: (a) => {
          approval = fetch(`${apiUrl}/v1/device-authorizations/verify`, {
            method: 'POST',
            headers: { authorization: `Bearer ${approverToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ user_code: a.userCode }),
          });
        },
      },
    );
  });

  afterAll(async () => {
    await api?.close();
    await ingest?.close();
    await db?.close();
    await influx?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const connect = (username: string, password: string, clientId: string) =>
    mqtt.connectAsync(ingest.mqttUrl, { username, password, clientId, reconnectPeriod: 0 });

  it('shows the code, the verification URL and a QR code, and creates the gateway in the approving household', async () => {
    const res = await approval!;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user_code: string; household_id: string };
    expect(body.household_id).toBe(DEMO_HOME.householdId);
    expect(output).toContain(`open ${apiUrl}/device`);
    expect(output).toContain(`    ${body.user_code}\n`);
    expect(output).toMatch(/[▄▀█]{5,}/); // the terminal QR code
    expect(output).toContain(`Gateway id: ${linked.gatewayId}`);
    expect(linked.gatewayId).toMatch(/^gw_[A-Za-z0-9]{16}$/);
    const { rows } = await db.query('SELECT household_id, name FROM gateways WHERE id = $1', [
      linked.gatewayId,
    ]);
    expect(rows).toEqual([{ household_id: DEMO_HOME.householdId, name: 'E2E gateway' }]);
  });

  it('writes the credentials file with mode 0600 and no access token in it', async () => {
    const st = await stat(linked.credentialsPath);
    expect(st.mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(linked.credentialsPath, 'utf8'))).toEqual({
      gatewayId: linked.gatewayId,
      refreshToken: linked.tokens.refreshToken,
      apiUrl: `${apiUrl}/`,
      mqttUrl: ingest.mqttUrl,
    });
  });

  it("connects to ingest's broker with the issued token and publishes to its own topics", async () => {
    const c = await connect(linked.gatewayId, linked.tokens.accessToken, 'onboarded-1');
    await c.publishAsync(`lw/v1/gw/${linked.gatewayId}/status`, '{"state":"online"}', { qos: 1 });
    await c.subscribeAsync(`lw/v1/gw/${linked.gatewayId}/cmd`, { qos: 1 });
    await c.endAsync();
  });

  it("is refused on another gateway's topics and as another gateway's username", async () => {
    const c = await connect(linked.gatewayId, linked.tokens.accessToken, 'onboarded-2');
    await expect(c.subscribeAsync(`lw/v1/gw/${DEMO_HOME.gatewayId}/cmd`, { qos: 1 })).rejects.toMatchObject({
      packet: { granted: [128] },
    });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(`lw/v1/gw/${DEMO_HOME.gatewayId}/status`, '{"state":"online"}', { qos: 1 });
    await closed;
    c.end(true);
    await expect(
      connect(DEMO_HOME.gatewayId, linked.tokens.accessToken, 'onboarded-3'),
    ).rejects.toMatchObject({
      code: 4,
    });
  });

  it('refreshes through the real API: rotated refresh token saved 0600, new MQTT token accepted, old one dead', async () => {
    const creds = await readCredentials(linked.credentialsPath);
    const source = new GatewayTokenSource({
      credentials: creds,
      save: (c) => writeCredentials(linked.credentialsPath, c),
    });
    const fresh = await source.token();
    const saved = await readCredentials(linked.credentialsPath);
    expect(saved.refreshToken).not.toBe(creds.refreshToken);
    expect((await stat(linked.credentialsPath)).mode & 0o777).toBe(0o600);

    const c = await connect(linked.gatewayId, fresh, 'onboarded-4');
    await c.publishAsync(`lw/v1/gw/${linked.gatewayId}/events`, '{"type":"refreshed"}', { qos: 1 });
    await c.endAsync();

    const stale = new GatewayTokenSource({ credentials: creds, save: async () => {} });
    await expect(stale.token()).rejects.toMatchObject({ code: 'GATEWAY_ERR_TOKEN_REFRESH' });
  });
});
