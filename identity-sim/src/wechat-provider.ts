import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertUniqueIds } from './errors.js';
import { errorPage } from './html.js';
import { closeServer, listen, originOf, sendHtml, sendJson } from './http.js';
import type { DemoPerson, WechatApp } from './types.js';
import { WechatAuthorizeFlow } from './wechat-authorize.js';
import { WechatLedger } from './wechat-ledger.js';
import type { WechatError } from './wechat-wire.js';

export interface SimWechatOptions {
  host?: string;
  port?: number;
  displayName: string;
  people: readonly DemoPerson[];
  apps: readonly WechatApp[];
  /** Default true: the apps are bound to an open-platform account, so answers carry a unionid. */
  unionid?: boolean;
  /** Milliseconds since the epoch; inject it to expire codes and tokens in tests. */
  now?: () => number;
  /** Delay every API answer (the /sns/ endpoints), for tests of slow upstreams. */
  latencyMs?: number;
}

export interface SimWechatProvider {
  baseUrl: string;
  authorizeUrl: string;
  tokenUrl: string;
  refreshUrl: string;
  userinfoUrl: string;
  /** The per-app openid and the unionid this provider gives a person (tests assert on them). */
  openidOf(appid: string, personId: string): string;
  unionidOf(personId: string): string;
  /** Test hook: the next token-endpoint call answers with this errcode/errmsg. */
  failNextToken(errcode: number, errmsg: string): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

/** Starts a WeChat-style OAuth 2.0 provider (not OIDC: no ID token, no discovery, no e-mail) on loopback. */
export async function startSimWechatProvider(opts: SimWechatOptions): Promise<SimWechatProvider> {
  assertUniqueIds(
    opts.people.map((p) => p.id),
    'person',
  );
  assertUniqueIds(
    opts.apps.map((a) => a.appid),
    'app',
  );
  const now = opts.now ?? Date.now;
  const ledger = new WechatLedger(opts.people, opts.apps, now, opts.unionid ?? true, opts.displayName);
  const flow = new WechatAuthorizeFlow(opts.displayName, ledger, now);
  let latencyMs = opts.latencyMs ?? 0;
  let failNext: WechatError | undefined;

  // WeChat's API answers are JSON with HTTP 200 even for errors (errcode/errmsg); only the transport differs.
  const api = async (res: ServerResponse, answer: () => object) => {
    if (latencyMs > 0) await sleep(latencyMs);
    sendJson(res, 200, answer());
  };
  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const at = `${req.method} ${url.pathname}`;
    const q = url.searchParams;
    if (at === 'GET /connect/qrconnect') return flow.show(url, res);
    if (at === 'POST /connect/qrconnect/scan') return flow.scan(req, res);
    if (at === 'POST /connect/qrconnect/cancel') return flow.cancel(req, res);
    if (at === 'GET /sns/oauth2/access_token')
      return api(res, () => {
        const forced = failNext;
        failNext = undefined;
        return forced ?? ledger.exchangeCode(q);
      });
    if (at === 'GET /sns/oauth2/refresh_token') return api(res, () => ledger.refresh(q));
    if (at === 'GET /sns/userinfo') return api(res, () => ledger.userinfo(q));
    if (at === 'GET /sns/auth') return api(res, () => ledger.check(q));
    sendHtml(res, 404, errorPage(opts.displayName, 'Not found', `Nothing is served at ${url.pathname}.`));
  };
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      console.error('identity-sim: WeChat-style request failed', err);
      if (!res.headersSent)
        sendHtml(res, 500, errorPage(opts.displayName, 'Something went wrong', 'See the log.'));
    });
  });

  const host = opts.host ?? '127.0.0.1';
  const baseUrl = originOf(host, await listen(server, host, opts.port ?? 0));
  return {
    baseUrl,
    authorizeUrl: `${baseUrl}/connect/qrconnect`,
    tokenUrl: `${baseUrl}/sns/oauth2/access_token`,
    refreshUrl: `${baseUrl}/sns/oauth2/refresh_token`,
    userinfoUrl: `${baseUrl}/sns/userinfo`,
    openidOf: (appid, personId) => ledger.openidOf(appid, personId),
    unionidOf: (personId) => ledger.unionidOf(personId),
    failNextToken: (errcode, errmsg) => {
      failNext = { errcode, errmsg };
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    close: () => closeServer(server),
  };
}
