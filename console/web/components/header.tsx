import { useI18n } from '../i18n/context.js';
import { MarketerNav } from '../pages/marketer/marketer-nav.js';
import { Link } from '../router.js';
import { LanguageSwitcher } from './language-switcher.js';

export function SiteHeader({ signedIn, path }: { signedIn: boolean | undefined; path: string }) {
  const { t } = useI18n();
  const items = signedIn
    ? [
        { href: '/household', label: t('nav.household') },
        { href: '/gateways', label: t('nav.gateways') },
        { href: '/devices', label: t('nav.devices') },
        { href: '/inbox', label: t('nav.inbox') },
        { href: '/trends', label: t('nav.trends') },
        { href: '/apps', label: t('nav.apps') },
        { href: '/developer', label: t('nav.developer') },
        { href: '/account', label: t('nav.account') },
      ]
    : [{ href: '/signin', label: t('nav.signIn') }];
  return (
    <header class="site-header">
      <a class="skip" href="#main">
        {t('app.skipToMain')}
      </a>
      <div class="bar">
        <Link href={signedIn ? '/account' : '/signin'} class="brand">
          <span class="logo" aria-hidden="true" />
          <span>{t('app.name')}</span>
        </Link>
        <nav aria-label={t('nav.label')}>
          {signedIn !== undefined &&
            items.map((item) => (
              <Link key={item.href} href={item.href} aria-current={path === item.href ? 'page' : undefined}>
                {item.label}
              </Link>
            ))}
          {signedIn === true && <MarketerNav path={path} />}
        </nav>
        <LanguageSwitcher />
      </div>
    </header>
  );
}
