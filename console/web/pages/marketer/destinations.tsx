import { useState } from 'preact/hooks';
import type { CrmClient } from '../../api/marketer-client.js';
import { crmPath } from '../../api/marketer-client.js';
import type { Destination, Segment, SyncResult } from '../../api/marketer-types.js';
import { Alert, describeProblem, type ProblemView, Status } from '../../components/problem.js';
import { useI18n } from '../../i18n/context.js';
import { Loaded } from '../account/loaded.js';
import { destinationLabel } from './labels.js';
import { useCrm } from './use-crm.js';

const KINDS = ['hashed_csv', 'ads', 'profile_api', 'webhook', 'care_programme'] as const;
const FILE_KINDS: readonly string[] = ['hashed_csv', 'ads'];

/** Hands a downloaded file to the browser's own download, as a link to it would. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // After the click has handed the file over.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

interface CardProps {
  client: CrmClient;
  destination: Destination;
  segments: readonly Segment[];
  act(task: () => Promise<string>): Promise<void>;
}

function DestinationCard({ client, destination: d, segments, act }: CardProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const [segment, setSegment] = useState('');
  const [last, setLast] = useState<SyncResult | undefined>(undefined);
  const path = crmPath(client.orgId, `destinations/${encodeURIComponent(d.id)}`);
  const names = d.segments.map((id) => segments.find((s) => s.id === id)?.name ?? id);
  const free = segments.filter((s) => !d.segments.includes(s.id));
  return (
    <li class="card" data-destination={d.name}>
      <div>
        <h3 class="title">{d.name}</h3>
        <p>
          {destinationLabel(i18n, d.kind)} · {t('marketer.dest.k', { k: d.k })} ·{' '}
          {t('marketer.dest.recipient', { recipient: d.recipient })}
        </p>
        <p>
          {t('marketer.dest.segments')}{' '}
          {names.length === 0 ? t('marketer.dest.noSegments') : i18n.list(names)}
        </p>
        {last !== undefined && (
          <p data-testid="sync-result">
            {last.refused === null
              ? t('marketer.dest.synced', {
                  members: last.members,
                  entered: last.entered,
                  exited: last.exited,
                })
              : t('marketer.dest.syncRefused', { reason: last.refused })}
          </p>
        )}
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (segment === '') return;
            void act(async () => {
              await client.send('POST', `${path}/segments`, { segment });
              setSegment('');
              return t('marketer.dest.attached', { name: d.name });
            });
          }}
        >
          <label for={`attach-${d.id}`}>{t('marketer.dest.attachLabel', { name: d.name })}</label>
          <select
            id={`attach-${d.id}`}
            value={segment}
            onChange={(e) => setSegment((e.currentTarget as HTMLSelectElement).value)}
          >
            <option value="">{t('marketer.builder.choose')}</option>
            {free.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <button type="submit" class="secondary" disabled={segment === ''}>
            {t('marketer.dest.attach')}
          </button>
        </form>
      </div>
      <div class="buttons">
        <button
          type="button"
          class="secondary"
          onClick={() =>
            act(async () => {
              const r = await client.send<SyncResult>('POST', `${path}/sync`);
              setLast(r);
              return t('marketer.dest.syncDone', { name: d.name });
            })
          }
        >
          {t('marketer.dest.sync', { name: d.name })}
        </button>
        {FILE_KINDS.includes(d.kind) && (
          <button
            type="button"
            class="secondary"
            onClick={() =>
              act(async () => {
                const file = await client.download(`${path}/file`);
                save(file.blob, file.filename);
                return t('marketer.dest.downloaded', { name: d.name });
              })
            }
          >
            {t('marketer.dest.download', { name: d.name })}
          </button>
        )}
        <button
          type="button"
          class="secondary"
          onClick={() =>
            act(async () => {
              await client.send('DELETE', path);
              return t('marketer.dest.deleted', { name: d.name });
            })
          }
        >
          {t('marketer.dest.delete', { name: d.name })}
        </button>
      </div>
    </li>
  );
}

function CreateDestination({ act, client }: Pick<CardProps, 'act' | 'client'>) {
  const i18n = useI18n();
  const { t } = i18n;
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('hashed_csv');
  const [recipient, setRecipient] = useState('linkwell');
  const [k, setK] = useState('100');
  const [url, setUrl] = useState('');
  const value = (e: Event) => (e.currentTarget as HTMLInputElement | HTMLSelectElement).value;
  return (
    <form
      class="form"
      aria-labelledby="dest-create-title"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          await client.send('POST', crmPath(client.orgId, 'destinations'), {
            name: name.trim(),
            kind,
            recipient: recipient.trim(),
            k: Number(k),
            ...(kind === 'webhook' && url.trim() !== '' ? { url: url.trim() } : {}),
          });
          setName('');
          return t('marketer.dest.created', { name: name.trim() });
        });
      }}
    >
      <h3 id="dest-create-title">{t('marketer.dest.createTitle')}</h3>
      <label for="dest-name">{t('marketer.dest.name')}</label>
      <input
        id="dest-name"
        type="text"
        required
        maxLength={200}
        value={name}
        onInput={(e) => setName(value(e))}
      />
      <label for="dest-kind">{t('marketer.dest.kind')}</label>
      <select id="dest-kind" value={kind} onChange={(e) => setKind(value(e))}>
        {KINDS.map((x) => (
          <option key={x} value={x}>
            {destinationLabel(i18n, x)}
          </option>
        ))}
      </select>
      <label for="dest-recipient">{t('marketer.dest.recipientLabel')}</label>
      <input
        id="dest-recipient"
        type="text"
        required
        maxLength={63}
        value={recipient}
        onInput={(e) => setRecipient(value(e))}
      />
      <label for="dest-k">{t('marketer.dest.kLabel')}</label>
      <input id="dest-k" type="number" min={100} required value={k} onInput={(e) => setK(value(e))} />
      {kind === 'webhook' && (
        <>
          <label for="dest-url">{t('marketer.dest.url')}</label>
          <input id="dest-url" type="url" value={url} onInput={(e) => setUrl(value(e))} />
        </>
      )}
      <button type="submit" disabled={name.trim() === ''}>
        {t('marketer.dest.create')}
      </button>
    </form>
  );
}

/** Destinations (issue 16 §7): create, attach segments, sync, and download the hashed CSV. */
export function Destinations({ client, segments }: { client: CrmClient; segments: readonly Segment[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [list, reload] = useCrm<{ destinations: Destination[] }>(
    client,
    crmPath(client.orgId, 'destinations'),
  );
  const [problem, setProblem] = useState<ProblemView | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const act = async (task: () => Promise<string>) => {
    setProblem(undefined);
    setStatus(undefined);
    try {
      setStatus(await task());
      reload();
    } catch (error) {
      setProblem(describeProblem(i18n, error));
    }
  };
  return (
    <section aria-labelledby="dest-title" class="stack">
      <h2 id="dest-title">{t('marketer.dest.title')}</h2>
      <p>{t('marketer.dest.intro')}</p>
      <Alert view={problem} />
      <Status message={status} />
      <Loaded resource={list}>
        {({ destinations }) =>
          destinations.length === 0 ? (
            <p>{t('marketer.dest.none')}</p>
          ) : (
            <ul class="cards">
              {destinations.map((d) => (
                <DestinationCard key={d.id} client={client} destination={d} segments={segments} act={act} />
              ))}
            </ul>
          )
        }
      </Loaded>
      <CreateDestination client={client} act={act} />
    </section>
  );
}
