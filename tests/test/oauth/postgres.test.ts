import { type Database, migrate, openPostgres } from '@linkwell/api';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPostgres, startPostgres } from '../../src/harness/index.js';
import type { SignedIn } from '../../src/identity/attack-kit.js';
import { type IdentityStack, startIdentityStack } from '../../src/identity/index.js';
import { apiGet, claimsOf, refresh } from '../../src/oauth/attack.js';
import { connectApp, type RegisteredApp, registerApp, signInAs } from '../../src/oauth/kit.js';

const DB = 'linkwell_oauth';

// The oauth_models adapter on a real PostgreSQL server (the production store), not only PGlite.
describe('the authorization server on PostgreSQL', () => {
  let server: RunningPostgres;
  let admin: pg.Client;
  let db: Database;
  let stack: IdentityStack;
  let person: SignedIn;
  let app: RegisteredApp;

  beforeAll(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DB}`);
    db = await openPostgres(server.url.replace(/\/postgres$/, `/${DB}`));
    await migrate(db);
    stack = await startIdentityStack({ db });
    const developer = await signInAs(stack, 'Li Wei');
    person = await signInAs(stack, 'Alex Morgan');
    app = await registerApp(stack, developer);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await db?.close();
    await admin?.end();
    await server?.stop();
  });

  it('runs code + PKCE, refresh with rotation, introspection and revocation', async () => {
    const { config, tokens } = await connectApp(stack, person, app, {
      scope: 'openid offline_access heart_rate.read trends.read',
    });
    expect((await apiGet(stack, tokens.access_token, '/v1/trends')).status).toBe(200);
    const models = await db.query<{ model: string }>(
      `SELECT DISTINCT model FROM oauth_models ORDER BY model`,
    );
    expect(models.rows.map((r) => r.model)).toEqual(
      expect.arrayContaining(['AuthorizationCode', 'Grant', 'RefreshToken', 'Session']),
    );

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    const replay = await refresh(stack, app, tokens.refresh_token as string);
    expect(replay.body).toMatchObject({ error: 'invalid_grant' });
    // The replay revoked the grant, rotated token included (OAuth 2.0 Security BCP §4.14.2).
    expect((await refresh(stack, app, refreshed.refresh_token as string)).body).toMatchObject({
      error: 'invalid_grant',
    });

    const again = await connectApp(stack, person, app, {
      scope: 'openid offline_access heart_rate.read trends.read',
    });
    expect(await oidc.tokenIntrospection(again.config, again.tokens.access_token)).toMatchObject({
      active: true,
      sub: claimsOf(again.tokens.access_token).sub,
    });
    await oidc.tokenRevocation(again.config, again.tokens.refresh_token as string);
    expect((await refresh(stack, app, again.tokens.refresh_token as string)).body).toMatchObject({
      error: 'invalid_grant',
    });
    const gid = claimsOf(again.tokens.access_token).gid as string;
    const left = await db.query(`SELECT model FROM oauth_models WHERE grant_id = $1`, [gid]);
    expect(left.rows).toEqual([]);
  });

  it('answers 503 API_ERR_OAUTH_UNAVAILABLE while the database refuses connections, and works after', async () => {
    const { tokens } = await connectApp(stack, person, app, {
      scope: 'openid offline_access heart_rate.read trends.read',
    });
    // An outage as the API sees it: every pooled connection dropped and no new one accepted.
    await admin.query(`ALTER DATABASE ${DB} ALLOW_CONNECTIONS false`);
    await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [DB],
    );
    try {
      const down = await refresh(stack, app, tokens.refresh_token as string);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.any(String),
        code: 'API_ERR_OAUTH_UNAVAILABLE',
      });
    } finally {
      await admin.query(`ALTER DATABASE ${DB} ALLOW_CONNECTIONS true`);
    }
    // Nothing was consumed during the outage: the same refresh token still works.
    const up = await refresh(stack, app, tokens.refresh_token as string);
    expect(up.status).toBe(200);
    expect(up.body.access_token).toBeTypeOf('string');
  });
});
