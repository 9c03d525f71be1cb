import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type Provider from 'oidc-provider';
import { requireUser, SESSION_COOKIE } from '../../auth/guard.js';
import { APP_SCOPES, isAppScope } from '../../auth/scopes.js';
import { ApiError } from '../../errors.js';
import type { ConnectionsService } from './connections.js';
import { OAUTH_PATHS } from './options.js';
import type { ClientsRepository } from './repository/clients.js';
import * as s from './schemas.js';

export interface InteractionRoutesOptions {
  provider: Provider;
  clients: ClientsRepository;
  connections: ConnectionsService;
  /** The API resource indicator whose scopes the consent page offers. */
  apiResource: string;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

function interactionGone(): ApiError {
  return new ApiError(
    'API_ERR_OAUTH_INTERACTION_NOT_FOUND',
    'This sign-in request has expired or belongs to another browser; start again from the app.',
  );
}

/**
 * The authorization server's own login and consent steps (dev interactions stay off). The provider sends the
 * browser to GET /oauth2/interaction/{uid}: a person already signed in to Linkwell is logged in at once with
 * that identity (the identity issue's sign-in, so no new account); everyone else goes to the console's
 * /connect?uid={uid} page, which signs them in and asks for consent through the JSON routes below. They live
 * under the interaction's path so the provider's interaction cookie binds each step to the browser that began
 * it (oidc-provider sets that cookie on the interaction URL's path).
 */
export const interactionRoutes: FastifyPluginAsyncTypebox<InteractionRoutesOptions> = async (app, opts) => {
  const { provider } = opts;
  const base = OAUTH_PATHS.interaction;

  async function details(
    request: { raw: import('node:http').IncomingMessage },
    raw: import('node:http').ServerResponse,
  ) {
    try {
      return await provider.interactionDetails(request.raw, raw);
    } catch (err) {
      if ((err as { name?: string }).name === 'SessionNotFound') throw interactionGone();
      throw err;
    }
  }

  app.get(`${base}/:uid`, { schema: s.interactionPageRoute }, async (request, reply) => {
    const interaction = await details(request, reply.raw).catch((err: unknown) => {
      if (err instanceof ApiError) return undefined;
      throw err;
    });
    if (interaction === undefined || interaction.uid !== request.params.uid) {
      return reply.redirect('/connect?error=expired');
    }
    if (interaction.prompt.name === 'login') {
      const cookie = request.cookies[SESSION_COOKIE];
      const session = cookie ? await app.sessionAuth?.sessions.byCookie(cookie) : undefined;
      if (session) {
        await provider.interactionFinished(
          request.raw,
          reply.raw,
          { login: { accountId: session.account_id } },
          { mergeWithLastSubmission: false },
        );
        return reply.hijack();
      }
    }
    return reply.redirect(`/connect?uid=${encodeURIComponent(interaction.uid)}`);
  });

  const guard = requireUser('account');

  app.get(`${base}/:uid/details`, { schema: s.interactionDetailsRoute }, async (request, reply) => {
    const interaction = await details(request, reply.raw);
    const client = await opts.clients.find(String(interaction.params.client_id));
    if (!client) throw interactionGone();
    const cookie = request.cookies[SESSION_COOKIE];
    const session = cookie ? await app.sessionAuth?.sessions.byCookie(cookie) : undefined;
    return {
      uid: interaction.uid,
      prompt: interaction.prompt.name === 'login' ? ('login' as const) : ('consent' as const),
      signed_in: session !== undefined,
      client: {
        client_id: client.client_id,
        name: client.name,
        logo_uri: client.logo_uri,
        policy_uri: client.policy_uri,
        sandbox: client.sandbox,
      },
      requested_scopes: requestedScopes(interaction, client.scopes),
      offline_access: String(interaction.params.scope ?? '')
        .split(' ')
        .includes('offline_access'),
    };
  });

  app.post(`${base}/:uid/consent`, { schema: s.consentRoute, preHandler: guard }, async (request, reply) => {
    const accountId = request.principal?.accountId as string;
    const interaction = await details(request, reply.raw);
    if (interaction.prompt.name !== 'consent') {
      throw new ApiError('API_ERR_OAUTH_INTERACTION_STATE', 'This request is not waiting for consent.');
    }
    if (interaction.session?.accountId !== accountId) {
      throw new ApiError(
        'API_ERR_OAUTH_INTERACTION_ACCOUNT',
        'This request was started for another Linkwell account; sign in as that person or start again.',
      );
    }
    const client = await opts.clients.find(String(interaction.params.client_id));
    if (!client || client.disabled_at !== null) throw interactionGone();
    if (client.sandbox && client.owner_account_id !== accountId) {
      throw new ApiError(
        'API_ERR_CLIENT_SANDBOX',
        'This app is in sandbox mode: only its developer can connect it, to their own (demo) data.',
      );
    }
    const ticked = new Set(request.body.scopes);
    const unknown = [...ticked].filter((x) => !isAppScope(x) && x !== 'offline_access');
    if (unknown.length > 0) {
      throw new ApiError('API_ERR_VALIDATION', `Unknown scope ${unknown[0]}.`, { field: 'scopes' });
    }
    const grantId = await opts.connections.recordConsent({
      provider,
      accountId,
      clientId: client.client_id,
      existingGrantId: interaction.grantId,
      promptDetails: interaction.prompt.details as PromptDetails,
      allowed: new Set(client.scopes),
      ticked,
    });
    const redirectTo = await provider.interactionResult(
      request.raw,
      reply.raw,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
    return { redirect_to: redirectTo };
  });

  app.post(`${base}/:uid/abort`, { schema: s.abortRoute, preHandler: guard }, async (request, reply) => {
    await details(request, reply.raw);
    const redirectTo = await provider.interactionResult(
      request.raw,
      reply.raw,
      { error: 'access_denied', error_description: 'The person declined to connect this app.' },
      { mergeWithLastSubmission: false },
    );
    return { redirect_to: redirectTo };
  });
};

export interface PromptDetails {
  missingOIDCScope?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** The data scopes this request asks for, in catalogue order, limited to what the client registered. */
function requestedScopes(interaction: Details, registered: readonly string[]): string[] {
  const asked = new Set(String(interaction.params.scope ?? '').split(' '));
  return APP_SCOPES.filter((x) => asked.has(x) && registered.includes(x));
}
