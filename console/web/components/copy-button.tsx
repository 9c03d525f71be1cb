import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/context.js';

/**
 * Copies `text` to the clipboard. The clipboard may be refused (an insecure origin, a permission), so the
 * text itself is always on the page as well; the button only saves typing.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span class="copy">
      <button type="button" class="secondary" aria-label={label} onClick={() => void copy()}>
        {t('common.copy')}
      </button>
      <span role="status" class="small muted">
        {state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : ''}
      </span>
    </span>
  );
}
