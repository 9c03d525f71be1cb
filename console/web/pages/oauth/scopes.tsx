import type { I18n } from '../../i18n/context.js';
import { showableLogo } from './scope-names.js';

export function AppLogo({ uri, name, t }: { uri: string | null; name: string; t: I18n['t'] }) {
  const src = showableLogo(uri);
  if (src === undefined) return null;
  return <img class="avatar" src={src} alt={t('oauth.logoAlt', { name })} width={48} height={48} />;
}

export function SandboxBadge({ t }: { t: I18n['t'] }) {
  return (
    <span class="badge" title={t('oauth.sandboxAbout')}>
      {t('oauth.sandbox')}
    </span>
  );
}
