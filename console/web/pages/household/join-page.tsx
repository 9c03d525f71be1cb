import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { navigate, useLocation } from '../../router.js';
import { rememberHousehold } from '../household-scope.js';

/**
 * /join?code=… (an invite link) and /join?handover=… (a dependent's profile handed to this account): the
 * code is filled in from the link, and nothing happens until the person presses the button.
 */
export function JoinPage({ session }: { session: Session }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const handover = query.has('handover');
  const [code, setCode] = useState(query.get(handover ? 'handover' : 'code') ?? '');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const path = handover ? '/v1/handovers/accept' : '/v1/household-invites/accept';
      const joined = await send<Partial<Household> | undefined>('POST', path, session.csrf_token, {
        code: code.trim(),
      });
      const id = joined?.id ?? (joined as { household_id?: string } | undefined)?.household_id;
      if (typeof id === 'string') rememberHousehold(id);
      navigate(typeof id === 'string' ? `/household?household=${encodeURIComponent(id)}` : '/household');
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
