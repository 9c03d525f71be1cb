#!/usr/bin/env node
// An example third-party app for Linkwell: "Sign in with Linkwell" (OpenID Connect, code flow with PKCE)
// through openid-client, then the person's heart-rate and blood-pressure trends of the last 7 days read from
// Linkwell's API with the access token. README.md in this folder says how to register and run it.
//
//   node examples/bp-trend-app/server.mjs --issuer http://127.0.0.1:8080 --client-id … --client-secret …
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { readConfig, USAGE } from './config.mjs';
import {
  apiGet,
  discover,
  finishAuthorization,
  SessionEnded,
  startAuthorization,
  TokenHolder,
} from './linkwell.mjs';
import { homePage, messagePage, renderBloodPressure, renderHeartRate, trendsPage } from './render.mjs';

const COOKIE = 'bp_trend_sid';
const SESSION_IDLE_MS = 8 * 3_600_000;
/** Seven civil days of windows: the trend route's default span is `to` − 7 days (api trends schemas). */
const TREND_QUERY = '?window=daily';

let config;
try {
  config = readConfig(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`bp-trend-app: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (config.help) {
  console.log(USAGE);
  process.exit(0);
}

const client = await discover(config);

/** Server-side sessions: the browser holds only a random id; tokens never reach it. */
const sessions = new Map();

function sessionOf(req) {
  const match = (req.headers.cookie ?? '').match(new RegExp(`(?:^|;\\s*)${COOKIE}=([A-Za-z0-9_-]{43})`));
  const session = match ? sessions.get(match[1]) : undefined;
  if (!session || Date.now() - session.seenAt > SESSION_IDLE_MS) return undefined;
  session.seenAt = Date.now();
  return session;
}

function newSession(res) {
  const id = randomBytes(32).toString('base64url');
  const session = { id, seenAt: Date.now(), pending: null, holder: null };
  sessions.set(id, session);
  const secure = config.baseUrl.protocol === 'https:' ? '; Secure' : '';
  // SameSite=Lax still sends the cookie on the top-level GET back from Linkwell to /callback.
  res.setHeader('set-cookie', `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax${secure}`);
  return session;
}

function endSession(res, session) {
  sessions.delete(session.id);
  res.setHeader('set-cookie', `${COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

function redirect(res, location) {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

const routes = {
  'GET /': (req, res) => send(res, 200, homePage(Boolean(sessionOf(req)?.holder))),

  'GET /login': async (req, res) => {
    const session = sessionOf(req) ?? newSession(res);
    const { url, pending } = await startAuthorization(client, config);
    session.pending = pending;
    redirect(res, url.href);
  },

  'GET /callback': async (req, res) => {
    const session = sessionOf(req);
    const pending = session?.pending;
    if (!session || !pending) {
      const m = messagePage(
        'Sign-in expired',
        'This sign-in was not started here, or took too long. Start again.',
        400,
      );
      return send(res, m.status, m.html);
    }
    session.pending = null; // one use: a replayed callback finds nothing to complete
    const callbackUrl = new URL(req.url, config.baseUrl);
    const refused = callbackUrl.searchParams.get('error');
    if (refused !== null) {
      const m = messagePage('Not connected', `Linkwell did not connect this app (${refused}).`, 400);
      return send(res, m.status, m.html);
    }
    session.holder = new TokenHolder(client, await finishAuthorization(client, callbackUrl, pending));
    redirect(res, '/trends');
  },

  'GET /trends': async (req, res) => {
    const session = sessionOf(req);
    if (!session?.holder) return redirect(res, '/');
    const { holder } = session;
    try {
      const [heartRate, bloodPressure] = await Promise.all([
        apiGet(holder, config.issuer, `/v1/trends/heart_rate${TREND_QUERY}`),
        apiGet(holder, config.issuer, `/v1/trends/blood_pressure${TREND_QUERY}`),
      ]);
      send(
        res,
        200,
        trendsPage({
          subject: holder.tokens.subject,
          scope: holder.tokens.scope,
          heartRate: renderHeartRate(heartRate),
          bloodPressure: renderBloodPressure(bloodPressure),
        }),
      );
    } catch (error) {
      if (!(error instanceof SessionEnded)) throw error;
      endSession(res, session);
      const m = messagePage(
        'Disconnected',
        `Your connection to Linkwell has ended (${error.message}). Sign in again.`,
      );
      send(res, m.status, m.html);
    }
  },

  'POST /logout': async (req, res) => {
    const session = sessionOf(req);
    if (session?.holder) await session.holder.revoke();
    if (session) endSession(res, session);
    redirect(res, '/');
  },
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', config.baseUrl).pathname;
  const handler = routes[`${req.method} ${path}`];
  if (!handler) {
    const m = messagePage('Not found', `${req.method} ${path} is not a page of this app.`, 404);
    return send(res, m.status, m.html);
  }
  Promise.resolve(handler(req, res)).catch((error) => {
    console.error(`bp-trend-app: ${req.method} ${path} failed:`, error);
    if (res.headersSent) return res.end();
    const m = messagePage(
      'Something went wrong',
      error instanceof Error ? error.message : String(error),
      500,
    );
    send(res, m.status, m.html);
  });
});

server.listen(config.port, config.host, () => {
  const { port } = server.address();
  console.log(`bp-trend-app listening on http://${config.host}:${port} (redirect URI ${config.redirectUri})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
