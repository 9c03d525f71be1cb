import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { DeviceAuthorizationDecision, Household } from '../../api/household-types.js';
import type { Session } from '../../api/types.js';
import { Loading } from '../../components/loading.js';
import { PageTitle } from '../../components/page-title.js';
import { Alert, describeProblem, type ProblemView, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Link, useLocation } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { pickHousehold, rememberHousehold } from '../household-scope.js';

const NEW = '__new__';

/**
 * "Add gateway", the RFC 8628 verification page (§3.3): the person types the code the gateway shows (or
 * arrives from /device?user_code= with it filled in), chooses the household, and approves or denies.
 * Nothing is decided on arrival: the code in a link alone must never add a gateway.
 */
export function ActivatePage({ session }: { session: Session }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const [households, reloadHouseholds] = useResource<{ households: Household[] }>('/v1/households');
  const [code, setCode] = useState(query.get('user_code') ?? '');
  const [choice, setChoice] = useState<string | undefined>(undefined);
  const [newName, setNewName] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const [done, setDone] = useState<{ decision: DeviceAuthorizationDecision; household?: string }>();

  if (households.status === 'loading') return <Loading />;
  if (households.status === 'error') return <Alert view={describeProblem(i18n, households.error)} />;
  const list = households.data.households;
  const selected = choice ?? pickHousehold(list, query.get('household'))?.id ?? NEW;

  const decide = async (approve: boolean) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const userCode = code.trim();
      if (!approve) {
        const decision = await send<DeviceAuthorizationDecision>(
          'POST',
          '/v1/device-authorizations/deny',
          session.csrf_token,
          { user_code: userCode },
        );
        setDone({ decision });
        return;
      }
      let household = list.find((h) => h.id === selected);
      if (household === undefined) {
        household = await send<Household>('POST', '/v1/households', session.csrf_token, {
          name: newName.trim(),
        });
        // Made now, whatever the code turns out to be: a retry (a mistyped code) uses it, not another.
        setChoice(household.id);
        reloadHouseholds();
      }
      rememberHousehold(household.id);
      const decision = await send<DeviceAuthorizationDecision>(
        'POST',
        '/v1/device-authorizations/verify',
        session.csrf_token,
        { user_code: userCode, household_id: household.id },
      );
      setDone({ decision, household: household.name });
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    } finally {
      setBusy(false);
    }
  };

  if (done !== undefined) {
    const approved = done.decision.status === 'approved';
    const gateway = done.decision.gateway_name ?? done.decision.user_code;
    return (
      <div class="narrow">
        <PageTitle>{t('activate.title')}</PageTitle>
        <Status
          message={
            approved
              ? t('activate.approved', { gateway, household: done.household ?? '' })
              : t('activate.denied', { code: done.decision.user_code })
          }
        />
        <p>
          <Link href="/gateways">{t('activate.toGateways')}</Link>
        </p>
      </div>
    );
  }

  const missingName = selected === NEW && newName.trim() === '';
  return (
    <div class="narrow">
      <PageTitle>{t('activate.title')}</PageTitle>
      <p>{t('activate.intro')}</p>
      <Alert view={problem} />
      <Status message={undefined} />
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          void decide(true);
        }}
      >
        <label for="activate-code">{t('activate.code')}</label>
        <input
          id="activate-code"
          class="code-input"
          value={code}
          autoComplete="off"
          autoCapitalize="characters"
          spellcheck={false}
          maxLength={16}
          required
          aria-describedby="activate-code-hint"
          onInput={(event) => setCode((event.currentTarget as HTMLInputElement).value)}
        />
        <p id="activate-code-hint" class="muted small">
          {t('activate.codeHint')}
        </p>
        <label for="activate-household">{t('activate.household')}</label>
        <select
          id="activate-household"
          value={selected}
          onChange={(event) => setChoice((event.currentTarget as HTMLSelectElement).value)}
        >
          {list.map((h) => (
            <option key={h.id} value={h.id}>
              {h.name}
            </option>
          ))}
          <option value={NEW}>{t('activate.newHousehold')}</option>
        </select>
        {selected === NEW && (
          <>
            <label for="activate-new-name">{t('household.name')}</label>
            <input
              id="activate-new-name"
              value={newName}
              maxLength={100}
              required
              onInput={(event) => setNewName((event.currentTarget as HTMLInputElement).value)}
            />
          </>
        )}
        <div class="buttons">
          <button type="submit" disabled={busy || code.trim() === '' || missingName}>
            {t('activate.approve')}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={busy || code.trim() === ''}
            onClick={() => void decide(false)}
          >
            {t('activate.deny')}
          </button>
        </div>
      </form>
      <p class="muted small">{t('activate.notYou')}</p>
    </div>
  );
}
