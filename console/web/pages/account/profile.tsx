import type { Me } from '../../api/types.js';
import { useI18n } from '../../i18n/context.js';
import type { Resource } from '../../use-resource.js';
import { Loaded } from './loaded.js';

/** The first letter of the name stands in for a picture: provider pictures live on third-party origins. */
function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '?';
}

export function ProfileSection({ me }: { me: Resource<Me> }) {
  const { t, date } = useI18n();
  return (
    <section aria-label={t('account.title')} class="profile">
      <Loaded resource={me}>
        {(account) => (
          <div class="profile-row">
            <span class="avatar" aria-hidden="true">
              {initial(account.display_name)}
            </span>
            <div>
              <p class="title">{account.display_name}</p>
              <p class="muted">{t('account.memberSince', { date: date(account.created_at) })}</p>
              <p class="muted small">{t('account.id', { id: account.id })}</p>
            </div>
          </div>
        )}
      </Loaded>
    </section>
  );
}
