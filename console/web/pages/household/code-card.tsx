import type { OneTimeCode } from '../../api/household-types.js';
import { CopyButton } from '../../components/copy-button.js';
import { useI18n } from '../../i18n/context.js';

/** The full link for a one-time code: the API's `url` may be a path on this site. */
export function absoluteUrl(url: string): string {
  return new URL(url, window.location.origin).toString();
}

/** A one-time code (invite, handover) as it is shown once: the code, the link, copy buttons, expiry. */
export function CodeCard({
  id,
  title,
  intro,
  code,
}: {
  id: string;
  title: string;
  intro: string;
  code: OneTimeCode;
}) {
  const { t, date } = useI18n();
  const link = typeof code.url === 'string' && code.url !== '' ? absoluteUrl(code.url) : undefined;
  return (
    <section class="offer" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p>{intro}</p>
      <p class="one-time-code" data-testid={`${id}-value`}>
        {code.code}
      </p>
      <CopyButton text={code.code} label={t('code.copyCode')} />
      {link !== undefined && (
        <>
          <p class="small">
            <a href={link}>{link}</a>
          </p>
          <CopyButton text={link} label={t('code.copyLink')} />
        </>
      )}
      <p class="muted small">{t('code.expires', { date: date(code.expires_at) })}</p>
    </section>
  );
}
