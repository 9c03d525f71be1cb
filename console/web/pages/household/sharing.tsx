import { useEffect, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household, Member, Share } from '../../api/household-types.js';
import { useI18n } from '../../i18n/context.js';
import { useResource } from '../../use-resource.js';
import type { Actions } from '../account/actions.js';
import { Loaded } from '../account/loaded.js';

/** Whose data a share row is about: the API may name it either way. */
const ownerOf = (share: Share) => share.owner_account_id ?? share.account_id ?? undefined;

/**
 * One member's checkbox. It shows the new state at once (a controlled box that waits for the API would
 * spring back under the pointer); a failed change reloads the list, which puts it right again.
 */
function ShareToggle({
  member,
  shared,
  disabled,
  onToggle,
}: {
  member: Member;
  shared: boolean;
  disabled: boolean;
  onToggle: (on: boolean) => void;
}) {
  const { t } = useI18n();
  const [checked, setChecked] = useState(shared);
  useEffect(() => setChecked(shared), [shared]);
  const id = `share-${member.account_id}`;
  return (
    <li>
      <input
        type="checkbox"
        id={id}
        checked={checked}
        disabled={disabled}
        onChange={(event) => {
          const on = (event.currentTarget as HTMLInputElement).checked;
          setChecked(on);
          onToggle(on);
        }}
      />
      <label for={id}>{t('sharing.with', { name: member.display_name })}</label>
    </li>
  );
}

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
                  <ShareToggle
                    key={member.account_id}
                    member={member}
                    shared={mine.has(member.account_id)}
                    disabled={actions.busy}
                    onToggle={(on) => void toggle(member.account_id, member.display_name, on)}
                  />
                ))}
              </ul>
            );
          }}
        </Loaded>
      )}
    </section>
  );
}
