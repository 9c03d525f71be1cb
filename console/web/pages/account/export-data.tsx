import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n/context.js';

/** One file of a finished FHIR bulk export (docs/fhir.md "Bulk export"). */
interface ExportFile {
  type: string;
  url: string;
  count: number;
}

type BulkState =
  | { step: 'idle' }
  | { step: 'running'; progress: string }
  | { step: 'done'; files: ExportFile[] }
  | { step: 'failed'; code: string | undefined };

/** The API's error code from an OperationOutcome (issue[0].details.coding[0].code). */
async function outcomeCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { issue?: { details?: { coding?: { code?: string }[] } }[] };
    return body.issue?.[0]?.details?.coding?.[0]?.code;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * "Export my data": CSV and NDJSON straight from GET /v1/export, and a FHIR bulk export run from the page
 * (kick-off, status polling with its X-Progress, then one link per NDJSON file). The session cookie is the
 * credential; every request is a GET on this origin, so no CSRF token is needed.
 */
export function ExportSection() {
  const { t } = useI18n();
  const [bulk, setBulk] = useState<BulkState>({ step: 'idle' });
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const runFhir = async () => {
    setBulk({ step: 'running', progress: '0 %' });
    try {
      const kickoff = await fetch('/fhir/R4/Patient/$export', {
        credentials: 'same-origin',
        headers: { accept: 'application/fhir+json', prefer: 'respond-async' },
      });
      const status = kickoff.headers.get('content-location');
      if (kickoff.status !== 202 || status === null) {
        setBulk({ step: 'failed', code: await outcomeCode(kickoff) });
        return;
      }
      const statusPath = new URL(status).pathname;
      while (alive.current) {
        const res = await fetch(statusPath, {
          credentials: 'same-origin',
          headers: { accept: 'application/json' },
        });
        if (res.status === 200) {
          const manifest = (await res.json()) as { output: ExportFile[] };
          setBulk({ step: 'done', files: manifest.output });
          return;
        }
        if (res.status !== 202) {
          setBulk({ step: 'failed', code: await outcomeCode(res) });
          return;
        }
        setBulk({ step: 'running', progress: res.headers.get('x-progress') ?? '' });
        await sleep(1000 * Math.min(10, Math.max(1, Number(res.headers.get('retry-after') ?? '1') || 1)));
      }
    } catch {
      setBulk({ step: 'failed', code: undefined });
    }
  };

  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">{t('export.title')}</h2>
      <p>{t('export.intro')}</p>
      <ul class="export-links">
        <li>
          <a href="/v1/export?format=csv" download>
            {t('export.csv')}
          </a>
        </li>
        <li>
          <a href="/v1/export?format=ndjson" download>
            {t('export.ndjson')}
          </a>
        </li>
      </ul>
      <p class="muted">{t('export.fhir.about')}</p>
      <button
        type="button"
        class="secondary"
        disabled={bulk.step === 'running'}
        onClick={() => void runFhir()}
      >
        {t('export.fhir.start')}
      </button>
      <p role="status">
        {bulk.step === 'running' && t('export.fhir.running', { progress: bulk.progress })}
        {bulk.step === 'failed' &&
          (bulk.code === undefined
            ? t('export.fhir.failed')
            : t('export.fhir.failedCode', { code: bulk.code }))}
        {bulk.step === 'done' && bulk.files.length === 0 && t('export.fhir.empty')}
      </p>
      {bulk.step === 'done' && bulk.files.length > 0 && (
        <ul class="export-files" aria-label={t('export.fhir.files')}>
          {bulk.files.map((file) => (
            <li key={file.url}>
              <a href={new URL(file.url).pathname} download={`${file.type}.ndjson`}>
                {t('export.fhir.file', { type: file.type, count: file.count })}
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
