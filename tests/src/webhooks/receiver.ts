import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got, with what the `standardwebhooks` package made of it. */
export interface Received {
  id: string;
  timestamp: number;
  signature: string;
  body: string;
  /** The payload the package returned, or null when it refused the message. */
  verified: { type: string; timestamp: string; data: Record<string, unknown> } | null;
  refusal: string | null;
  /** Real time of arrival, ms. */
  at: number;
  challenge: boolean;
  /** What the receiver answered: an HTTP status, or 0 when it dropped the connection. */
  answered: number;
}

export type Behaviour =
  | { kind: 'ok' }
  /** Answers this status (503 for a receiver that is up but failing, 410 to unsubscribe). */
  | { kind: 'status'; status: number }
  /** Closes the connection without answering (a receiver that is down). */
  | { kind: 'drop' }
  | { kind: 'redirect'; location: string }
  /** A 200 with this many bytes of body. */
  | { kind: 'oversized'; bytes: number }
  /** Holds the answer (a 200) this long: a slow receiver, or one whose sender dies meanwhile. */
  | { kind: 'hold'; ms: number };

/**
 * A webhook receiver written with the `standardwebhooks` package, the way an app developer would: it verifies
 * every request against the raw body with the secrets it is given and answers the endpoint-verification
 * challenge with the package's `endpointVerificationResponse`.
 */
export class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = { kind: 'ok' };
  /** Overrides `behaviour` for the n-th request that is not a challenge (0-based), when it returns one. */
  plan: ((n: number) => Behaviour | undefined) | null = null;
  secrets: string[] = [];
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, headers, body }) => {
          if (status === 0) {
            req.socket.destroy();
            return;
          }
          res.writeHead(status, headers);
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  }

  async start(path = '/hooks'): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Deliveries (not challenges) the package verified and the receiver accepted (2xx), in arrival order. */
  deliveries(): Received[] {
    return this.received.filter(
      (r) => !r.challenge && r.verified !== null && r.answered >= 200 && r.answered < 300,
    );
  }

  /** Every request that was not a challenge, whatever the answer. */
  attempts(): Received[] {
    return this.received.filter((r) => !r.challenge);
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const entry = await this.answer(req);
    const last = this.received.at(-1);
    if (last) last.answered = entry.status;
    return entry;
  }

  private async answer(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    let verified: Received['verified'] = null;
    let refusal: string | null = null;
    for (const secret of this.secrets) {
      try {
        verified = new Webhook(secret).verify(body, headers) as Received['verified'];
        refusal = null;
        break;
      } catch (err) {
        refusal = (err as Error).message;
      }
    }
    const challenge = headers['webhook-challenge'];
    this.received.push({
      id: headers['webhook-id'] ?? '',
      timestamp: Number(headers['webhook-timestamp']),
      signature: headers['webhook-signature'] ?? '',
      body,
      verified,
      refusal,
      at: Date.now(),
      challenge: challenge !== undefined,
      answered: 0,
    });
    if (challenge !== undefined) {
      const secret = this.secrets[0];
      if (verified === null || secret === undefined) return { status: 401, headers: {}, body: '' };
      return {
        status: 204,
        headers: {
          'webhook-challenge-response': new Webhook(secret).endpointVerificationResponse(challenge),
        },
        body: '',
      };
    }
    const b = this.plan?.(this.attempts().length - 1) ?? this.behaviour;
    if (b.kind === 'hold') {
      await new Promise((resolve) => setTimeout(resolve, b.ms));
      // The sender went away meanwhile (killed): nobody hears the answer, so it is no delivery.
      if (req.socket.destroyed) return { status: 0, headers: {}, body: '' };
    }
    if (b.kind === 'drop') return { status: 0, headers: {}, body: '' };
    if (b.kind === 'status') return { status: b.status, headers: {}, body: `status ${b.status}` };
    if (b.kind === 'redirect') return { status: 302, headers: { location: b.location }, body: '' };
    if (b.kind === 'hold') return { status: 200, headers: {}, body: '{"ok":true}' };
    if (b.kind === 'oversized')
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(b.bytes) };
    return {
      status: verified === null ? 401 : 200,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true}',
    };
  }
}
