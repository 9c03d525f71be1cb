import { useState } from 'preact/hooks';
import type { CrmClient } from '../../api/marketer-client.js';
import { crmPath } from '../../api/marketer-client.js';
import type { Concentration, Count, FunnelStage, TierMigration } from '../../api/marketer-types.js';
import { useI18n } from '../../i18n/context.js';
import { Loaded } from '../account/loaded.js';
import { countText, percent, valueLabel } from './labels.js';
import { BAR_FILL, BAR_TRACK, LIST } from './styles.js';
import { TableScroll } from './table-scroll.js';
import { useCrm } from './use-crm.js';

const month = (offset: number) => {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + offset);
  return d.toISOString().slice(0, 7);
};

/**
 * A heat-map cell: darker for more people. Lightness stays where the text colour chosen keeps a 4.5:1
 * contrast (WCAG 1.4.3); a suppressed cell is grey and says `<100`.
 */
function heat(count: Count, max: number): { background: string; color: string } {
  if (typeof count !== 'number' || max <= 0) return { background: '#e5e7eb', color: '#111827' };
  const lightness = 96 - Math.round((count / max) * 60);
  return { background: `hsl(220 80% ${lightness}%)`, color: lightness < 62 ? '#ffffff' : '#111827' };
}

function TierMigrationReport({ client }: { client: CrmClient }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const [range, setRange] = useState({ from: month(-1), to: month(0) });
  const [draft, setDraft] = useState(range);
  const [data] = useCrm<TierMigration>(
    client,
    crmPath(client.orgId, `reports/tier-migration?from=${range.from}&to=${range.to}`),
  );
  return (
    <section aria-labelledby="migration-title" class="stack" data-testid="tier-migration">
      <h3 id="migration-title">{t('marketer.reports.migration')}</h3>
      <p class="muted">{t('marketer.reports.migrationIntro')}</p>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setRange(draft);
        }}
      >
        <label for="migration-from">{t('marketer.reports.fromMonth')}</label>
        <input
          id="migration-from"
          type="month"
          value={draft.from}
          onInput={(e) => setDraft({ ...draft, from: (e.currentTarget as HTMLInputElement).value })}
        />
        <label for="migration-to">{t('marketer.reports.toMonth')}</label>
        <input
          id="migration-to"
          type="month"
          value={draft.to}
          onInput={(e) => setDraft({ ...draft, to: (e.currentTarget as HTMLInputElement).value })}
        />
        <button type="submit" class="secondary">
          {t('marketer.reports.show')}
        </button>
      </form>
      <Loaded resource={data}>
        {(m) => {
          const max = Math.max(0, ...m.cells.flat().filter((c): c is number => typeof c === 'number'));
          return (
            <TableScroll label={t('marketer.reports.migration')}>
              <table class="trend-table heat-map">
                <caption>{t('marketer.reports.migrationCaption', { from: m.from, to: m.to })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('marketer.reports.fromTo')}</th>
                    {m.grades.map((g) => (
                      <th key={g} scope="col">
                        {g}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {m.grades.map((g, i) => (
                    <tr key={g}>
                      <th scope="row">{g}</th>
                      {m.grades.map((h, j) => {
                        const c = m.cells[i]?.[j] ?? 0;
                        return (
                          <td key={h} style={heat(c, max)}>
                            {countText(locale, c)}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          );
        }}
      </Loaded>
    </section>
  );
}

/** A horizontal bar for a share 0..1: drawn for sighted readers, the number beside it for everyone. */
function Bar({ share }: { share: number }) {
  return (
    <span style={BAR_TRACK} aria-hidden="true">
      <span style={{ ...BAR_FILL, width: `${Math.max(0, Math.min(1, share)) * 100}%` }} />
    </span>
  );
}

function ConcentrationReport({ client }: { client: CrmClient }) {
  const { t, locale } = useI18n();
  const [data] = useCrm<Concentration>(client, crmPath(client.orgId, 'reports/concentration'));
  return (
    <section aria-labelledby="concentration-title" class="stack" data-testid="concentration">
      <h3 id="concentration-title">{t('marketer.reports.concentration')}</h3>
      <Loaded resource={data}>
        {(c) => (
          <ul style={LIST}>
            <li>
              <span>
                {t('marketer.reports.peopleForShare', {
                  people: percent(locale, c.people_share_for_value_share),
                  share: percent(locale, c.share),
                })}
              </span>
              <Bar share={c.people_share_for_value_share ?? 0} />
            </li>
            <li>
              <span>
                {t('marketer.reports.shareOfTop', {
                  top: percent(locale, c.top_share),
                  share: percent(locale, c.value_share_of_top),
                })}
              </span>
              <Bar share={c.value_share_of_top ?? 0} />
            </li>
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function FunnelReport({ client }: { client: CrmClient }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const [data] = useCrm<{ stages: FunnelStage[] }>(client, crmPath(client.orgId, 'reports/lifecycle-funnel'));
  return (
    <section aria-labelledby="funnel-title" class="stack" data-testid="funnel">
      <h3 id="funnel-title">{t('marketer.reports.funnel')}</h3>
      <Loaded resource={data}>
        {({ stages }) => {
          const max = Math.max(1, ...stages.map((s) => (typeof s.people === 'number' ? s.people : 0)));
          return (
            <ul style={LIST}>
              {stages.map((s) => (
                <li key={s.stage}>
                  <span>
                    {valueLabel(i18n, s.stage)}: {countText(locale, s.people)}
                  </span>
                  <Bar share={typeof s.people === 'number' ? s.people / max : 0} />
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
    </section>
  );
}

/** Aggregate reports (issue 16 §5): tier migration, 80/20 concentration, lifecycle funnel; cells below k as `<100`. */
export function Reports({ client }: { client: CrmClient }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="reports-title" class="stack">
      <h2 id="reports-title">{t('marketer.reports.title')}</h2>
      <p>{t('marketer.reports.intro')}</p>
      <TierMigrationReport client={client} />
      <ConcentrationReport client={client} />
      <FunnelReport client={client} />
    </section>
  );
}
