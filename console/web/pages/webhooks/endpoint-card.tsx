import { send } from '../../api/client.js';
import type { RotatedSecret, WebhookEndpoint } from '../../api/webhook-types.js';
import type { ConfirmRequest } from '../../components/confirm-dialog.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';
import { HealthSummary } from './health-summary.js';
import { disabledReason, signingSecrets } from './labels.js';
import type { ShownSecret } from './secret-card.js';

interface Props {
  endpoint: WebhookEndpoint;
  path: string;
  actions: Actions;
  /** Bumped after every change, so the health figures are fetched again with the list. */
  version: number;
  selected: boolean;
  confirm: (request: ConfirmRequest) => void;
  showSecret: (shown: ShownSecret) => void;
  showLog: () => void;
}

function Secrets({
  endpoint,
  path,
  actions,
  confirm,
}: Omit<Props, 'version' | 'selected' | 'showSecret' | 'showLog'>) {
  const { t, date } = useI18n();
  const secrets = signingSecrets(endpoint);
  const revoke = (id: string) =>
    confirm({
      title: t('webhooks.revokeTitle'),
      body: t('webhooks.revokeBody'),
      confirm: t('webhooks.revokeSecret'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('DELETE', `${path}/secrets/${encodeURIComponent(id)}`, actions.csrf);
          return t('webhooks.revoked');
        }),
    });
  return (
    <>
      <p class="small">{t('webhooks.secrets')}</p>
      <ul class="plain small" data-testid="webhook-secrets">
        {secrets.map((s) => (
          <li key={s.id}>
            {s.expires_at === null ? (
              t('webhooks.secretLive', { date: date(s.created_at) })
            ) : (
              <>
                {t('webhooks.secretExpires', { date: date(s.created_at), until: date(s.expires_at) })}{' '}
                {/* Only a rotated-out secret is offered: the API refuses to revoke the last live one. */}
                <button
                  type="button"
                  class="secondary"
                  disabled={actions.busy}
                  aria-label={t('webhooks.revokeSecretLabel', { until: date(s.expires_at) })}
                  onClick={() => revoke(s.id)}
                >
                  {t('webhooks.revokeSecret')}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

/** One endpoint: its state and health, its secrets, and what a developer can do with it. */
export function EndpointCard(props: Props) {
  const { endpoint, path, actions, version, selected, confirm, showSecret, showLog } = props;
  const { t, date, list } = useI18n();
  const url = endpoint.url;
  const change = (status: 'active' | 'disabled') =>
    void actions.run(async () => {
      await send('PATCH', path, actions.csrf, { status });
      return t(status === 'active' ? 'webhooks.enabled' : 'webhooks.disabledDone', { url });
    });
  const verify = () =>
    void actions.run(async () => {
      await send('POST', `${path}/verify`, actions.csrf);
      return t('webhooks.verified', { url });
    });
  const rotate = () =>
    confirm({
      title: t('webhooks.rotateTitle'),
      body: t('webhooks.rotateBody'),
      confirm: t('webhooks.rotate'),
      onConfirm: () =>
        void actions.run(async () => {
          const { secret } = await send<RotatedSecret>('POST', `${path}/secrets`, actions.csrf, {});
          showSecret({ url, secret, rotated: true });
          return undefined;
        }),
    });
  const remove = () =>
    confirm({
      title: t('webhooks.deleteTitle'),
      body: t('webhooks.deleteBody', { url }),
      confirm: t('webhooks.delete'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('DELETE', path, actions.csrf);
          return t('webhooks.deleted', { url });
        }),
    });
  const status = endpoint.status;
  return (
    <li class="card webhook-endpoint" data-endpoint-id={endpoint.id}>
      <div>
        <p class="title">
          {url}{' '}
          <span
            class={status === 'active' ? 'badge online' : status === 'disabled' ? 'badge offline' : 'badge'}
          >
            {t(`webhooks.status.${status}`)}
          </span>
        </p>
        {status === 'unverified' && <p class="small">{t('webhooks.unverifiedHint')}</p>}
        {status === 'disabled' && (
          <p class="small" data-testid="webhook-disabled-reason">
            {disabledReason(t, endpoint.disabled_reason)} {t('webhooks.disabledKeeps')}
          </p>
        )}
        <dl class="facts">
          <dt>{t('webhooks.events')}</dt>
          <dd>{list(endpoint.event_types)}</dd>
          <dt>{t('webhooks.payload')}</dt>
          <dd>{t(`webhooks.payload.${endpoint.payload}`)}</dd>
          <dt>{t('webhooks.verifiedAt')}</dt>
          <dd>{endpoint.verified_at === null ? t('webhooks.never') : date(endpoint.verified_at)}</dd>
        </dl>
        <HealthSummary key={version} path={path} />
        <Secrets endpoint={endpoint} path={path} actions={actions} confirm={confirm} />
      </div>
      <div class="buttons">
        {status === 'unverified' && (
          <button
            type="button"
            disabled={actions.busy}
            aria-label={t('webhooks.verifyLabel', { url })}
            onClick={verify}
          >
            {t('webhooks.verify')}
          </button>
        )}
        {status === 'active' && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('webhooks.disableLabel', { url })}
            onClick={() => change('disabled')}
          >
            {t('webhooks.disable')}
          </button>
        )}
        {status === 'disabled' && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('webhooks.enableLabel', { url })}
            onClick={() => change('active')}
          >
            {t('webhooks.enable')}
          </button>
        )}
        <button
          type="button"
          class="secondary"
          disabled={actions.busy}
          aria-label={t('webhooks.rotateLabel', { url })}
          onClick={rotate}
        >
          {t('webhooks.rotate')}
        </button>
        <button
          type="button"
          class="secondary"
          aria-label={t('webhooks.showLogLabel', { url })}
          aria-pressed={selected}
          onClick={showLog}
        >
          {t('webhooks.showLog')}
        </button>
        <button
          type="button"
          class="danger"
          disabled={actions.busy}
          aria-label={t('webhooks.deleteLabel', { url })}
          onClick={remove}
        >
          {t('webhooks.delete')}
        </button>
      </div>
    </li>
  );
}
