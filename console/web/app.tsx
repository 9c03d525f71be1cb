import { useEffect, useRef } from 'preact/hooks';
import type { Session } from './api/types.js';
import { SiteHeader } from './components/header.js';
import { Loading } from './components/loading.js';
import { PageTitle } from './components/page-title.js';
import { Alert, describeProblem } from './components/problem.js';
import { I18nProvider, useI18n } from './i18n/context.js';
import { AccountPage } from './pages/account/account-page.js';
import { DevicesPage } from './pages/devices/devices-page.js';
import { ActivatePage } from './pages/gateways/activate-page.js';
import { GatewaysPage } from './pages/gateways/gateways-page.js';
import { HouseholdPage } from './pages/household/household-page.js';
import { JoinPage } from './pages/household/join-page.js';
import { InboxPage } from './pages/inbox/inbox-page.js';
import { ReadingsPage } from './pages/inbox/readings-page.js';
import { MarketerPage } from './pages/marketer/marketer-page.js';
import { AppsPage } from './pages/oauth/apps-page.js';
import { ConnectPage } from './pages/oauth/connect-page.js';
import { DeveloperPage } from './pages/oauth/developer-page.js';
import { SignInPage } from './pages/signin.js';
import { TrendsPage } from './pages/trends/trends-page.js';
import { WebhooksPage } from './pages/webhooks/webhooks-page.js';
import { Link, navigate, reloadAt, useLocation } from './router.js';
import { type Route, routeOf } from './routes.js';
import { type Resource, useResource } from './use-resource.js';

function NotFound() {
  const { t } = useI18n();
  return (
    <div class="narrow">
      <PageTitle>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.body')}</p>
      <Link href="/">{t('notFound.home')}</Link>
    </div>
  );
}

/** `/` and a signed-out `/account` only decide where to go; they have no page of their own. */
function Redirecting({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return <Loading />;
}

function signedInPath(session: Resource<Session>): string {
  return session.status === 'ok' && session.data.signed_in ? '/account' : '/signin';
}

/** A full page load after signing out, so nothing of the account stays in memory on a shared device. */
const afterSignOut = () => reloadAt('/signin');

/**
 * Where a signed-out visitor of a page goes: sign-in, then back to the page with its query, so an invite
 * link or a gateway's /activate?user_code= survives the trip through the provider.
 */
function signInFirst(): string {
  const back = window.location.pathname + window.location.search;
  return back === '/account' ? '/signin' : `/signin?return_to=${encodeURIComponent(back)}`;
}

function SignedInPage({ route, session }: { route: Route; session: Session }) {
  switch (route) {
    case '/household':
      return <HouseholdPage session={session} />;
    case '/join':
    case '/handover':
      return <JoinPage session={session} />;
    case '/gateways':
      return <GatewaysPage session={session} />;
    case '/activate':
      return <ActivatePage session={session} />;
    case '/devices':
      return <DevicesPage session={session} />;
    case '/inbox':
      return <InboxPage session={session} />;
    case '/readings':
      return <ReadingsPage session={session} />;
    case '/trends':
      return <TrendsPage session={session} />;
    case '/apps':
      return <AppsPage session={session} />;
    case '/developer':
      return <DeveloperPage session={session} />;
    case '/developer/webhooks':
      return <WebhooksPage session={session} />;
    case '/marketer':
      return <MarketerPage session={session} />;
    default:
      return <AccountPage session={session} onSignedOut={afterSignOut} />;
  }
}

function Page({ path, session }: { path: string; session: Resource<Session> }) {
  const i18n = useI18n();
  const route = routeOf(path);
  if (route === '/signin') return <SignInPage session={session} />;
  // Signed out is a step of connecting an app, not a reason to leave: the page offers sign-in itself.
  if (route === '/connect') return <ConnectPage session={session} />;
  if (route === undefined) return <NotFound />;
  if (session.status === 'loading') return <Loading />;
  if (route === '/') return <Redirecting to={signedInPath(session)} />;
  if (session.status === 'error') return <Alert view={describeProblem(i18n, session.error)} />;
  if (!session.data.signed_in) return <Redirecting to={signInFirst()} />;
  return <SignedInPage route={route} session={session.data} />;
}

function Shell() {
  const { path } = useLocation();
  const [session] = useResource<Session>('/v1/auth/session');
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(path);
  useEffect(() => {
    // After an in-page navigation, move focus to the new page's heading (a full load starts at the top).
    if (path === firstPath.current) return;
    firstPath.current = path;
    main.current?.querySelector<HTMLElement>('#page-title')?.focus();
  }, [path]);
  const signedIn = session.status === 'ok' ? session.data.signed_in : undefined;
  return (
    <>
      <SiteHeader signedIn={signedIn} path={path} />
      <main id="main" tabIndex={-1} ref={main}>
        <Page path={path} session={session} />
      </main>
    </>
  );
}

export function App() {
  return (
    <I18nProvider>
      <Shell />
    </I18nProvider>
  );
}
