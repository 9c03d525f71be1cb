import { send } from '../../api/client.js';
import type { Identity } from '../../api/types.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';
import type { Actions } from './actions.js';
import { Loaded } from './loaded.js';

function IdentityItem({ identity, actions }: { identity: Identity; actions: Actions }) {
  const { t, date } = useI18n();
  const provider = identity.provider_display_name;
  const unlink = () =>
    actions.run(async () => {
      await send('DELETE', `/v1/me/identities/${encodeURIComponent(identity.id)}`, actions.csrf);
      return t('identities.unlinked', { provider });
    });
  return (
    <li class="card identity">
      <div>
        <p class="title">
          <span class="badge">{provider}</span> {identity.name}
        </p>
        {typeof identity.email === 'string' && (
          <p>
            {t(identity.email_verified ? 'identities.emailVerified' : 'identities.emailUnverified', {
              email: identity.email,
            })}
          </p>
        )}
        <p class="muted">
          {t('identities.linkedAt', { date: date(identity.linked_at) })} ·{' '}
          {t('identities.lastUsed', { date: date(identity.last_used_at) })}
        </p>
      </div>
      <button
        type="button"
        class="secondary"
        disabled={actions.busy}
        aria-label={t('identities.unlinkLabel', { provider, name: identity.name })}
        onClick={unlink}
      >
        {t('identities.unlink')}
      </button>
    </li>
  );
}

export function IdentitiesSection({
  identities,
  actions,
}: {
  identities: Resource<{ identities: Identity[] }>;
  actions: Actions;
}) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="identities-title">
      <h2 id="identities-title">{t('identities.title')}</h2>
      <p>{t('identities.intro')}</p>
      <Loaded resource={identities}>
        {(data) => (
          <ul class="cards">
            {data.identities.map((identity) => (
              <IdentityItem key={identity.id} identity={identity} actions={actions} />
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}
