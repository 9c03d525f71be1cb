import { useEffect } from 'preact/hooks';
import type { Provider, Session } from '../api/types.js';
import { Loading } from '../components/loading.js';
import { PageTitle } from '../components/page-title.js';
import { Alert, describeCode, describeProblem } from '../components/problem.js';
import { useI18n } from '../i18n/context.js';
import { navigate, useLocation } from '../router.js';
import { type Resource, useResource } from '../use-resource.js';

/**
 * Where to go after signing in: ?return_to= when it is a path on this site (the API checks it again),
 * else the account page. `//host` is another site, so it is refused here as well.
 */
export function returnPath(query: URLSearchParams): string {
  const wanted = query.get('return_to');
  return wanted?.startsWith('/') && !wanted.startsWith('//') ? wanted : '/account';
}

/** Where a provider button goes: the API starts the provider's flow and comes back to `returnTo`. */
export function startUrl(providerId: string, returnTo = '/account'): string {
  return `/v1/auth/${encodeURIComponent(providerId)}/start?return_to=${encodeURIComponent(returnTo)}`;
}

export function ProviderList({
  providers,
  returnTo,
}: {
  providers: Resource<{ providers: Provider[] }>;
  returnTo: string;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  if (providers.status === 'loading') return <Loading />;
  if (providers.status === 'error') {
    return <Alert view={describeProblem(i18n, providers.error)} lead={t('signin.loadFailed')} />;
  }
  const list = providers.data.providers;
  if (list.length === 0) return <p>{t('signin.none')}</p>;
  return (
    <ul class="providers" aria-label={t('signin.providers')}>
      {list.map((provider) => (
        <li key={provider.id}>
          <a class={`button provider kind-${provider.kind}`} href={startUrl(provider.id, returnTo)}>
            {t('signin.continueWith', { provider: provider.display_name })}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function SignInPage({ session }: { session: Resource<Session> }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const errorCode = query.get('error');
  const [providers] = useResource<{ providers: Provider[] }>('/v1/auth/providers');
  const signedIn = session.status === 'ok' && session.data.signed_in;
  const returnTo = returnPath(query);

  useEffect(() => {
    // Already signed in and nothing to report: go where the person was heading (the account by default).
    if (signedIn && errorCode === null) navigate(returnTo, { replace: true });
  }, [signedIn, errorCode, returnTo]);

  return (
    <div class="narrow">
      <PageTitle>{t('signin.title')}</PageTitle>
      <p>{t('signin.intro')}</p>
      <Alert view={errorCode ? describeCode(i18n, errorCode) : undefined} lead={t('signin.failed')} />
      <ProviderList providers={providers} returnTo={returnTo} />
    </div>
  );
}
