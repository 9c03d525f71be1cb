import { ApiProblem } from '../api/client.js';
import type { I18n } from '../i18n/context.js';
import { useI18n } from '../i18n/context.js';
import { isMessageKey } from '../i18n/index.js';

export interface ProblemView {
  readonly message: string;
  /** The code as the API sent it, shown small so support can be told exactly what happened. */
  readonly code: string | undefined;
}

/**
 * A known code gets the dictionary's sentence in the chosen language; an unknown one the API's own
 * `detail` (English), and failing that a generic sentence.
 */
export function describeProblem(i18n: Pick<I18n, 't'>, problem: unknown): ProblemView {
  if (!(problem instanceof ApiProblem)) return { message: i18n.t('error.generic'), code: undefined };
  if (problem.network) return { message: i18n.t('error.network'), code: undefined };
  const code = problem.code;
  const key = `error.${code}`;
  if (code !== undefined && isMessageKey(key)) return { message: i18n.t(key), code };
  return { message: problem.detail ?? i18n.t('error.generic'), code: code ?? `HTTP ${problem.status}` };
}

/** A code from a redirect (`?error=CODE`), which carries no detail. */
export function describeCode(i18n: Pick<I18n, 't'>, code: string): ProblemView {
  const key = `error.${code}`;
  return { message: isMessageKey(key) ? i18n.t(key) : i18n.t('error.generic'), code };
}

export function ProblemMessage({ view, lead }: { view: ProblemView; lead?: string | undefined }) {
  const { t } = useI18n();
  return (
    <>
      {lead !== undefined && <strong class="alert-lead">{lead}</strong>}
      <span>{view.message}</span>
      {view.code !== undefined && <small class="code">{t('common.errorCode', { code: view.code })}</small>}
    </>
  );
}

/**
 * The page's alert region. It stays in the document while empty so that assistive technology announces
 * the message the moment it appears.
 */
export function Alert({ view, lead }: { view: ProblemView | undefined; lead?: string | undefined }) {
  return (
    <div role="alert" class={view === undefined ? 'alert-slot' : 'alert'}>
      {view !== undefined && <ProblemMessage view={view} lead={lead} />}
    </div>
  );
}

/** Polite announcements of things that worked ("The merge was undone."). */
export function Status({ message }: { message: string | undefined }) {
  return (
    <div role="status" class={message === undefined ? 'alert-slot' : 'notice'}>
      {message}
    </div>
  );
}
