import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { DeveloperApp, RegisteredApp } from '../../api/oauth-types.js';
import type { Session } from '../../api/types.js';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog.js';
import { CopyButton } from '../../components/copy-button.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Link } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { type Actions, useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { webhooksPage } from '../webhooks/paths.js';
import { RegisterForm } from './register-form.js';
import { scopeLabel } from './scope-names.js';
import { SandboxBadge } from './scopes.js';

interface ShownSecret {
  readonly name: string;
  readonly secret: string;
}

/**
 * A secret as the API returns it, once: kept only in this page's memory, so a reload or another visit
 * cannot show it again (the API stores it encrypted and never sends it twice).
 */
function SecretCard({ shown, onHide }: { shown: ShownSecret; onHide: () => void }) {
  const { t } = useI18n();
  return (
    <section class="offer" aria-labelledby="secret-title">
      <h2 id="secret-title">{t('developer.secretTitle', { name: shown.name })}</h2>
      <p>
        <strong>{t('developer.secretOnce')}</strong>
      </p>
      <p class="one-time-code" data-testid="client-secret">
        {shown.secret}
      </p>
      <CopyButton text={shown.secret} label={t('developer.copySecret')} />
      <div class="buttons">
        <button type="button" class="secondary" onClick={onHide}>
          {t('developer.secretHide')}
        </button>
      </div>
    </section>
  );
}

function AppItem({
  app,
  actions,
  confirm,
  showSecret,
}: {
  app: DeveloperApp;
  actions: Actions;
  confirm: (request: ConfirmRequest) => void;
  showSecret: (shown: ShownSecret) => void;
}) {
  const i18n = useI18n();
  const { t, date, list } = i18n;
  const path = `/v1/developer/apps/${encodeURIComponent(app.client_id)}`;
  const isPublic = app.token_endpoint_auth_method === 'none';
  const disabled = app.disabled_at !== null;
  const rotate = () =>
    confirm({
      title: t('developer.rotateTitle', { name: app.name }),
      body: t('developer.rotateBody'),
      confirm: t('developer.rotate'),
      onConfirm: () =>
        void actions.run(async () => {
          const { client_secret } = await send<{ client_secret: string }>(
            'POST',
            `${path}/secret`,
            actions.csrf,
          );
          showSecret({ name: app.name, secret: client_secret });
          return undefined;
        }),
    });
  const disable = () =>
    confirm({
      title: t('developer.disableTitle', { name: app.name }),
      body: t('developer.disableBody'),
      confirm: t('developer.disable'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('DELETE', path, actions.csrf);
          return t('developer.disabledDone', { name: app.name });
        }),
    });
  return (
    <li class="card developer-app">
      <div>
        <p class="title">
          {app.name} {app.sandbox && <SandboxBadge t={t} />}{' '}
          {disabled && <span class="badge offline">{t('developer.disabled')}</span>}
        </p>
        <dl class="facts">
          <dt>{t('developer.clientId')}</dt>
          <dd>
            <code data-testid="client-id">{app.client_id}</code>
          </dd>
          <dt>{t('developer.sector')}</dt>
          <dd>{app.sector}</dd>
          <dt>{t('developer.redirects')}</dt>
          <dd>
            {app.redirect_uris.map((uri) => (
              <code key={uri} class="redirect-uri">
                {uri}{' '}
              </code>
            ))}
          </dd>
          <dt>{t('developer.scopes')}</dt>
          <dd>{list(app.scopes.map((scope) => scopeLabel(i18n, scope)))}</dd>
          <dt>{t('developer.type')}</dt>
          <dd>{t(isPublic ? 'developer.type.public' : 'developer.type.confidential')}</dd>
        </dl>
        <p class="muted small">{t('developer.createdAt', { date: date(app.created_at) })}</p>
        <p>
          <Link
            href={webhooksPage(app.client_id)}
            aria-label={t('developer.webhooksLabel', { name: app.name })}
          >
            {t('developer.webhooks')}
          </Link>
        </p>
      </div>
      {!disabled && (
        <div class="buttons">
          {!isPublic && (
            <button
              type="button"
              class="secondary"
              disabled={actions.busy}
              aria-label={t('developer.rotateLabel', { name: app.name })}
              onClick={rotate}
            >
              {t('developer.rotate')}
            </button>
          )}
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('developer.disableLabel', { name: app.name })}
            onClick={disable}
          >
            {t('developer.disable')}
          </button>
        </div>
      )}
    </li>
  );
}

/** /developer: the apps a person registered, a form to register one, and the issuer to configure. */
export function DeveloperPage({ session }: { session: Session }) {
  const { t } = useI18n();
  const [apps, reload] = useResource<{ clients: DeveloperApp[] }>('/v1/developer/apps');
  const state = useActions(session.csrf_token, reload);
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  const [secret, setSecret] = useState<ShownSecret | undefined>(undefined);
  const [registered, setRegistered] = useState<string | undefined>(undefined);
  const discovery = `${window.location.origin}/.well-known/openid-configuration`;
  const onRegistered = ({ client, client_secret }: RegisteredApp) => {
    if (client_secret !== null) setSecret({ name: client.name, secret: client_secret });
    setRegistered(t('developer.registered', { name: client.name }));
    reload();
  };
  return (
    <div class="stack">
      <PageTitle>{t('developer.title')}</PageTitle>
      <p>{t('developer.intro')}</p>
      <p>
        {t('developer.discovery')}: <code data-testid="discovery-url">{discovery}</code>{' '}
        <CopyButton text={discovery} label={t('developer.copyDiscovery')} />
      </p>
      <Alert view={state.alert} />
      <Status message={state.status ?? registered} />
      {secret !== undefined && <SecretCard shown={secret} onHide={() => setSecret(undefined)} />}
      <section aria-labelledby="developer-list-title">
        <h2 id="developer-list-title">{t('developer.listTitle')}</h2>
        <Loaded resource={apps}>
          {(data) =>
            data.clients.length === 0 ? (
              <p>{t('developer.none')}</p>
            ) : (
              <ul class="cards">
                {data.clients.map((app) => (
                  <AppItem
                    key={app.client_id}
                    app={app}
                    actions={state.actions}
                    confirm={setRequest}
                    showSecret={setSecret}
                  />
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
      <RegisterForm csrf={session.csrf_token} onRegistered={onRegistered} />
      <ConfirmDialog request={request} onClose={() => setRequest(undefined)} />
    </div>
  );
}
