import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { type ErrorOut, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { errorPage } from './html.js';
import { PAGE_CSP, readForm, sendHtml } from './http.js';
import { loginPage } from './oidc-pages.js';
import type { DemoPerson } from './types.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const PATH = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;

function pathOf(url: string | undefined): string {
  return new URL(url ?? '/', 'http://sim.invalid').pathname;
}

/** Interaction pages are ours; everything else goes to oidc-provider. */
export function isInteractionPath(url: string | undefined): boolean {
  return PATH.test(pathOf(url));
}

/**
 * GET shows the page for the pending prompt, POST …/login picks a person, POST …/abort cancels. The interaction is
 * found through oidc-provider's signed, SameSite=Lax interaction cookie whose value is the unguessable uid, so a
 * cross-site form post can't complete someone else's sign-in.
 */
export async function handleInteraction(
  provider: Provider,
  displayName: string,
  people: readonly DemoPerson[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const fail = (status: number, heading: string, detail: string) =>
    sendHtml(res, status, errorPage(displayName, heading, detail));
  try {
    const [, uid, action] = PATH.exec(pathOf(req.url))!;
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== uid)
      return fail(400, 'Sign-in mismatch', 'This page belongs to another sign-in. Start again from the app.');
    if (action === undefined && req.method === 'GET')
      return await show(provider, interaction, displayName, people, req, res);
    if (action === 'abort' && req.method === 'POST') {
      // Core §3.1.2.6: the relying party learns of the refusal as access_denied on its redirect URI.
      return await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
    }
    if (action === 'login' && req.method === 'POST') {
      if (interaction.prompt.name !== 'login')
        return fail(400, 'Nothing to sign in', 'This sign-in needs no account choice.');
      const chosen = (await readForm(req))?.get('person');
      const person = people.find((p) => p.id === chosen);
      if (!person)
        return fail(
          400,
          'Unknown account',
          'That account does not exist here. Go back and choose one of the listed accounts.',
        );
      await forgetOtherAccount(provider, interaction, person.id);
      return await provider.interactionFinished(
        req,
        res,
        { login: { accountId: person.id } },
        { mergeWithLastSubmission: false },
      );
    }
    return fail(405, 'Method not allowed', 'Use the buttons on the sign-in page.');
  } catch (err) {
    if (err instanceof errors.SessionNotFound)
      return fail(
        400,
        'Sign-in expired',
        'This sign-in has expired or was opened in another browser. Start again from the app.',
      );
    console.error('identity-sim: interaction failed', err);
    return fail(500, 'Something went wrong', 'The simulated provider failed; see its log.');
  }
}

async function show(
  provider: Provider,
  interaction: Interaction,
  displayName: string,
  people: readonly DemoPerson[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { prompt } = interaction;
  if (prompt.name === 'login') {
    // oidc-provider raises the login prompt for prompt=login and an exceeded max_age (Core §3.1.2.1) as well.
    const reauthentication = interaction.session !== undefined;
    return sendHtml(res, 200, loginPage({ displayName, uid: interaction.uid, people, reauthentication }));
  }
  if (prompt.name === 'consent') {
    const grantId = await grantMissing(provider, interaction);
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }
  sendHtml(
    res,
    400,
    errorPage(displayName, 'Unsupported request', `This provider can't handle the "${prompt.name}" prompt.`),
  );
}

/**
 * Choosing another account than the session's: Google keeps several accounts signed in and switches without a
 * sign-out page, whereas oidc-provider would first end the old session through a self-submitting form that needs
 * JavaScript. Dropping the old session and unbinding the interaction from it gives Google's behaviour: the
 * resumed request starts a fresh session for the chosen person.
 */
async function forgetOtherAccount(
  provider: Provider,
  interaction: Interaction,
  accountId: string,
): Promise<void> {
  const current = interaction.session;
  if (!current || current.accountId === accountId) return;
  const session = await provider.Session.findByUid(current.uid);
  await session?.destroy();
  interaction.session = undefined;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
}

/**
 * Consent is implied: a demo person has no reason to refuse their own demo app. The grant must hold exactly what
 * oidc-provider reports missing, or the consent prompt comes back and the flow loops.
 */
async function grantMissing(provider: Provider, interaction: Interaction): Promise<string> {
  const { details } = interaction.prompt;
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant =
    existing ??
    new provider.Grant({
      accountId: interaction.session?.accountId,
      clientId: String(interaction.params.client_id),
    });
  const scopes = details.missingOIDCScope;
  if (Array.isArray(scopes)) grant.addOIDCScope(scopes.join(' '));
  const claims = details.missingOIDCClaims;
  if (Array.isArray(claims)) grant.addOIDCClaims(claims);
  // No resource scopes to add: resource indicators are off, access tokens only serve userinfo.
  return grant.save();
}

/** oidc-provider's own error page pulls a web font from Google; ours is self-contained. */
export function renderProviderError(ctx: KoaContextWithOIDC, displayName: string, out: ErrorOut): void {
  ctx.type = 'html';
  ctx.set('content-security-policy', PAGE_CSP);
  const detail = out.error_description ? `${out.error}: ${out.error_description}` : out.error;
  ctx.body = errorPage(displayName, 'Sign-in request refused', detail).toString();
}
