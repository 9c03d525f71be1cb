import { useEffect, useRef, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import type { AuthorizeRedirect, Identity } from '../../api/types.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';

/** One button per provider the account can sign in with, each once even with several identities there. */
function providersOf(identities: readonly Identity[]): { id: string; name: string }[] {
  const byId = new Map(identities.map((identity) => [identity.provider, identity.provider_display_name]));
  return [...byId].map(([id, name]) => ({ id, name }));
}

/**
 * "Confirm it's you": a fresh sign-in with one of the account's own identities, which the API asks for
 * (API_ERR_STEP_UP_REQUIRED) before linking, unlinking, merging or undoing a merge. A modal <dialog> keeps
 * focus inside and closes on Escape.
 */
export function StepUpDialog({
  open,
  identities,
  csrf,
  onClose,
}: {
  open: boolean;
  identities: readonly Identity[];
  csrf: string | undefined;
  onClose: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const ref = useRef<HTMLDialogElement>(null);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const confirmWith = async (provider: string) => {
    setProblem(undefined);
    try {
      const { authorize_url } = await send<AuthorizeRedirect>('POST', '/v1/auth/step-up', csrf, {
        provider,
        return_to: '/account',
      });
      window.location.assign(authorize_url);
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    }
  };

  return (
    <dialog ref={ref} class="dialog" aria-labelledby="step-up-title" onClose={onClose}>
      <h2 id="step-up-title">{t('stepUp.title')}</h2>
      <p>{t('stepUp.body')}</p>
      <Alert view={problem} />
      <div class="buttons stacked">
        {providersOf(identities).map((provider) => (
          <button key={provider.id} type="button" onClick={() => void confirmWith(provider.id)}>
            {t('stepUp.with', { provider: provider.name })}
          </button>
        ))}
        <button type="button" class="secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
