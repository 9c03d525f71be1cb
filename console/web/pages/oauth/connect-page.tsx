import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { InteractionDetails, RedirectTo } from '../../api/oauth-types.js';
import type { Provider, Session } from '../../api/types.js';
import { Loading } from '../../components/loading.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useLocation } from '../../router.js';
import { type Resource, useResource } from '../../use-resource.js';
import { Loaded } from '../account/loaded.js';
import { ProviderList } from '../signin.js';
import { safeLink, scopeAbout, scopeLabel } from './scope-names.js';
import { AppLogo, SandboxBadge } from './scopes.js';

/** The API's interaction page: signs a person in with their Linkwell session and moves the request on. */
const interactionPath = (uid: string) => `/oauth2/interaction/${encodeURIComponent(uid)}`;

function AppHeading({ details }: { details: InteractionDetails }) {
  const { t } = useI18n();
  const { client } = details;
  const policy = safeLink(client.policy_uri);
  return (
    <div class="profile-row">
      <AppLogo uri={client.logo_uri} name={client.name} t={t} />
      <div>
        <p class="title">
          {client.name} {client.sandbox && <SandboxBadge t={t} />}
        </p>
        {policy !== undefined && (
          <p class="small">
            <a href={policy} rel="noopener noreferrer" target="_blank">
              {t('oauth.policy', { name: client.name })}
            </a>
          </p>
        )}
      </div>
    </div>
  );
}

/** One checkbox per scope, ticked to begin with; the description says what data it opens. */
function ScopeCheck({
  scope,
  checked,
  onChange,
}: {
  scope: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const i18n = useI18n();
  const id = `scope-${scope.replace(/[^a-z_]/g, '-')}`;
  const about = scopeAbout(i18n, scope);
  return (
    <li class="scope-choice">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        aria-describedby={about === undefined ? undefined : `${id}-about`}
        onChange={(event) => onChange((event.currentTarget as HTMLInputElement).checked)}
      />
      <span>
        <label for={id}>{scopeLabel(i18n, scope)}</label>
        {about !== undefined && (
          <span id={`${id}-about`} class="muted small">
            {' '}
            – {about}
          </span>
        )}
      </span>
    </li>
  );
}

function ConsentForm({ details, csrf }: { details: InteractionDetails; csrf: string | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  const asked = [...details.requested_scopes, ...(details.offline_access ? ['offline_access'] : [])];
  const [ticked, setTicked] = useState<ReadonlySet<string>>(() => new Set(asked));
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<ProblemView | undefined>(undefined);
  const name = details.client.name;

  // The browser leaves for the authorization server's redirect; busy stays on so nothing is sent twice.
  const post = async (step: 'consent' | 'abort', body?: unknown) => {
    setBusy(true);
    setAlert(undefined);
    try {
      const answer = await send<RedirectTo>('POST', `${interactionPath(details.uid)}/${step}`, csrf, body);
      window.location.assign(answer.redirect_to);
    } catch (error) {
      setAlert(describeProblem(i18n, error));
      setBusy(false);
    }
  };
  const allow = (event: Event) => {
    event.preventDefault();
    void post('consent', { scopes: asked.filter((scope) => ticked.has(scope)) });
  };
  const toggle = (scope: string, on: boolean) => {
    const next = new Set(ticked);
    if (on) next.add(scope);
    else next.delete(scope);
    setTicked(next);
  };
  return (
    <form class="stack units-form" onSubmit={allow}>
      <p>{t('connect.intro', { name })}</p>
      <fieldset>
        <legend>{t('connect.scopesLegend', { name })}</legend>
        {asked.length === 0 ? (
          <p>{t('connect.noScopes')}</p>
        ) : (
          <ul class="checks">
            {asked.map((scope) => (
              <ScopeCheck
                key={scope}
                scope={scope}
                checked={ticked.has(scope)}
                onChange={(on) => toggle(scope, on)}
              />
            ))}
          </ul>
        )}
      </fieldset>
      <Alert view={alert} />
      <div class="buttons">
        <button type="submit" disabled={busy}>
          {t('connect.allow')}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => void post('abort')}>
          {t('connect.deny')}
        </button>
      </div>
      {busy && <p class="muted">{t('connect.sending')}</p>}
      <p class="muted small">{t('connect.later')}</p>
    </form>
  );
}

function SignInFirst({ details }: { details: InteractionDetails }) {
  const { t } = useI18n();
  const [providers] = useResource<{ providers: Provider[] }>('/v1/auth/providers');
  return (
    <>
      <p>{t('connect.signInIntro', { name: details.client.name })}</p>
      {/* Back to the interaction, where the API logs the person in with the identity they just used. */}
      <ProviderList providers={providers} returnTo={interactionPath(details.uid)} />
    </>
  );
}

function Interaction({ details, session }: { details: InteractionDetails; session: Resource<Session> }) {
  const { t } = useI18n();
  if (!details.signed_in) return <SignInFirst details={details} />;
  if (details.prompt === 'login') {
    return (
      <>
        <p>{t('connect.continueIntro', { name: details.client.name })}</p>
        <a class="button" href={interactionPath(details.uid)}>
          {t('connect.continue')}
        </a>
      </>
    );
  }
  if (session.status === 'loading') return <Loading />;
  const csrf = session.status === 'ok' ? session.data.csrf_token : undefined;
  return <ConsentForm details={details} csrf={csrf} />;
}

function ConnectRequest({ uid, session }: { uid: string; session: Resource<Session> }) {
  const { t } = useI18n();
  const [details] = useResource<InteractionDetails>(`${interactionPath(uid)}/details`);
  const title =
    details.status === 'ok' ? t('connect.titleApp', { name: details.data.client.name }) : t('connect.title');
  return (
    <div class="narrow">
      <PageTitle>{title}</PageTitle>
      <Loaded resource={details}>
        {(data) => (
          <div class="stack">
            <AppHeading details={data} />
            <Interaction details={data} session={session} />
          </div>
        )}
      </Loaded>
    </div>
  );
}

/**
 * /connect?uid=: where the authorization server sends a person to sign in and to consent to an app
 * (api/src/modules/oauth/interactions.ts). /connect?error=expired: the request timed out on the way.
 */
export function ConnectPage({ session }: { session: Resource<Session> }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const uid = query.get('uid');
  if (uid !== null && uid !== '' && query.get('error') === null) {
    return <ConnectRequest key={uid} uid={uid} session={session} />;
  }
  const expired = query.get('error') === 'expired';
  return (
    <div class="narrow">
      <PageTitle>{t('connect.title')}</PageTitle>
      {expired ? (
        <Alert view={{ message: t('connect.expired'), code: undefined }} />
      ) : (
        <p>{t('connect.missing')}</p>
      )}
    </div>
  );
}
