import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Database } from '../../db/sql-client.js';
import { ApiError } from '../../errors.js';
import { type EventsService, type EventType, WEBHOOK_EVENT_TYPES } from '../events/index.js';
import { createHistoryService } from './history.js';
import { type EndpointRow, type PayloadKind, webhooksRepository } from './repository.js';
import { seal, unseal } from './sealed.js';
import { send } from './sender.js';
import { newEd25519Pair, newWebhookSecret, signatureHeaders } from './signing.js';
import type { AppDirectory, AppFacts, WebhookSettings } from './types.js';
import { checkUrlSyntax, resolveTarget, UrlRefused } from './url-policy.js';

export interface EndpointInput {
  url: string;
  event_types: string[];
  payload?: PayloadKind | undefined;
  description?: string | null | undefined;
  ed25519?: boolean | undefined;
  /** The developer's own `whsec_` secret; without one the platform makes it. */
  secret?: string | undefined;
}

export interface EndpointView {
  id: string;
  client_id: string;
  url: string;
  event_types: string[];
  payload: PayloadKind;
  status: EndpointRow['status'];
  description: string | null;
  ed25519_public_key: string | null;
  verified_at: string | null;
  disabled_at: string | null;
  disabled_reason: string | null;
  created_at: string;
  secrets: { id: string; created_at: string; expires_at: string | null }[];
}

export function viewOf(row: EndpointRow, secrets: EndpointView['secrets']): EndpointView {
  return {
    id: row.id,
    client_id: row.client_id,
    url: row.url,
    event_types: row.event_types,
    payload: row.payload,
    status: row.status,
    description: row.description,
    ed25519_public_key: row.ed25519_public,
    verified_at: row.verified_at,
    disabled_at: row.disabled_at,
    disabled_reason: row.disabled_reason,
    created_at: row.created_at,
    secrets,
  };
}

/** Developers' webhook endpoints (docs/webhooks.md): registration, verification, secrets, log, replay, backfill. */
export function createWebhooksService(deps: {
  db: Database;
  events: EventsService;
  directory: AppDirectory;
  settings: WebhookSettings;
  secretKey: Buffer;
  now: () => number;
  /** Wakes the delivery worker after something was queued. */
  wake: () => void;
  /** Tells this process's worker an endpoint changed (secrets, URL, status), so it reads it again. */
  changed: (endpointId: string) => void;
}) {
  const { db, directory, settings, now } = deps;
  const repo = webhooksRepository(db);
  const iso = (ms = now()) => new Date(ms).toISOString();

  async function ownedApp(owner: string, clientId: string): Promise<AppFacts> {
    const app = await directory.app(clientId);
    if (app === undefined || app.ownerAccountId !== owner) {
      throw new ApiError('API_ERR_CLIENT_NOT_FOUND', 'No app with this client id is registered by you.', {
        client_id: clientId,
      });
    }
    return app;
  }
  async function owned(owner: string, clientId: string, endpointId: string) {
    const app = await ownedApp(owner, clientId);
    const endpoint = await repo.endpoint(endpointId);
    if (endpoint === undefined || endpoint.client_id !== clientId) {
      throw new ApiError('API_ERR_WEBHOOK_NOT_FOUND', 'No webhook endpoint with this id on this app.', {
        endpoint_id: endpointId,
      });
    }
    return { app, endpoint };
  }
  async function view(endpoint: EndpointRow): Promise<EndpointView> {
    const secrets = await repo.liveSecrets(endpoint.id, iso());
    return viewOf(
      endpoint,
      secrets.map((s) => ({ id: s.id, created_at: s.created_at, expires_at: s.expires_at })),
    );
  }

  async function checkUrl(raw: string, sandbox: boolean): Promise<void> {
    try {
      await resolveTarget(checkUrlSyntax(raw, sandbox), sandbox, settings.lookup);
    } catch (err) {
      if (err instanceof UrlRefused) {
        throw new ApiError('API_ERR_WEBHOOK_URL_REFUSED', err.message, { reason: err.reason, field: 'url' });
      }
      throw err;
    }
  }
  function checkTypes(types: readonly string[]): EventType[] {
    const bad = types.find((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
    if (bad !== undefined || types.length === 0) {
      throw new ApiError(
        'API_ERR_WEBHOOK_EVENT_TYPE',
        bad === undefined
          ? 'Subscribe to at least one event type.'
          : `${bad.slice(0, 60)} is not an event type.`,
        { field: 'event_types', allowed: [...WEBHOOK_EVENT_TYPES] },
      );
    }
    return [...new Set(types)] as EventType[];
  }

  /**
   * Standard Webhooks endpoint verification (spec extension "Endpoint verification"): a signed POST carrying
   * `webhook-challenge`; the receiver proves it holds the secret by answering `webhook-challenge-response`
   * = HMAC of the challenge under a key derived from the secret (the package's endpointVerificationResponse).
   */
  async function challenge(
    app: AppFacts,
    endpoint: EndpointRow,
  ): Promise<{ verified: boolean; detail: string }> {
    const secrets = (await repo.liveSecrets(endpoint.id, iso())).map((s) =>
      unseal(deps.secretKey, s.ciphertext),
    );
    const value = randomBytes(24).toString('base64url');
    const id = `challenge_${randomUUID()}`;
    const body = JSON.stringify({ type: 'webhook.challenge', timestamp: iso(), data: { challenge: value } });
    let target: Awaited<ReturnType<typeof resolveTarget>>;
    const url = checkUrlSyntax(endpoint.url, app.sandbox);
    try {
      target = await resolveTarget(url, app.sandbox, settings.lookup);
    } catch (err) {
      if (err instanceof UrlRefused) return { verified: false, detail: err.message };
      throw err;
    }
    const r = await send({
      url,
      address: target.address,
      family: target.family,
      headers: {
        ...signatureHeaders(id, new Date(settings.wallClock()), body, {
          secrets,
          ed25519:
            endpoint.ed25519_private === null ? null : unseal(deps.secretKey, endpoint.ed25519_private),
        }),
        'webhook-challenge': value,
      },
      body,
      timeoutMs: settings.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      snippetBytes: 200,
      ca: settings.ca,
    });
    if (r.status === null) return { verified: false, detail: `no answer (${r.error})` };
    if (r.status < 200 || r.status >= 300) return { verified: false, detail: `answered HTTP ${r.status}` };
    const answer = r.headers['webhook-challenge-response'];
    const good = secrets.some((s) => {
      try {
        new Webhook(s).verifyEndpointVerificationResponse(value, answer ?? '');
        return true;
      } catch {
        return false;
      }
    });
    if (!good) return { verified: false, detail: 'no valid webhook-challenge-response header' };
    return { verified: true, detail: 'verified' };
  }

  /** Standard Webhooks "Signature scheme": `whsec_` + base64 of 24 to 64 bytes. */
  function checkSecret(secret: string): void {
    const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
    const n = m ? Buffer.from(m[1] as string, 'base64').length : 0;
    if (n < 24 || n > 64) {
      throw new ApiError('API_ERR_VALIDATION', 'A secret is whsec_ followed by base64 of 24 to 64 bytes.', {
        field: 'secret',
      });
    }
  }

  /** Challenges the endpoint and, when it answers, marks it verified with its log position at the end. */
  async function verifyAndMark(app: AppFacts, endpoint: EndpointRow) {
    const v = await challenge(app, endpoint);
    if (v.verified) await repo.markVerified(endpoint.id, await deps.events.head(), iso());
    return v;
  }

  return {
    async create(owner: string, clientId: string, input: EndpointInput) {
      const app = await ownedApp(owner, clientId);
      const types = checkTypes(input.event_types);
      await checkUrl(input.url, app.sandbox);
      const secret = input.secret ?? newWebhookSecret();
      if (input.secret !== undefined) checkSecret(input.secret);
      const pair = input.ed25519 ? newEd25519Pair() : null;
      const id = `ep_${randomBytes(12).toString('base64url')}`;
      await db.transaction(async (tx) => {
        const r = webhooksRepository(tx);
        await r.insertEndpoint({
          id,
          client_id: clientId,
          url: input.url,
          event_types: types,
          payload: input.payload ?? 'thin',
          status: 'unverified',
          description: input.description ?? null,
          ed25519_private: pair === null ? null : seal(deps.secretKey, pair.privateKey),
          ed25519_public: pair?.publicKey ?? null,
          created_at: iso(),
        });
        await r.insertSecret({
          id: `whs_${randomBytes(9).toString('base64url')}`,
          endpoint_id: id,
          ciphertext: seal(deps.secretKey, secret),
          created_at: iso(),
          expires_at: null,
        });
      });
      // A receiver can answer the challenge only once it holds the secret: at once when the developer brought
      // it, otherwise after they install the one shown here and call …/verify.
      const verification =
        input.secret === undefined
          ? { verified: false, detail: 'Install the secret in the receiver, then POST …/verify.' }
          : await verifyAndMark(app, (await repo.endpoint(id)) as EndpointRow);
      if (verification.verified) deps.wake();
      // The secret (and the Ed25519 public key, which is no secret) is shown this once.
      return {
        endpoint: await view((await repo.endpoint(id)) as EndpointRow),
        secret,
        verification,
      };
    },
    async list(owner: string, clientId: string) {
      await ownedApp(owner, clientId);
      return Promise.all((await repo.endpointsOf(clientId)).map(view));
    },
    async get(owner: string, clientId: string, endpointId: string) {
      return view((await owned(owner, clientId, endpointId)).endpoint);
    },
    async update(
      owner: string,
      clientId: string,
      endpointId: string,
      patch: Partial<Omit<EndpointInput, 'ed25519'>> & { status?: 'active' | 'disabled' | undefined },
    ) {
      const { app, endpoint } = await owned(owner, clientId, endpointId);
      const types = patch.event_types === undefined ? undefined : checkTypes(patch.event_types);
      if (patch.url !== undefined) await checkUrl(patch.url, app.sandbox);
      // A changed URL is a new receiver: it must prove it holds the secret before anything is sent there, and
      // a refusal leaves the endpoint as it was.
      if (patch.url !== undefined && patch.url !== endpoint.url && endpoint.status !== 'unverified') {
        const v = await challenge(app, { ...endpoint, url: patch.url });
        if (!v.verified) {
          throw new ApiError(
            'API_ERR_WEBHOOK_VERIFICATION_FAILED',
            `The new URL did not pass verification: ${v.detail}.`,
            { endpoint_id: endpointId },
          );
        }
      }
      await repo.updateEndpoint(
        endpointId,
        {
          ...(patch.url === undefined ? {} : { url: patch.url }),
          ...(types === undefined ? {} : { event_types: types }),
          ...(patch.payload === undefined ? {} : { payload: patch.payload }),
          ...(patch.description === undefined ? {} : { description: patch.description }),
        },
        iso(),
      );
      if (patch.status === 'disabled' && endpoint.status === 'active') {
        await repo.disable(endpointId, 'by_developer', iso());
      } else if (patch.status === 'active' && endpoint.status === 'disabled') {
        await repo.enable(endpointId, iso());
        await repo.notice(
          endpointId,
          'enabled',
          'Re-enabled by the developer; the backlog is being delivered.',
          iso(),
        );
        deps.wake();
      } else if (patch.status === 'active' && endpoint.status === 'unverified') {
        throw new ApiError('API_ERR_WEBHOOK_UNVERIFIED', 'Verify the endpoint first (POST …/verify).', {
          endpoint_id: endpointId,
        });
      }
      deps.changed(endpointId);
      return view((await repo.endpoint(endpointId)) as EndpointRow);
    },
    async remove(owner: string, clientId: string, endpointId: string): Promise<void> {
      await owned(owner, clientId, endpointId);
      await repo.deleteEndpoint(endpointId);
      deps.changed(endpointId);
    },
    async verify(owner: string, clientId: string, endpointId: string) {
      const { app, endpoint } = await owned(owner, clientId, endpointId);
      const v = await verifyAndMark(app, endpoint);
      if (!v.verified) {
        throw new ApiError(
          'API_ERR_WEBHOOK_VERIFICATION_FAILED',
          `The receiver did not pass verification: ${v.detail}.`,
          { endpoint_id: endpointId },
        );
      }
      deps.wake();
      return view((await repo.endpoint(endpointId)) as EndpointRow);
    },
    /** A new secret; the others keep signing until `expire_others_in_s` passes (default: the overlap setting). */
    async rotateSecret(owner: string, clientId: string, endpointId: string, expireOthersInS?: number) {
      await owned(owner, clientId, endpointId);
      const secret = newWebhookSecret();
      const id = `whs_${randomBytes(9).toString('base64url')}`;
      await db.transaction(async (tx) => {
        const r = webhooksRepository(tx);
        await r.insertSecret({
          id,
          endpoint_id: endpointId,
          ciphertext: seal(deps.secretKey, secret),
          created_at: iso(),
          expires_at: null,
        });
        await r.expireOtherSecrets(
          endpointId,
          id,
          iso(now() + (expireOthersInS === undefined ? settings.rotationOverlapMs : expireOthersInS * 1000)),
        );
      });
      deps.changed(endpointId);
      return { id, secret };
    },
    async revokeSecret(owner: string, clientId: string, endpointId: string, secretId: string): Promise<void> {
      await owned(owner, clientId, endpointId);
      const live = await repo.liveSecrets(endpointId, iso());
      if (!live.some((s) => s.id === secretId)) {
        throw new ApiError('API_ERR_WEBHOOK_NOT_FOUND', 'No live secret with this id on this endpoint.', {
          secret_id: secretId,
        });
      }
      if (live.length === 1) {
        throw new ApiError(
          'API_ERR_WEBHOOK_LAST_SECRET',
          'This is the only live secret; rotate before revoking it.',
          { secret_id: secretId },
        );
      }
      await repo.revokeSecret(endpointId, secretId, iso());
      deps.changed(endpointId);
    },
    ...createHistoryService({ ...deps, owned }),
  };
}
export type WebhooksService = ReturnType<typeof createWebhooksService>;
