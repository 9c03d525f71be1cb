import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { FactoryResetResult, Gateway, Household } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Link } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { type Actions, useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { HouseholdScope } from '../household-scope.js';

/** Online when the gateway's retained status says so; the API may give a boolean or the state's name. */
export function isOnline(gateway: Gateway): boolean {
  return gateway.online === true || gateway.status === 'online';
}

function GatewayItem({
  gateway,
  actions,
  confirm,
}: {
  gateway: Gateway;
  actions: Actions;
  confirm: (request: ConfirmRequest) => void;
}) {
  const { t, date } = useI18n();
  const [name, setName] = useState(gateway.name);
  const path = `/v1/gateways/${encodeURIComponent(gateway.id)}`;
  const online = isOnline(gateway);
  const rename = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('PATCH', path, actions.csrf, { name: name.trim() });
      return t('gateways.renamed', { name: name.trim() });
    });
  };
  const revoke = () =>
    confirm({
      title: t('gateways.revokeTitle', { name: gateway.name }),
      body: t('gateways.revokeBody'),
      confirm: t('gateways.revoke'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('POST', `${path}/revoke`, actions.csrf);
          return t('gateways.revoked', { name: gateway.name });
        }),
    });
  const reset = () =>
    confirm({
      title: t('gateways.resetTitle', { name: gateway.name }),
      body: t('gateways.resetBody'),
      confirm: t('gateways.reset'),
      onConfirm: () =>
        void actions.run(async () => {
          const result = await send<FactoryResetResult>('POST', `${path}/factory-reset`, actions.csrf);
          return t(result.device_reset === 'done' ? 'gateways.resetDone' : 'gateways.resetNotReached', {
            name: gateway.name,
          });
        }),
    });
  const inputId = `gateway-name-${gateway.id}`;
  return (
    <li class="card gateway">
      <div>
        <p class="title">
          {gateway.name}{' '}
          <span class={online ? 'badge online' : 'badge offline'}>
            {t(online ? 'gateways.online' : 'gateways.offline')}
          </span>
        </p>
        {typeof gateway.model === 'string' && <p>{gateway.model}</p>}
        {typeof gateway.since === 'string' && (
          <p class="muted">
            {t(online ? 'gateways.onlineSince' : 'gateways.offlineSince', { date: date(gateway.since) })}
          </p>
        )}
        {typeof gateway.version === 'string' && (
          <p class="muted small">{t('gateways.version', { version: gateway.version })}</p>
        )}
        <p class="muted small">{gateway.id}</p>
        <form class="inline-form" onSubmit={rename}>
          <label for={inputId}>{t('gateways.newName')}</label>
          <input
            id={inputId}
            value={name}
            maxLength={100}
            required
            onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
          />
          <button
            type="submit"
            class="secondary"
            disabled={actions.busy || name.trim() === '' || name === gateway.name}
          >
            {t('gateways.rename')}
          </button>
        </form>
      </div>
      <div class="buttons">
        <button
          type="button"
          class="secondary"
          disabled={actions.busy}
          aria-label={t('gateways.revokeLabel', { name: gateway.name })}
          onClick={revoke}
        >
          {t('gateways.revoke')}
        </button>
        <button
          type="button"
          class="secondary"
          disabled={actions.busy}
          aria-label={t('gateways.resetLabel', { name: gateway.name })}
          onClick={reset}
        >
          {t('gateways.reset')}
        </button>
      </div>
    </li>
  );
}

function GatewayList({ household, session }: { household: Household; session: Session }) {
  const { t } = useI18n();
  const [gateways, reload] = useResource<{ gateways: Gateway[] }>(
    `/v1/households/${encodeURIComponent(household.id)}/gateways`,
  );
  const state = useActions(session.csrf_token, reload);
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  return (
    <section aria-labelledby="gateway-list-title">
      <h2 id="gateway-list-title">{t('gateways.listTitle', { household: household.name })}</h2>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <Loaded resource={gateways}>
        {(data) =>
          data.gateways.length === 0 ? (
            <p>{t('gateways.none')}</p>
          ) : (
            <ul class="cards">
              {data.gateways.map((gateway) => (
                <GatewayItem
                  key={gateway.id}
                  gateway={gateway}
                  actions={state.actions}
                  confirm={setRequest}
                />
              ))}
            </ul>
          )
        }
      </Loaded>
      <ConfirmDialog request={request} onClose={() => setRequest(undefined)} />
    </section>
  );
}

export function GatewaysPage({ session }: { session: Session }) {
  const { t } = useI18n();
  return (
    <div class="stack">
      <div class="page-head">
        <PageTitle>{t('gateways.title')}</PageTitle>
        <Link href="/activate" class="button">
          {t('gateways.add')}
        </Link>
      </div>
      <HouseholdScope>
        {(household) => <GatewayList household={household} session={session} />}
      </HouseholdScope>
    </div>
  );
}
