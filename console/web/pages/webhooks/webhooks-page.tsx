import { useCallback, useState } from 'preact/hooks';
import { hasCode } from '../../api/client.js';
import type { DeveloperApp } from '../../api/oauth-types.js';
import type { Session } from '../../api/types.js';
import type { CreatedEndpoint, WebhookEndpoint } from '../../api/webhook-types.js';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Link, useLocation } from '../../router.js';
import { type Resource, useResource } from '../../use-resource.js';
import { useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { BackfillForm } from './backfill.js';
import { DeliveryLog } from './delivery-log.js';
import { EndpointCard } from './endpoint-card.js';
import { EndpointForm } from './endpoint-form.js';
import { endpointPath, webhooksPath } from './paths.js';
import { ReplayRange } from './replay-range.js';
import { SecretCard, type ShownSecret } from './secret-card.js';

/**
 * The API answers 404 API_ERR_CLIENT_NOT_FOUND for an app the caller did not register (docs/webhooks.md), so
 * another developer who opens the address learns only that there is nothing here for them.
 */
function NotFoundState() {
  const { t } = useI18n();
  return (
    <div class="narrow">
      <PageTitle>{t('webhooks.notFoundTitle')}</PageTitle>
      <p data-testid="webhooks-not-found">{t('webhooks.notFound')}</p>
      <Link href="/developer">{t('webhooks.back')}</Link>
    </div>
  );
}

const notFound = (resource: Resource<unknown>) =>
  resource.status === 'error' && hasCode(resource.error, 'API_ERR_CLIENT_NOT_FOUND');

/** /developer/webhooks?app={client_id}: one app's endpoints, their delivery log, replays and backfills. */
export function WebhooksPage({ session }: { session: Session }) {
  const { query } = useLocation();
  const clientId = query.get('app') ?? '';
  if (clientId === '') return <NotFoundState />;
  return <AppWebhooks key={clientId} clientId={clientId} session={session} />;
}

function AppWebhooks({ clientId, session }: { clientId: string; session: Session }) {
  const { t } = useI18n();
  const base = webhooksPath(clientId);
  const [apps] = useResource<{ clients: DeveloperApp[] }>('/v1/developer/apps');
  const [list, reloadList] = useResource<{ endpoints: WebhookEndpoint[] }>(base);
  const [version, setVersion] = useState(0);
  const reload = useCallback(() => {
    reloadList();
    setVersion((n) => n + 1);
  }, [reloadList]);
  const state = useActions(session.csrf_token, reload);
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  const [secret, setSecret] = useState<ShownSecret | undefined>(undefined);
  const [selected, setSelected] = useState<string | undefined>(undefined);

  if (notFound(list)) return <NotFoundState />;
  const app = apps.status === 'ok' ? apps.data.clients.find((c) => c.client_id === clientId) : undefined;
  const onCreated = ({ endpoint, secret: shown }: CreatedEndpoint) => {
    setSecret({ url: endpoint.url, secret: shown, rotated: false });
    // Through the page's actions, so the announcement replaces any earlier one and the list reloads.
    void state.actions.run(async () => t('webhooks.added', { url: endpoint.url }));
  };
  const endpoints = list.status === 'ok' ? list.data.endpoints : [];
  const open = endpoints.find((e) => e.id === selected);
  return (
    <div class="stack">
      <PageTitle>
        {app === undefined ? t('webhooks.titlePlain') : t('webhooks.title', { name: app.name })}
      </PageTitle>
      <p>
        <Link href="/developer">{t('webhooks.back')}</Link>
      </p>
      <p>{t('webhooks.intro')}</p>
      <Alert view={state.alert} />
      <Status message={state.status} />
      {secret !== undefined && <SecretCard shown={secret} onHide={() => setSecret(undefined)} />}
      <section aria-labelledby="webhooks-list-title">
        <h2 id="webhooks-list-title">{t('webhooks.listTitle')}</h2>
        <Loaded resource={list}>
          {(data) =>
            data.endpoints.length === 0 ? (
              <p>{t('webhooks.none')}</p>
            ) : (
              <ul class="cards">
                {data.endpoints.map((endpoint) => (
                  <EndpointCard
                    key={endpoint.id}
                    endpoint={endpoint}
                    path={endpointPath(clientId, endpoint.id)}
                    actions={state.actions}
                    version={version}
                    selected={endpoint.id === selected}
                    confirm={setRequest}
                    showSecret={setSecret}
                    showLog={() => setSelected(endpoint.id === selected ? undefined : endpoint.id)}
                  />
                ))}
              </ul>
            )
          }
        </Loaded>
      </section>
      {open !== undefined && (
        <section aria-labelledby="webhook-detail-title" class="stack">
          <h2 id="webhook-detail-title">{t('webhooks.logTitle', { url: open.url })}</h2>
          <DeliveryLog
            key={`log-${open.id}`}
            path={endpointPath(clientId, open.id)}
            csrf={session.csrf_token}
          />
          <ReplayRange
            key={`replay-${open.id}`}
            path={endpointPath(clientId, open.id)}
            csrf={session.csrf_token}
          />
          <BackfillForm
            key={`backfill-${open.id}`}
            path={endpointPath(clientId, open.id)}
            csrf={session.csrf_token}
          />
        </section>
      )}
      <EndpointForm base={base} csrf={session.csrf_token} onCreated={onCreated} />
      <ConfirmDialog request={request} onClose={() => setRequest(undefined)} />
    </div>
  );
}
