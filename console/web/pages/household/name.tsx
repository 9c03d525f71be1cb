import { useEffect, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import type { Actions } from '../account/actions.js';

/** The household's name; the owner may rename it. */
export function NameSection({ household, actions }: { household: Household; actions: Actions }) {
  const { t, date } = useI18n();
  const [name, setName] = useState(household.name);
  useEffect(() => setName(household.name), [household.name]);
  const rename = (event: Event) => {
    event.preventDefault();
    void actions.run(async () => {
      await send('PATCH', `/v1/households/${encodeURIComponent(household.id)}`, actions.csrf, {
        name: name.trim(),
      });
      return t('household.renamed');
    });
  };
  return (
    <section aria-labelledby="household-name-title">
      <h2 id="household-name-title">{household.name}</h2>
      <p class="muted">
        {t(`role.${household.role}`)} · {t('household.since', { date: date(household.created_at) })}
      </p>
      {household.role === 'owner' && (
        <form class="inline-form" onSubmit={rename}>
          <label for="household-rename">{t('household.newName')}</label>
          <input
            id="household-rename"
            value={name}
            maxLength={100}
            required
            onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
          />
          <button
            type="submit"
            class="secondary"
            disabled={actions.busy || name.trim() === '' || name === household.name}
          >
            {t('household.rename')}
          </button>
        </form>
      )}
    </section>
  );
}
