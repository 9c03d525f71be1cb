import { useCallback, useEffect } from 'preact/hooks';
import { ApiProblem, send } from '../../api/client.js';
import type { AuditEntry, Identity, LinkSuggestion, Me, Merge, Provider, Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, describeCode, describeProblem, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { reloadAt, useLocation } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { useActions } from './actions.js';
import { AuditSection } from './audit.js';
import { ConsentsSection } from './consents.js';
import { ExportSection } from './export-data.js';
import { IdentitiesSection } from './identities.js';
import { LinkIdentitySection } from './link-identity.js';
import { MergeOffer } from './merge-offer.js';
import { MergesSection } from './merges.js';
import { ProfileSection } from './profile.js';
import { StepUpDialog } from './step-up-dialog.js';
import { SuggestionsSection } from './suggestions.js';

export function AccountPage({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const [me, reloadMe] = useResource<Me>('/v1/me');
  const [identities, reloadIdentities] = useResource<{ identities: Identity[] }>('/v1/me/identities');
  const [providers] = useResource<{ providers: Provider[] }>('/v1/auth/providers');
  const [suggestions, reloadSuggestions] = useResource<{ suggestions: LinkSuggestion[] }>(
    '/v1/me/link-suggestions',
  );
  const [merges, reloadMerges] = useResource<{ merges: Merge[] }>('/v1/me/merges');
  const [audit, reloadAudit] = useResource<{ entries: AuditEntry[] }>('/v1/me/audit?limit=50');
  const reload = useCallback(() => {
    for (const again of [reloadMe, reloadIdentities, reloadSuggestions, reloadMerges, reloadAudit]) again();
  }, [reloadMe, reloadIdentities, reloadSuggestions, reloadMerges, reloadAudit]);
  const state = useActions(session.csrf_token, reload);

  // The session cookie can end between the session check and these calls (expiry, sign-out elsewhere).
  const lostSession = me.status === 'error' && me.error instanceof ApiProblem && me.error.status === 401;
  useEffect(() => {
    if (lostSession) reloadAt('/signin');
  }, [lostSession]);

  const error = query.get('error');
  const offerId = error === 'API_ERR_IDENTITY_IN_USE' ? query.get('merge_offer') : null;
  const signOut = async () => {
    try {
      await send('POST', '/v1/auth/signout', session.csrf_token);
      onSignedOut();
    } catch (problem) {
      state.showAlert(describeProblem(i18n, problem));
    }
  };

  return (
    <div class="stack">
      <div class="page-head">
        <PageTitle>{t('account.title')}</PageTitle>
        <button type="button" class="secondary" disabled={state.actions.busy} onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </div>
      <Alert
        view={state.alert ?? (error !== null && offerId === null ? describeCode(i18n, error) : undefined)}
      />
      <Status message={state.status} />
      {offerId !== null && <MergeOffer offerId={offerId} actions={state.actions} />}
      <ProfileSection me={me} />
      <IdentitiesSection identities={identities} actions={state.actions} />
      <LinkIdentitySection providers={providers} actions={state.actions} />
      <SuggestionsSection suggestions={suggestions} />
      <MergesSection merges={merges} actions={state.actions} />
      <ConsentsSection csrf={session.csrf_token} onChanged={reloadAudit} />
      <ExportSection />
      <AuditSection audit={audit} />
      <StepUpDialog
        open={state.stepUpOpen}
        identities={identities.status === 'ok' ? identities.data.identities : []}
        csrf={session.csrf_token}
        onClose={state.closeStepUp}
      />
    </div>
  );
}
