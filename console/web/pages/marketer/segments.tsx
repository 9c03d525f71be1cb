import { useState } from 'preact/hooks';
import type { CrmClient } from '../../api/marketer-client.js';
import { crmPath } from '../../api/marketer-client.js';
import type { Count, Segment, SizePoint } from '../../api/marketer-types.js';
import { Alert, describeProblem, type ProblemView, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Loaded } from '../account/loaded.js';
import { SensitivityBadge } from './catalog.js';
import { countText } from './labels.js';
import { SizeChart } from './size-chart.js';
import { TableScroll } from './table-scroll.js';
import { useCrm } from './use-crm.js';

const DAY_MS = 86_400_000;
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Day-over-day change where both days have a number; a suppressed day has none to subtract. */
function change(prev: Count | undefined, next: Count): number | undefined {
  return typeof prev === 'number' && typeof next === 'number' ? next - prev : undefined;
}

/** The membership of one segment: its daily size series over the last 30 days (issue 16 §5). */
function Membership({ client, segment }: { client: CrmClient; segment: Segment }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const to = isoDay(Date.now());
  const from = isoDay(Date.now() - 29 * DAY_MS);
  const [sizes] = useCrm<{ sizes: SizePoint[] }>(
    client,
    crmPath(client.orgId, `segments/${encodeURIComponent(segment.id)}/sizes?from=${from}&to=${to}`),
  );
  const signed = new Intl.NumberFormat(locale, { signDisplay: 'exceptZero' });
  return (
    <section aria-labelledby="membership-title" class="stack" data-testid="membership">
      <h3 id="membership-title">{t('marketer.segments.membershipOf', { name: segment.name })}</h3>
      <p class="muted">{t('marketer.segments.membershipIntro')}</p>
      <Loaded resource={sizes}>
        {({ sizes: points }) =>
          points.length === 0 ? (
            <p>{t('marketer.segments.noSizes')}</p>
          ) : (
            <>
              <SizeChart sizes={points} />
              <TableScroll label={t('marketer.segments.sizesCaption')}>
                <table class="trend-table">
                  <caption>{t('marketer.segments.sizesCaption')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('marketer.segments.day')}</th>
                      <th scope="col">{t('marketer.segments.size')}</th>
                      <th scope="col">{t('marketer.segments.netChange')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {points.map((p, i) => {
                      const d = change(points[i - 1]?.size, p.size);
                      return (
                        <tr key={p.day}>
                          <th scope="row">{p.day}</th>
                          <td>{countText(locale, p.size)}</td>
                          <td>{d === undefined ? '–' : signed.format(d)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </TableScroll>
            </>
          )
        }
      </Loaded>
    </section>
  );
}

/** The organisation's saved segments: refresh membership, see its chart, delete. */
export function SegmentList({
  client,
  segments,
  reload,
}: {
  client: CrmClient;
  segments: readonly Segment[];
  reload: () => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const act = async (task: () => Promise<string>) => {
    setProblem(undefined);
    setStatus(undefined);
    try {
      setStatus(await task());
      setVersion((n) => n + 1);
      reload();
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    }
  };
  const shown = segments.find((s) => s.id === open);
  return (
    <section aria-labelledby="segments-title" class="stack">
      <h2 id="segments-title">{t('marketer.segments.title')}</h2>
      <Alert view={problem} />
      <Status message={status} />
      {segments.length === 0 ? (
        <p>{t('marketer.segments.none')}</p>
      ) : (
        <ul class="cards">
          {segments.map((s) => {
            const path = crmPath(client.orgId, `segments/${encodeURIComponent(s.id)}`);
            return (
              <li key={s.id} class="card" data-segment={s.name}>
                <div>
                  <h3 class="title">
                    {s.name} <SensitivityBadge sensitivity={s.max_sensitivity} />
                  </h3>
                  <p>
                    {t(`marketer.segmentKind.${s.kind}`)} ·{' '}
                    {s.refreshed_at === null
                      ? t('marketer.segments.neverRefreshed')
                      : t('marketer.segments.refreshedAt', { date: i18n.date(s.refreshed_at) })}
                  </p>
                </div>
                <div class="buttons">
                  <button
                    type="button"
                    class="secondary"
                    aria-expanded={open === s.id}
                    onClick={() => setOpen(open === s.id ? undefined : s.id)}
                  >
                    {t('marketer.segments.showMembership', { name: s.name })}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      act(async () => {
                        await client.send('POST', `${path}/refresh`);
                        return t('marketer.segments.refreshed', { name: s.name });
                      })
                    }
                  >
                    {t('marketer.segments.refresh', { name: s.name })}
                  </button>
                  <button
                    type="button"
                    class="secondary"
                    onClick={() =>
                      act(async () => {
                        await client.send('DELETE', path);
                        if (open === s.id) setOpen(undefined);
                        return t('marketer.segments.deleted', { name: s.name });
                      })
                    }
                  >
                    {t('marketer.segments.delete', { name: s.name })}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {shown !== undefined && <Membership key={`${shown.id}-${version}`} client={client} segment={shown} />}
    </section>
  );
}
