import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Connection, ConsentRecord } from '../../api/oauth-types.js';
import type { Session } from '../../api/types.js';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';
import { useResource } from '../../use-resource.js';
import { type Actions, useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { dataScopes, scopeLabel } from './scope-names.js';
import { AppLogo, SandboxBadge } from './scopes.js';

function ConnectionItem({
  connection,
  actions,
  confirm,
}: {
  connection: Connection;
  actions: Actions;
  confirm: (request: ConfirmRequest) => void;
}) {
  const i18n = useI18n();
  const { t, date, list } = i18n;
  const name = connection.client_name;
  const disconnect = () =>
    confirm({
      title: t('apps.disconnectTitle', { name }),
      body: t('apps.disconnectBody'),
      confirm: t('apps.disconnect'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('DELETE', `/v1/connections/${encodeURIComponent(connection.grant_id)}`, actions.csrf);
          return t('apps.disconnected', { name });
        }),
    });
  return (
    <li class="card connection">
      <div class="profile-row">
        <AppLogo uri={connection.logo_uri} name={name} t={t} />
        <div>
          <p class="title">
            {name} {connection.sandbox && <SandboxBadge t={t} />}
          </p>
          <p>
            {t('apps.scopes')}: {list(dataScopes(connection.scopes).map((scope) => scopeLabel(i18n, scope)))}
          </p>
          <p class="muted small">{t('apps.connectedAt', { date: date(connection.connected_at) })}</p>
          {connection.expires_at !== null && (
            <p class="muted small">{t('apps.expiresAt', { date: date(connection.expires_at) })}</p>
          )}
        </div>
      </div>
      <div class="buttons">
        <button
          type="button"
          class="secondary"
          disabled={actions.busy}
          aria-label={t('apps.disconnectLabel', { name })}
          onClick={disconnect}
        >
          {t('apps.disconnect')}
        </button>
      </div>
    </li>
  );
}

function ConsentHistory({ consents }: { consents: ConsentRecord[] }) {
  const i18n = useI18n();
  const { t, date, list } = i18n;
  const scopes = (values: string[]) =>
    values.length === 0
      ? t('apps.historyNothing')
      : list(dataScopes(values).map((scope) => scopeLabel(i18n, scope)));
  // Who ended the consent: the person, the app (token revocation) or Linkwell (a disabled app).
  const withdrawnBy = (by: string | null) => {
    const key = `apps.withdrawnBy.${by}`;
    return isMessageKey(key) ? t(key) : (by ?? t('apps.historyNothing'));
  };
  if (consents.length === 0) return <p>{t('apps.historyNone')}</p>;
  return (
    <div class="table-scroll">
      <table class="bands-table consent-history">
        <caption>{t('apps.historyTitle')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('apps.historyApp')}</th>
            <th scope="col">{t('apps.historyGranted')}</th>
            <th scope="col">{t('apps.historyRefused')}</th>
            <th scope="col">{t('apps.historyVersion')}</th>
            <th scope="col">{t('apps.historyWhen')}</th>
            <th scope="col">{t('apps.historyWithdrawn')}</th>
          </tr>
        </thead>
        <tbody>
          {consents.map((consent) => (
            <tr key={consent.id}>
              <th scope="row">{consent.client_name ?? consent.client_id}</th>
              <td>{scopes(consent.granted_scopes)}</td>
              <td>{scopes(consent.refused_scopes)}</td>
              <td>{consent.consent_text_version}</td>
              <td>{date(consent.granted_at)}</td>
              <td>
                {consent.withdrawn_at === null
                  ? t('apps.historyActive')
                  : t('apps.historyWithdrawnAt', {
                      date: date(consent.withdrawn_at),
                      by: withdrawnBy(consent.withdrawn_by),
                    })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** /apps: the apps a person connected, each with what it may read, and every consent they ever gave. */
export function AppsPage({ session }: { session: Session }) {
  const { t } = useI18n();
  const [connections, reloadConnections] = useResource<{ connections: Connection[] }>('/v1/connections');
  const [consents, reloadConsents] = useResource<{ consents: ConsentRecord[] }>('/v1/consents/apps');
  const state = useActions(session.csrf_token, () => {
    reloadConnections();
    reloadConsents();
  });
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  return (
    <div class="stack">
      <PageTitle>{t('apps.title')}</PageTitle>
      <p>{t('apps.intro')}</p>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <Loaded resource={connections}>
        {(data) =>
          data.connections.length === 0 ? (
            <p>{t('apps.none')}</p>
          ) : (
            <ul class="cards">
              {data.connections.map((connection) => (
                <ConnectionItem
                  key={connection.grant_id}
                  connection={connection}
                  actions={state.actions}
                  confirm={setRequest}
                />
              ))}
            </ul>
          )
        }
      </Loaded>
      <section aria-labelledby="consent-history-title">
        <h2 id="consent-history-title">{t('apps.historyTitle')}</h2>
        <Loaded resource={consents}>{(data) => <ConsentHistory consents={data.consents} />}</Loaded>
      </section>
      <ConfirmDialog request={request} onClose={() => setRequest(undefined)} />
    </div>
  );
}
