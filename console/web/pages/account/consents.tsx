import { useEffect, useState } from 'preact/hooks';
import { send } from '../../api/client.js';
import { Alert, describeProblem, type ProblemView, Status } from '../../components/problem.js';
import type { I18n } from '../../i18n/context.js';
import { useI18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';
import { useResource } from '../../use-resource.js';
import { Loaded } from './loaded.js';

/** One purpose × category × recipient as GET /v1/consents answers it (docs/consents.md). */
interface ConsentState {
  purpose: string;
  category: string;
  recipient: string;
  granted: boolean;
  state: 'granted' | 'withdrawn' | 'expired' | 'default_on' | 'default_off';
  text_version: string | null;
  current_text_version: string;
  granted_at: string | null;
  expires_at: string | null;
  withdrawn_at: string | null;
}

interface ConsentText {
  purpose: string;
  version: string;
  locale: string;
  text: string;
  sha256: string;
}

interface Overview {
  consents: ConsentState[];
  texts: ConsentText[];
}

function label({ t }: Pick<I18n, 't'>, kind: 'purpose' | 'category', value: string): string {
  if (kind === 'purpose' && value.startsWith('share:')) {
    return t('consents.share', { partner: value.slice('share:'.length) });
  }
  const key = `consents.${kind}.${value}`;
  return isMessageKey(key) ? t(key) : value;
}

/** The state line under a toggle: what was agreed and until when, or when it ended. */
function stateLine({ t, date }: Pick<I18n, 't' | 'date'>, c: ConsentState): string | undefined {
  if (c.state === 'granted') {
    const agreed = t('consents.agreed', { version: c.text_version ?? '', date: date(c.granted_at ?? '') });
    return c.expires_at === null
      ? agreed
      : `${agreed}, ${t('consents.expires', { date: date(c.expires_at) })}`;
  }
  if (c.state === 'expired' && c.expires_at !== null)
    return t('consents.expired', { date: date(c.expires_at) });
  if (c.state === 'withdrawn' && c.withdrawn_at !== null) {
    return t('consents.withdrawn', { date: date(c.withdrawn_at) });
  }
  return undefined;
}

/**
 * "Privacy & consents": a switch per purpose × data category for Linkwell itself, under the consent text
 * of that purpose in the console's language, and one per partner consent held. Turning a switch on grants
 * with the version and SHA-256 of the text shown right above it (the API refuses a text it does not hold);
 * turning it off withdraws. Everything but the service is off until turned on.
 */
export function ConsentsSection({ csrf, onChanged }: { csrf: string | undefined; onChanged: () => void }) {
  const i18n = useI18n();
  const { t, locale } = i18n;
  const [overview, reload] = useResource<Overview>('/v1/consents');
  const [busy, setBusy] = useState(false);
  const [alert, setAlert] = useState<ProblemView | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  // The switch shows the choice at once (and keeps it while the request runs); a fresh answer replaces it.
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  useEffect(() => setChosen({}), [overview]);
  const idOf = (c: ConsentState) =>
    `consent-${c.purpose}-${c.category}-${c.recipient}`.replace(/[^A-Za-z0-9_-]/g, '_');

  const textOf = (data: Overview, purpose: string) =>
    data.texts.find((x) => x.purpose === purpose && x.locale === locale) ??
    data.texts.find((x) => x.purpose === purpose);

  const change = async (data: Overview, c: ConsentState, on: boolean) => {
    const key = { purpose: c.purpose, category: c.category, recipient: c.recipient };
    const name = t('consents.toggle', {
      purpose: label(i18n, 'purpose', c.purpose),
      category: label(i18n, 'category', c.category),
    });
    setBusy(true);
    setChosen((was) => ({ ...was, [idOf(c)]: on }));
    setAlert(undefined);
    setStatus(undefined);
    try {
      if (on) {
        const shown = textOf(data, c.purpose);
        await send('PUT', '/v1/consents', csrf, {
          ...key,
          text_version: shown?.version ?? '',
          text_sha256: shown?.sha256 ?? '',
          channel: 'console',
        });
        setStatus(t('consents.granted', { name }));
      } else {
        await send('POST', '/v1/consents/withdraw', csrf, { ...key, channel: 'console' });
        setStatus(t('consents.withdrawnNow', { name }));
      }
    } catch (problem) {
      setChosen((was) => ({ ...was, [idOf(c)]: c.granted }));
      setAlert(describeProblem(i18n, problem));
    } finally {
      setBusy(false);
      reload();
      onChanged();
    }
  };

  const toggle = (data: Overview, c: ConsentState) => {
    const id = idOf(c);
    const checked = chosen[id] ?? c.granted;
    const line = stateLine(i18n, c);
    return (
      <li key={id} class="consent-toggle">
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={checked}
          aria-checked={checked}
          disabled={busy}
          aria-describedby={line === undefined ? undefined : `${id}-state`}
          onChange={(e) => void change(data, c, (e.currentTarget as HTMLInputElement).checked)}
        />{' '}
        <label for={id}>
          {t('consents.toggle', {
            purpose: label(i18n, 'purpose', c.purpose),
            category: label(i18n, 'category', c.category),
          })}
        </label>
        {line !== undefined && (
          <small id={`${id}-state`} class="muted">
            {' '}
            {line}
          </small>
        )}
      </li>
    );
  };

  return (
    <section aria-labelledby="consents-title" class="consents">
      <h2 id="consents-title">{t('consents.title')}</h2>
      <p>{t('consents.intro')}</p>
      <Alert view={alert} />
      <Status message={status} />
      <Loaded resource={overview}>
        {(data) => {
          const platform = data.consents.filter(
            (c) => c.recipient === 'linkwell' && !c.purpose.startsWith('share:'),
          );
          const others = data.consents.filter((c) => !platform.includes(c));
          const purposes = [...new Set(platform.map((c) => c.purpose))];
          return (
            <>
              {purposes.map((purpose) => {
                const shown = textOf(data, purpose);
                return (
                  <fieldset key={purpose} class="consent-purpose">
                    <legend>{label(i18n, 'purpose', purpose)}</legend>
                    {shown !== undefined && (
                      <p class="consent-text">
                        {shown.text}{' '}
                        <small class="muted">{t('consents.textVersion', { version: shown.version })}</small>
                      </p>
                    )}
                    <ul class="consent-toggles">
                      {platform.filter((c) => c.purpose === purpose).map((c) => toggle(data, c))}
                    </ul>
                  </fieldset>
                );
              })}
              {others.length > 0 && (
                <fieldset class="consent-purpose">
                  <legend>{t('consents.others')}</legend>
                  <ul class="consent-toggles">{others.map((c) => toggle(data, c))}</ul>
                </fieldset>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
