import { useState } from 'preact/hooks';
import { ApiProblem, send } from '../../api/client.js';
import {
  type CreatedEndpoint,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
  type WebhookPayload,
} from '../../api/webhook-types.js';
import { Alert, describeProblem, type ProblemView } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { inputValue } from './paths.js';

/** POST …/webhooks. The API checks the URL (https, public address; docs/webhooks.md "URL rules") itself. */
export function EndpointForm({
  base,
  csrf,
  onCreated,
}: {
  base: string;
  csrf: string | undefined;
  onCreated: (created: CreatedEndpoint) => void;
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<ReadonlySet<WebhookEventType>>(new Set(['reading.created']));
  const [payload, setPayload] = useState<WebhookPayload>('thin');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<{ view: ProblemView; field: string | undefined } | undefined>();

  const toggle = (type: WebhookEventType, on: boolean) => {
    const next = new Set(types);
    if (on) next.add(type);
    else next.delete(type);
    setTypes(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const created = await send<CreatedEndpoint>('POST', base, csrf, {
        url: url.trim(),
        event_types: WEBHOOK_EVENT_TYPES.filter((type) => types.has(type)),
        payload,
      });
      setUrl('');
      onCreated(created);
    } catch (error) {
      setProblem({
        view: describeProblem(i18n, error),
        field: error instanceof ApiProblem ? error.field : undefined,
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="webhook-form-title">
      <h2 id="webhook-form-title">{t('webhooks.formTitle')}</h2>
      <form class="form units-form" onSubmit={(event) => void submit(event)}>
        <label for="webhook-url">{t('webhooks.url')}</label>
        <input
          id="webhook-url"
          type="url"
          value={url}
          required
          maxLength={2000}
          aria-describedby="webhook-url-hint"
          aria-invalid={problem?.field === 'url' ? true : undefined}
          onInput={(event) => setUrl(inputValue(event))}
        />
        <small id="webhook-url-hint" class="muted">
          {t('webhooks.urlHint')}
        </small>
        <fieldset>
          <legend>{t('webhooks.eventsLegend')}</legend>
          <ul class="checks">
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <li key={type}>
                <input
                  id={`webhook-type-${type}`}
                  type="checkbox"
                  checked={types.has(type)}
                  onChange={(event) => toggle(type, (event.currentTarget as HTMLInputElement).checked)}
                />
                <label for={`webhook-type-${type}`}>
                  <code>{type}</code>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <fieldset>
          <legend>{t('webhooks.payloadLegend')}</legend>
          <ul class="checks">
            {(['thin', 'full'] as const).map((value) => (
              <li key={value}>
                <input
                  id={`webhook-payload-${value}`}
                  type="radio"
                  name="webhook-payload"
                  checked={payload === value}
                  onChange={() => setPayload(value)}
                />
                <label for={`webhook-payload-${value}`}>{t(`webhooks.payload.${value}`)}</label>
              </li>
            ))}
          </ul>
        </fieldset>
        <Alert view={problem?.view} />
        <button type="submit" disabled={busy || types.size === 0}>
          {t('webhooks.add')}
        </button>
      </form>
    </section>
  );
}
