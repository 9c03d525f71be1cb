import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';

/** A profile for someone who does not sign in (a child, an elder), managed by the household's adults. */
export function DependentsSection({ household, actions }: { household: Household; actions: Actions }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const add = (event: Event) => {
    event.preventDefault();
    const displayName = name.trim();
    void actions.run(async () => {
      await send('POST', `/v1/households/${encodeURIComponent(household.id)}/dependents`, actions.csrf, {
        display_name: displayName,
      });
      setName('');
      return t('dependents.added', { name: displayName });
    });
  };
  return (
    <section aria-labelledby="dependents-title">
      <h2 id="dependents-title">{t('dependents.title')}</h2>
      <p>{t('dependents.intro')}</p>
      <form class="inline-form" onSubmit={add}>
        <label for="dependent-name">{t('dependents.name')}</label>
        <input
          id="dependent-name"
          value={name}
          maxLength={100}
          required
          onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={actions.busy || name.trim() === ''}>
          {t('dependents.add')}
        </button>
      </form>
    </section>
  );
}
