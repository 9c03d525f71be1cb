import { useCallback, useState } from 'preact/hooks';
import { ApiProblem, hasCode } from '../../api/client.js';
import { describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { reloadAt } from '../../router.js';

export interface Actions {
  /** The session's CSRF token, sent with every change. */
  readonly csrf: string | undefined;
  readonly busy: boolean;
  /**
   * Runs one change. On success `task` returns the sentence to announce and the page reloads its data.
   * API_ERR_STEP_UP_REQUIRED opens the "Confirm it's you" dialog; a lost session goes to sign-in; any other
   * problem lands in the page's alert region.
   */
  run(task: () => Promise<string | undefined>): Promise<void>;
}

export interface ActionState {
  readonly actions: Actions;
  readonly alert: ProblemView | undefined;
  readonly status: string | undefined;
  readonly stepUpOpen: boolean;
  closeStepUp(): void;
  showAlert(view: ProblemView | undefined): void;
}

export function useActions(csrf: string | undefined, reload: () => void): ActionState {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<ProblemView | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [stepUpOpen, setStepUpOpen] = useState(false);

  const run = useCallback(
    async (task: () => Promise<string | undefined>) => {
      setBusy(true);
      setAlert(undefined);
      setStatus(undefined);
      try {
        setStatus(await task());
        reload();
      } catch (error) {
        if (hasCode(error, 'API_ERR_STEP_UP_REQUIRED')) setStepUpOpen(true);
        else if (error instanceof ApiProblem && error.status === 401) reloadAt('/signin');
        else setAlert(describeProblem(i18n, error));
      } finally {
        setBusy(false);
      }
    },
    [i18n, reload],
  );

  return {
    actions: { csrf, busy, run },
    alert,
    status,
    stepUpOpen,
    closeStepUp: () => setStepUpOpen(false),
    showAlert: setAlert,
  };
}
