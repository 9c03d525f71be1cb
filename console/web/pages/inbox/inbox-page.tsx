import { useCallback, useState } from 'preact/hooks';
import type { Household, InboxItem } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import { useActions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { HouseholdScope } from '../household-scope.js';
import { InboxItemCard } from './inbox-item.js';
import { RulesSection } from './rules.js';

function HouseholdInbox({ household, session }: { household: Household; session: Session }) {
  const { t } = useI18n();
  // Readings of devices nobody claimed are left out unless asked for: they cannot be filed until claimed.
  const [unclaimed, setUnclaimed] = useState(false);
  const [inbox, reloadInbox] = useResource<{ items: InboxItem[] }>(
    `/v1/households/${encodeURIComponent(household.id)}/inbox?state=held` +
      (unclaimed ? '&include_unknown_devices=true' : ''),
  );
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => {
    reloadInbox();
    setGeneration((n) => n + 1);
  }, [reloadInbox]);
  const state = useActions(session.csrf_token, reload);
  return (
    <>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <section aria-labelledby="held-title">
        <div class="page-head">
          <h2 id="held-title">{t('inbox.heldTitle', { household: household.name })}</h2>
          <button type="button" class="secondary" onClick={reloadInbox}>
            {t('nearby.refresh')}
          </button>
        </div>
        <p>{t('inbox.intro')}</p>
        <p class="check">
          <input
            type="checkbox"
            id="inbox-unclaimed"
            checked={unclaimed}
            onChange={(event) => setUnclaimed((event.currentTarget as HTMLInputElement).checked)}
          />
          <label for="inbox-unclaimed">{t('inbox.includeUnclaimed')}</label>
        </p>
        <Loaded resource={inbox}>
          {(data) => {
            const held = data.items.filter((item) => item.state === 'held');
            return held.length === 0 ? (
              <p class="muted">{t('inbox.empty')}</p>
            ) : (
              <ul class="cards">
                {held.map((item) => (
                  <InboxItemCard key={item.id} household={household} item={item} actions={state.actions} />
                ))}
              </ul>
            );
          }}
        </Loaded>
      </section>
      <RulesSection
        household={household}
        me={session.account_id ?? ''}
        actions={state.actions}
        generation={generation}
      />
    </>
  );
}

export function InboxPage({ session }: { session: Session }) {
  const { t } = useI18n();
  return (
    <div class="stack">
      <PageTitle>{t('inbox.title')}</PageTitle>
      <HouseholdScope>
        {(household) => <HouseholdInbox household={household} session={session} />}
      </HouseholdScope>
    </div>
  );
}
