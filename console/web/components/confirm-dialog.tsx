import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';

export interface ConfirmRequest {
  readonly title: string;
  readonly body: string;
  readonly confirm: string;
  readonly onConfirm: () => void;
}

/**
 * Asks before something that cannot be undone (revoke, factory reset, unclaim). A modal <dialog> keeps
 * focus inside and closes on Escape; `request` undefined means closed.
 */
export function ConfirmDialog({
  request,
  onClose,
}: {
  request: ConfirmRequest | undefined;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (request !== undefined && !dialog.open) dialog.showModal();
    if (request === undefined && dialog.open) dialog.close();
  }, [request]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="confirm-title" onClose={onClose}>
      <h2 id="confirm-title">{request?.title ?? ''}</h2>
      <p>{request?.body ?? ''}</p>
      <div class="buttons">
        <button
          type="button"
          class="danger"
          onClick={() => {
            request?.onConfirm();
            onClose();
          }}
        >
          {request?.confirm ?? ''}
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}
