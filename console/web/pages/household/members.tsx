import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household, Member, OneTimeCode } from '../../api/household-types.js';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog.js';
import { useI18n } from '../../i18n/context.js';
import { Link, navigate } from '../../router.js';
import type { Actions } from '../account/actions.js';

interface MemberProps {
  household: Household;
  member: Member;
  me: string;
  actions: Actions;
  confirm: (request: ConfirmRequest) => void;
  onHandover: (name: string, code: OneTimeCode) => void;
}

function MemberItem({ household, member, me, actions, confirm, onHandover }: MemberProps) {
  const { t } = useI18n();
  const base = `/v1/households/${encodeURIComponent(household.id)}`;
  const who = `/members/${encodeURIComponent(member.account_id)}`;
  const name = member.display_name;
  const isMe = member.account_id === me;
  const owner = household.role === 'owner';
  const manager = household.role === 'owner' || household.role === 'adult';

  const leave = () =>
    confirm({
      title: t('members.leaveTitle', { household: household.name }),
      body: t('members.leaveBody'),
      confirm: t('members.leave'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('POST', `${base}/leave`, actions.csrf);
          navigate('/household', { replace: true });
          return t('members.left', { household: household.name });
        }),
    });
  const remove = () =>
    confirm({
      title: t('members.removeTitle', { name }),
      body: t('members.removeBody', { name }),
      confirm: t('members.remove'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('DELETE', `${base}${who}`, actions.csrf);
          return t('members.removed', { name });
        }),
    });
  const transfer = () =>
    confirm({
      title: t('members.transferTitle', { name }),
      body: t('members.transferBody', { name }),
      confirm: t('members.transfer'),
      onConfirm: () =>
        void actions.run(async () => {
          await send('POST', `${base}/transfer`, actions.csrf, { account_id: member.account_id });
          return t('members.transferred', { name });
        }),
    });
  const handover = () =>
    actions.run(async () => {
      const code = await send<OneTimeCode>('POST', `${base}${who}/handover`, actions.csrf);
      onHandover(name, code);
      return t('handover.made', { name });
    });

  return (
    <li class="card member">
      <div>
        <p class="title">
          {name} {isMe && <span class="muted">{t('members.you')}</span>}
        </p>
        <p>
          <span class="badge">{t(`role.${member.role}`)}</span>{' '}
          <Link
            href={`/readings?household=${encodeURIComponent(household.id)}&member=${encodeURIComponent(member.account_id)}`}
          >
            {t('members.readings')}
          </Link>
        </p>
      </div>
      <div class="buttons">
        {isMe && (
          <button type="button" class="secondary" disabled={actions.busy} onClick={leave}>
            {t('members.leave')}
          </button>
        )}
        {!isMe && manager && member.role === 'dependent' && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('members.handoverLabel', { name })}
            onClick={() => void handover()}
          >
            {t('members.handover')}
          </button>
        )}
        {!isMe && owner && member.role === 'adult' && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('members.transferLabel', { name })}
            onClick={transfer}
          >
            {t('members.transfer')}
          </button>
        )}
        {!isMe && owner && (
          <button
            type="button"
            class="secondary"
            disabled={actions.busy}
            aria-label={t('members.removeLabel', { name })}
            onClick={remove}
          >
            {t('members.remove')}
          </button>
        )}
      </div>
    </li>
  );
}

export function MembersSection({
  household,
  me,
  actions,
  onHandover,
}: {
  household: Household;
  me: string;
  actions: Actions;
  onHandover: (name: string, code: OneTimeCode) => void;
}) {
  const { t } = useI18n();
  const [request, setRequest] = useState<ConfirmRequest | undefined>(undefined);
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">{t('members.title')}</h2>
      <ul class="cards">
        {household.members.map((member) => (
          <MemberItem
            key={member.account_id}
            household={household}
            member={member}
            me={me}
            actions={actions}
            confirm={setRequest}
            onHandover={onHandover}
          />
        ))}
      </ul>
      <ConfirmDialog request={request} onClose={() => setRequest(undefined)} />
    </section>
  );
}
