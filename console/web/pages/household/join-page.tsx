import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { navigate, reloadAt, useLocation } from '../../router.js';
import { rememberHousehold } from '../household-scope.js';

/** The answer to POST /v1/handovers/accept. */
interface HandoverAccepted {
  account_id: string;
  household_id: string;
}

/**
 * /join?code=… (an invite link) and /handover?code=… (a dependent's profile handed to this account): the
 * code is filled in from the link, and nothing happens until the person presses the button.
 */
export function JoinPage({ session }: { session: Session }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { path, query } = useLocation();
  const handover = path === '/handover';
  const [code, setCode] = useState(query.get('code') ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const body = { code: code.trim() };
      if (handover) {
        const taken = await send<HandoverAccepted>('POST', '/v1/handovers/accept', session.csrf_token, body);
        rememberHousehold(taken.household_id);
        // The API merged this account into the dependent's and ended its sessions: sign in again, to
        // the account that is now this person's, and come back to the household.
        const back = `/household?household=${encodeURIComponent(taken.household_id)}`;
        reloadAt(`/signin?return_to=${encodeURIComponent(back)}`);
        return;
      }
      const joined = await send<Household>('POST', '/v1/household-invites/accept', session.csrf_token, body);
      rememberHousehold(joined.id);
      navigate(`/household?household=${encodeURIComponent(joined.id)}`);
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="narrow">
      <PageTitle>{t(handover ? 'join.handoverTitle' : 'join.title')}</PageTitle>
      <p>{t(handover ? 'join.handoverIntro' : 'join.intro')}</p>
      <Alert view={problem} />
      <form class="inline-form" onSubmit={(event) => void onSubmit(event)}>
        <label for="join-code">{t('join.code')}</label>
        <input
          id="join-code"
          value={code}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          maxLength={32}
          required
          onInput={(event) => setCode((event.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy || code.trim() === ''}>
          {t(handover ? 'join.acceptHandover' : 'join.accept')}
        </button>
      </form>
    </div>
  );
}
