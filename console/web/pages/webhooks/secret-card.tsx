import { CopyButton } from '../../components/copy-button.js';
import { useI18n } from '../../i18n/context.js';

export interface ShownSecret {
  readonly url: string;
  readonly secret: string;
  /** A rotation (the old secret still signs) rather than a new endpoint (which still needs verifying). */
  readonly rotated: boolean;
}

/**
 * A signing secret as the API returns it, once: kept only in this page's memory, so a reload cannot show it
 * again (the API keeps it encrypted and never sends it twice, docs/webhooks.md "Signing and headers").
 */
export function SecretCard({ shown, onHide }: { shown: ShownSecret; onHide: () => void }) {
  const { t } = useI18n();
  return (
    <section class="offer" aria-labelledby="webhook-secret-title">
      <h2 id="webhook-secret-title">{t('webhooks.secretTitle', { url: shown.url })}</h2>
      <p>
        <strong>{t('webhooks.secretOnce')}</strong>
      </p>
      <p class="one-time-code" data-testid="webhook-secret">
        {shown.secret}
      </p>
      <CopyButton text={shown.secret} label={t('webhooks.copySecret')} />
      <p>{t(shown.rotated ? 'webhooks.secretRotated' : 'webhooks.secretInstall')}</p>
      <div class="buttons">
        <button type="button" class="secondary" onClick={onHide}>
          {t('webhooks.secretHide')}
        </button>
      </div>
    </section>
  );
}
