import { useCallback, useState } from 'preact/hooks';
import type { Household, OneTimeCode } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Link } from '../../router.js';
import { useActions } from '../account/actions.js';
import { HouseholdScope } from '../household-scope.js';
import { CodeCard } from './code-card.js';
import { CreateHousehold } from './create-household.js';
import { DependentsSection } from './dependents.js';
import { InvitesSection } from './invites.js';
import { MembersSection } from './members.js';
import { NameSection } from './name.js';
import { SharingSection } from './sharing.js';

function HouseholdBody({
  household,
  session,
  reload,
}: {
  household: Household;
  session: Session;
  reload: () => void;
}) {
  const { t } = useI18n();
  const [generation, setGeneration] = useState(0);
  const reloadAll = useCallback(() => {
    reload();
    setGeneration((n) => n + 1);
  }, [reload]);
  const state = useActions(session.csrf_token, reloadAll);
  // A handover code is shown once, after it is made, in its own card.
  const [handover, setHandover] = useState<{ name: string; code: OneTimeCode } | undefined>(undefined);
  const me = session.account_id ?? '';
  return (
    <>
      <Alert view={state.alert} />
      <Status message={state.status} />
      <NameSection household={household} actions={state.actions} />
      <MembersSection
        household={household}
        me={me}
        actions={state.actions}
        onHandover={(name, code) => setHandover({ name, code })}
      />
      {handover !== undefined && (
        <CodeCard
          id="handover-code"
          title={t('handover.title', { name: handover.name })}
          intro={t('handover.intro', { name: handover.name })}
          code={handover.code}
        />
      )}
      {household.role !== 'dependent' && <DependentsSection household={household} actions={state.actions} />}
      {household.role !== 'dependent' && (
        <InvitesSection household={household} actions={state.actions} generation={generation} />
      )}
      <SharingSection household={household} me={me} actions={state.actions} generation={generation} />
      <p>
        <Link href={`/gateways?household=${encodeURIComponent(household.id)}`}>{t('nav.gateways')}</Link>
        {' · '}
        <Link href={`/devices?household=${encodeURIComponent(household.id)}`}>{t('nav.devices')}</Link>
        {' · '}
        <Link href={`/inbox?household=${encodeURIComponent(household.id)}`}>{t('nav.inbox')}</Link>
      </p>
    </>
  );
}

export function HouseholdPage({ session }: { session: Session }) {
  const { t } = useI18n();
  const [created, setCreated] = useState(0);
  return (
    <div class="stack">
      <PageTitle>{t('household.title')}</PageTitle>
      <HouseholdScope key={created}>
        {(household, reload) => <HouseholdBody household={household} session={session} reload={reload} />}
      </HouseholdScope>
      <CreateHousehold csrf={session.csrf_token} onCreated={() => setCreated((n) => n + 1)} />
      <p>
        <Link href="/join">{t('join.link')}</Link>
      </p>
    </div>
  );
}
