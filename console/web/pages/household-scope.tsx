import type { ComponentChildren } from 'preact';
import type { Household } from '../api/household-types.js';
import { Loading } from '../components/loading.js';
import { Alert, describeProblem } from '../components/problem.js';
import { useI18n } from '../i18n/context.js';
import { Link, navigate, useLocation } from '../router.js';
import { useResource } from '../use-resource.js';

// The last household chosen, so moving between the household, gateways, devices and inbox pages (or a
// reload) stays in it; ?household= in the address wins, so a link names its household.
const STORAGE_KEY = 'linkwell.household';

function remembered(): string | undefined {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function rememberHousehold(id: string): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, id);
  } catch {
    // Not remembered; ?household= still works.
  }
}

/** The household a page is about: ?household=, else the remembered one, else the first. */
export function pickHousehold(
  households: readonly Household[],
  wanted: string | null,
): Household | undefined {
  const byId = (id: string | null | undefined) => households.find((h) => h.id === id);
  return byId(wanted) ?? byId(remembered()) ?? households[0];
}

export function HouseholdPicker({ households, current }: { households: Household[]; current: Household }) {
  const { t } = useI18n();
  const { path } = useLocation();
  if (households.length < 2) return null;
  const onChange = (event: Event) => {
    const id = (event.currentTarget as HTMLSelectElement).value;
    rememberHousehold(id);
    navigate(`${path}?household=${encodeURIComponent(id)}`, { replace: true });
  };
  return (
    <div class="inline-form">
      <label for="household-select">{t('household.pick')}</label>
      <select id="household-select" value={current.id} onChange={onChange}>
        {households.map((h) => (
          <option key={h.id} value={h.id}>
            {h.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Loads the caller's households and renders `children` for the chosen one, with a picker when there
 * are several; with none, points to the household page where one is created or joined.
 */
export function HouseholdScope({
  children,
}: {
  children: (household: Household, reload: () => void) => ComponentChildren;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const { query } = useLocation();
  const [households, reload] = useResource<{ households: Household[] }>('/v1/households');
  if (households.status === 'loading') return <Loading />;
  if (households.status === 'error') return <Alert view={describeProblem(i18n, households.error)} />;
  const list = households.data.households;
  const current = pickHousehold(list, query.get('household'));
  if (current === undefined) {
    return (
      <p>
        {t('household.noneYet')} <Link href="/household">{t('household.createLink')}</Link>
      </p>
    );
  }
  return (
    <>
      <HouseholdPicker households={list} current={current} />
      {children(current, reload)}
    </>
  );
}

/** A member's name in the household, or the id when they are not (any more) a member. */
export function memberName(household: Household, accountId: string | null | undefined): string {
  if (accountId === null || accountId === undefined) return '';
  return household.members.find((m) => m.account_id === accountId)?.display_name ?? accountId;
}
