import { useEffect } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household, Share } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import type { Actions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';

/** Whose data a share row is about: the API may name it either way. */
const ownerOf = (share: Share) => share.owner_account_id ?? share.account_id ?? undefined;

/**
 * Health data is private by default (issue 12): each member chooses, per other member, who may see theirs.
 * One checkbox per member; ticking it shares, clearing it stops sharing at once.
 */
export function SharingSection({
  household,
  me,
  actions,
  generation,
}: {
  household: Household;
  me: string;
  actions: Actions;
  generation: number;
}) {
  const { t } = useI18n();
  const base = `/v1/households/${encodeURIComponent(household.id)}/shares`;
  const [shares, reload] = useResource<{ shares: Share[] }>(base);
  useEffect(() => {
    if (generation > 0) reload();
  }, [generation, reload]);
  const others = household.members.filter((m) => m.account_id !== me && m.role !== 'dependent');
  const toggle = (viewer: string, name: string, on: boolean) =>
    actions.run(async () => {
      await send(on ? 'PUT' : 'DELETE', `${base}/${encodeURIComponent(viewer)}`, actions.csrf);
      return t(on ? 'sharing.on' : 'sharing.off', { name });
    });
  return (
    <section aria-labelledby="sharing-title">
      <h2 id="sharing-title">{t('sharing.title')}</h2>
      <p>{t('sharing.intro')}</p>
      {others.length === 0 ? (
        <p class="muted">{t('sharing.nobody')}</p>
      ) : (
        <Loaded resource={shares}>
          {(data) => {
            const mine = new Set(
              data.shares.filter((s) => (ownerOf(s) ?? me) === me).map((s) => s.viewer_account_id),
            );
            return (
              <ul class="checks">
                {others.map((member) => (
                  <li key={member.account_id}>
                    <input
                      type="checkbox"
                      id={`share-${member.account_id}`}
                      checked={mine.has(member.account_id)}
                      disabled={actions.busy}
                      onChange={(event) =>
                        void toggle(
                          member.account_id,
                          member.display_name,
                          (event.currentTarget as HTMLInputElement).checked,
                        )
                      }
                    />
                    <label for={`share-${member.account_id}`}>
                      {t('sharing.with', { name: member.display_name })}
                    </label>
                  </li>
                ))}
              </ul>
            );
          }}
        </Loaded>
      )}
    </section>
  );
}
