import { useEffect, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household, Invite, OneTimeCode } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import type { Actions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';
import { CodeCard } from './code-card.js';

/** Invite someone as an adult: a single-use code and link, shown once; open invites can be revoked. */
export function InvitesSection({
  household,
  actions,
  generation,
}: {
  household: Household;
  actions: Actions;
  generation: number;
}) {
  const { t, date } = useI18n();
  const base = `/v1/households/${encodeURIComponent(household.id)}/invites`;
  const [invites, reload] = useResource<{ invites: Invite[] }>(base);
  const [fresh, setFresh] = useState<OneTimeCode | undefined>(undefined);
  useEffect(() => {
    if (generation > 0) reload();
  }, [generation, reload]);
  const create = () =>
    actions.run(async () => {
      setFresh(await send<OneTimeCode>('POST', base, actions.csrf));
      return t('invites.created');
    });
  const revoke = (invite: Invite) =>
    actions.run(async () => {
      await send('DELETE', `${base}/${encodeURIComponent(invite.id)}`, actions.csrf);
      return t('invites.revoked');
    });
  return (
    <section aria-labelledby="invites-title">
      <h2 id="invites-title">{t('invites.title')}</h2>
      <p>{t('invites.intro')}</p>
      <button type="button" disabled={actions.busy} onClick={() => void create()}>
        {t('invites.create')}
      </button>
      {fresh !== undefined && (
        <CodeCard id="invite-code" title={t('invites.newTitle')} intro={t('invites.newIntro')} code={fresh} />
      )}
      <Loaded resource={invites}>
        {(data) => {
          const open = data.invites.filter((invite) => invite.status === 'open');
          if (open.length === 0) return <p class="muted">{t('invites.none')}</p>;
          return (
            <ul class="cards">
              {open.map((invite) => (
                <li key={invite.id} class="card">
                  <div>
                    <p class="title">{t('invites.open', { date: date(invite.created_at) })}</p>
                    <p class="muted">{t('code.expires', { date: date(invite.expires_at) })}</p>
                  </div>
                  <button
                    type="button"
                    class="secondary"
                    disabled={actions.busy}
                    aria-label={t('invites.revokeLabel', { date: date(invite.created_at) })}
                    onClick={() => void revoke(invite)}
                  >
                    {t('invites.revoke')}
                  </button>
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
    </section>
  );
}
