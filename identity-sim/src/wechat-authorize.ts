import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorPage } from './html.js';
import { readForm, redirect, sendHtml } from './http.js';
import type { WechatApp } from './types.js';
import type { WechatLedger } from './wechat-ledger.js';
import { scanPage } from './wechat-pages.js';

const TICKET_LIFE_MS = 5 * 60 * 1000;

interface Ticket {
  app: WechatApp;
  redirectUri: string;
  state: string | null;
  expiresAt: number;
}

/**
 * Is `uri` under one of the app's registered prefixes: same origin, and the path equal to the prefix path or
 * below it at a segment boundary, so "/cb" admits "/cb/wechat" but not "/cbx". Real WeChat only compares the
 * host with the app's "authorisation callback domain"; a path prefix is stricter and catches open-redirect bugs.
 */
export function withinPrefix(uri: string, prefix: string): boolean {
  const u = URL.parse(uri);
  const p = URL.parse(prefix);
  if (!u || !p || u.origin !== p.origin || u.hash !== '' || u.username !== '' || u.password !== '')
    return false;
  if (p.pathname.endsWith('/')) return u.pathname.startsWith(p.pathname);
  return u.pathname === p.pathname || u.pathname.startsWith(`${p.pathname}/`);
}

function withParams(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.href;
}

/** Why an authorization request is refused, in the order WeChat checks: app, callback, response type, scope. */
function refusal(
  app: WechatApp | undefined,
  redirectUri: string,
  q: URLSearchParams,
): { heading: string; detail: string } | undefined {
  if (!app) return { heading: 'Parameter error', detail: 'The appid is missing or not registered.' };
  if (!app.redirect_uri_prefixes.some((prefix) => withinPrefix(redirectUri, prefix)))
    return {
      heading: 'redirect_uri parameter error',
      detail: "The redirect_uri is not under the app's callback.",
    };
  if (q.get('response_type') !== 'code')
    return { heading: 'Parameter error', detail: 'response_type must be code.' };
  if (q.get('scope') !== 'snsapi_login')
    return {
      heading: 'Scope parameter error or no scope permission',
      detail: 'Website login uses snsapi_login.',
    };
  return undefined;
}

/** The browser side of WeChat's website login: the QR page and what "scanning" or cancelling leads to. */
export class WechatAuthorizeFlow {
  readonly #tickets = new Map<string, Ticket>();

  constructor(
    private readonly displayName: string,
    private readonly ledger: WechatLedger,
    private readonly now: () => number,
  ) {}

  /**
   * GET /connect/qrconnect?appid&redirect_uri&response_type=code&scope=snsapi_login&state (Website App WeChat
   * Login, step 1). A bad request gets an error page, never a redirect: the redirect_uri is not yet trusted.
   */
  show(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const app = this.ledger.app(q.get('appid'));
    const redirectUri = q.get('redirect_uri') ?? '';
    const problem = refusal(app, redirectUri, q);
    if (!app || problem) {
      sendHtml(res, 400, errorPage(this.displayName, problem?.heading ?? '', problem?.detail ?? ''));
      return;
    }
    for (const [id, old] of this.#tickets) if (old.expiresAt <= this.now()) this.#tickets.delete(id);
    const ticket = randomBytes(24).toString('base64url');
    this.#tickets.set(ticket, {
      app,
      redirectUri,
      state: q.get('state'),
      expiresAt: this.now() + TICKET_LIFE_MS,
    });
    sendHtml(
      res,
      200,
      scanPage({ displayName: this.displayName, appid: app.appid, ticket, people: this.ledger.people }),
    );
  }

  /** POST …/scan: the chosen person "scanned"; back to the app with a code and the state. */
  async scan(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const id = form?.get('ticket') ?? '';
    const ticket = this.#live(id);
    if (!ticket) return this.#expired(res);
    const person = this.ledger.person(form?.get('person') ?? null);
    if (!person)
      return sendHtml(
        res,
        400,
        errorPage(this.displayName, 'Unknown account', 'That person does not exist here.'),
      );
    this.#tickets.delete(id);
    const code = this.ledger.issueCode(ticket.app, person);
    redirect(res, withParams(ticket.redirectUri, { code, state: ticket.state }));
  }

  /** POST …/cancel: WeChat sends a refusing user back with the state only, no code. */
  async cancel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = (await readForm(req))?.get('ticket') ?? '';
    const ticket = this.#live(id);
    if (!ticket) return this.#expired(res);
    this.#tickets.delete(id);
    redirect(res, withParams(ticket.redirectUri, { state: ticket.state }));
  }

  /** Tickets are single use (deleted once scanned or cancelled) and die after five minutes like a QR code. */
  #live(id: string): Ticket | undefined {
    const ticket = this.#tickets.get(id);
    return ticket && ticket.expiresAt > this.now() ? ticket : undefined;
  }

  #expired(res: ServerResponse): void {
    sendHtml(
      res,
      400,
      errorPage(this.displayName, 'QR code expired', 'Go back to the app and start the login again.'),
    );
  }
}
