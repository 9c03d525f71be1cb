import { useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { Household } from '../../api/household-types.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { navigate } from '../../router.js';
import { rememberHousehold } from '../household-scope.js';

/** "New household": the caller becomes its owner, and the page switches to it. */
export function CreateHousehold({ csrf, onCreated }: { csrf: string | undefined; onCreated: () => void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const onSubmit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const household = await send<Household>('POST', '/v1/households', csrf, { name: name.trim() });
      rememberHousehold(household.id);
      setName('');
      navigate(`/household?household=${encodeURIComponent(household.id)}`, { replace: true });
      onCreated();
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="create-household-title">
      <h2 id="create-household-title">{t('household.createTitle')}</h2>
      <Alert view={problem} />
      <form class="inline-form" onSubmit={(event) => void onSubmit(event)}>
        <label for="create-household-name">{t('household.name')}</label>
        <input
          id="create-household-name"
          value={name}
          maxLength={100}
          required
          onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy || name.trim() === ''}>
          {t('household.create')}
        </button>
      </form>
    </section>
  );
}
