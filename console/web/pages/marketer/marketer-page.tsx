import { useMemo } from 'preact/hooks';
import { createCrmClient, crmPath } from '../../api/marketer-client.js';
import type { Org, Segment, Trait } from '../../api/marketer-types.js';
import type { Session } from '../../api/types.js';
import { PageTitle } from '../../components/page-title.js';
import { useI18n } from '../../i18n/context.js';
import { Link, useLocation } from '../../router.js';
import { useResource } from '../../use-resource.js';
import { Loaded } from '../account/loaded.js';
import { SegmentBuilder } from './builder.js';
import { CatalogBrowser } from './catalog.js';
import { Destinations } from './destinations.js';
import { Reports } from './reports.js';
import { SegmentList } from './segments.js';
import { TABS } from './styles.js';
import { useCrm } from './use-crm.js';

export const MARKETER_TABS = ['builder', 'catalog', 'segments', 'destinations', 'reports'] as const;
type Tab = (typeof MARKETER_TABS)[number];
const isTab = (v: string | null): v is Tab => (MARKETER_TABS as readonly (string | null)[]).includes(v);

/** The address of one organisation's marketer area, on one tab. */
export const marketerPath = (slug: string, tab: Tab = 'builder') =>
  `/marketer?org=${encodeURIComponent(slug)}&tab=${tab}`;

/**
 * /marketer?org=<slug>&tab=…: the marketer's area of one organisation (issue 16 §8, DESIGN.md §5). The
 * person must hold the marketer role there; everything below is read with that organisation's marketer
 * token, never with the person's own credentials, and shows counts only.
 */
export function MarketerPage({ session }: { session: Session }) {
  const { t } = useI18n();
  const { query } = useLocation();
  const slug = query.get('org') ?? '';
  const tabParam = query.get('tab');
  const tab: Tab = isTab(tabParam) ? tabParam : 'builder';
  const [orgs] = useResource<{ orgs: Org[] }>('/v1/orgs');
  return (
    <Loaded resource={orgs}>
      {({ orgs: list }) => {
        const org = list.find((o) => o.slug === slug || o.id === slug);
        if (org === undefined || !org.roles.includes('marketer')) {
          const mine = list.filter((o) => o.roles.includes('marketer'));
          return (
            <div class="narrow">
              <PageTitle>{t('marketer.titlePlain')}</PageTitle>
              <p data-testid="marketer-no-role">{t('marketer.noRole')}</p>
              {mine.length > 0 && (
                <ul>
                  {mine.map((o) => (
                    <li key={o.id}>
                      <Link href={marketerPath(o.slug)}>{t('nav.marketerOf', { name: o.name })}</Link>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          );
        }
        return <OrgArea key={org.id} org={org} tab={tab} csrf={session.csrf_token} />;
      }}
    </Loaded>
  );
}

function OrgArea({ org, tab, csrf }: { org: Org; tab: Tab; csrf: string | undefined }) {
  const { t } = useI18n();
  const client = useMemo(() => createCrmClient(org.id, csrf), [org.id, csrf]);
  const [traits] = useCrm<{ traits: Trait[] }>(client, crmPath(org.id, 'traits'));
  const [segments, reloadSegments] = useCrm<{ segments: Segment[] }>(client, crmPath(org.id, 'segments'));
  const saved = segments.status === 'ok' ? segments.data.segments : [];
  return (
    <div class="stack">
      <PageTitle>{t('marketer.title', { name: org.name })}</PageTitle>
      <p>{t('marketer.intro')}</p>
      <nav aria-label={t('marketer.tabs')}>
        <ul style={TABS} class="metric-tabs">
          {MARKETER_TABS.map((x) => (
            <li key={x}>
              <Link href={marketerPath(org.slug, x)} aria-current={x === tab ? 'page' : undefined}>
                {t(`marketer.tab.${x}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {tab === 'catalog' && <Loaded resource={traits}>{(d) => <CatalogBrowser traits={d.traits} />}</Loaded>}
      {tab === 'builder' && (
        <Loaded resource={traits}>
          {(d) => (
            <SegmentBuilder client={client} traits={d.traits} segments={saved} onSaved={reloadSegments} />
          )}
        </Loaded>
      )}
      {tab === 'segments' && (
        <Loaded resource={segments}>
          {(d) => <SegmentList client={client} segments={d.segments} reload={reloadSegments} />}
        </Loaded>
      )}
      {tab === 'destinations' && (
        <Loaded resource={segments}>{(d) => <Destinations client={client} segments={d.segments} />}</Loaded>
      )}
      {tab === 'reports' && <Reports client={client} />}
    </div>
  );
}
