import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { AuthorizeRedirect, Provider } from '../../api/types.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';
import type { Actions } from './actions.js';
import { Loaded } from './loaded.js';

function LinkForm({ providers, actions }: { providers: Provider[]; actions: Actions }) {
  const { t } = useI18n();
  const [choice, setChoice] = useState(providers[0]?.id ?? '');
  const onSubmit = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      const { authorize_url } = await send<AuthorizeRedirect>(
        'POST',
        '/v1/me/identities/link',
        actions.csrf,
        {
          provider: choice,
          return_to: '/account',
        },
      );
      // The provider's sign-in page; it sends the person back to /account when done.
      window.location.assign(authorize_url);
      return undefined;
    });
  };
  return (
    <form class="inline-form" onSubmit={onSubmit}>
      <label for="link-provider">{t('link.provider')}</label>
      <select
        id="link-provider"
        value={choice}
        onChange={(event) => setChoice((event.currentTarget as HTMLSelectElement).value)}
      >
        {providers.map((provider) => (
          <option key={provider.id} value={provider.id}>
            {provider.display_name}
          </option>
        ))}
      </select>
      <button type="submit" disabled={actions.busy || choice === ''}>
        {t('link.submit')}
      </button>
    </form>
  );
}

export function LinkIdentitySection({
  providers,
  actions,
}: {
  providers: Resource<{ providers: Provider[] }>;
  actions: Actions;
}) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="link-title">
      <h2 id="link-title">{t('link.title')}</h2>
      <p>{t('link.intro')}</p>
      <Loaded resource={providers}>
        {(data) => <LinkForm providers={data.providers} actions={actions} />}
      </Loaded>
    </section>
  );
}
