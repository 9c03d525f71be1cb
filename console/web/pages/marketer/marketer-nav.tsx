import type { Org } from '../../api/marketer-types.js';
import { useI18n } from '../../i18n/context.js';
import { Link } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { marketerPath } from './marketer-page.js';

/**
 * The menu's way into the marketer area: one link per organisation where the person holds the marketer
 * role, nothing for everyone else (and nothing while loading or if the list cannot be read).
 */
export function MarketerNav({ path }: { path: string }) {
  const { t } = useI18n();
  const [orgs] = useResource<{ orgs: Org[] }>('/v1/orgs');
  if (orgs.status !== 'ok') return null;
  const mine = orgs.data.orgs.filter((o) => o.roles.includes('marketer'));
  return (
    <>
      {mine.map((o) => (
        <Link
          key={o.id}
          href={marketerPath(o.slug)}
          aria-current={
            path === '/marketer' && window.location.search.includes(`org=${encodeURIComponent(o.slug)}`)
              ? 'page'
              : undefined
          }
        >
          {mine.length === 1 ? t('nav.marketer') : t('nav.marketerOf', { name: o.name })}
        </Link>
      ))}
    </>
  );
}
