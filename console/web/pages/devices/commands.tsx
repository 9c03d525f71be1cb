import { useState } from 'preact/hooks';
import { getJson, send } from '../../api/client.js';
import type { Command, CommandOp, Device } from '../../api/household-types.js';
import { describeCode, describeProblem, type ProblemView } from '../../components/problem.js';
import { type I18n, useI18n } from '../../i18n/context.js';
import { isMessageKey } from '../../i18n/index.js';

const OPS: readonly CommandOp[] = ['sync', 'set_time', 'pair', 'unpair'];
/** Seconds the API may hold each poll open (RFC 7240 `Prefer: wait`), and how many polls at most. */
const WAIT_SECONDS = 10;
const MAX_POLLS = 12;

/** Until the gateway answers: queued for it, or sent to it. */
const WAITING = new Set(['queued', 'sent']);

interface Shown {
  readonly op: CommandOp;
  readonly state: string;
  readonly problem?: ProblemView;
}

/** The command's error code, wherever the API puts it. */
function errorCodeOf(command: Command): string | undefined {
  if (typeof command.error_code === 'string') return command.error_code;
  if (typeof command.error === 'object' && command.error !== null) return command.error.code;
  return undefined;
}

/** A failed command's sentence: the dictionary's for a known code, else the gateway's own message. */
function problemOf(i18n: Pick<I18n, 't'>, command: Command): { problem?: ProblemView } {
  const code = errorCodeOf(command);
  if (code === undefined) return {};
  if (isMessageKey(`error.${code}`)) return { problem: describeCode(i18n, code) };
  const message =
    typeof command.error === 'object' && command.error !== null ? command.error.message : undefined;
  return { problem: { message: message ?? code, code } };
}

/**
 * Sync now, set time, pair (with the passkey the device shows, if it asks) and unpair. A command goes to
 * the gateway and comes back later: the line under the buttons says pending until the result is in.
 */
export function CommandButtons({ device, csrf }: { device: Device; csrf: string | undefined }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [shown, setShown] = useState<Shown | undefined>(undefined);
  const [askPasskey, setAskPasskey] = useState(false);
  const [passkey, setPasskey] = useState('');
  const busy = shown !== undefined && WAITING.has(shown.state);

  const run = async (op: CommandOp, body: Record<string, unknown> = {}) => {
    setShown({ op, state: 'queued' });
    try {
      let command = await send<Command>(
        'POST',
        `/v1/devices/${encodeURIComponent(device.id)}/commands`,
        csrf,
        {
          op,
          ...body,
        },
      );
      for (let poll = 0; WAITING.has(command.state) && poll < MAX_POLLS; poll++) {
        command = await getJson<Command>(`/v1/commands/${encodeURIComponent(command.id)}`, {
          prefer: `wait=${WAIT_SECONDS}`,
        });
      }
      setShown({ op, state: command.state, ...problemOf(i18n, command) });
    } catch (error) {
      setShown({ op, state: 'error', problem: describeProblem(i18n, error) });
    }
  };

  const pair = (event: Event) => {
    event.preventDefault();
    setAskPasskey(false);
    const digits = passkey.trim();
    void run('pair', digits === '' ? {} : { passkey: digits });
    setPasskey('');
  };

  const stateKey = shown === undefined ? undefined : `command.state.${shown.state}`;
  const passkeyId = `passkey-${device.id}`;
  return (
    <div class="commands">
      <div class="buttons">
        {OPS.map((op) => (
          <button
            key={op}
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => (op === 'pair' ? setAskPasskey(true) : void run(op))}
          >
            {t(`command.${op}`)}
          </button>
        ))}
      </div>
      {askPasskey && (
        <form class="inline-form" onSubmit={pair}>
          <label for={passkeyId}>{t('command.passkey')}</label>
          <input
            id={passkeyId}
            inputMode="numeric"
            pattern="[0-9]{6}"
            maxLength={6}
            autoComplete="one-time-code"
            value={passkey}
            aria-describedby={`${passkeyId}-hint`}
            onInput={(event) => setPasskey((event.currentTarget as HTMLInputElement).value)}
          />
          <span id={`${passkeyId}-hint`} class="muted small">
            {t('command.passkeyHint')}
          </span>
          <button type="submit">{t('command.pairConfirm')}</button>
          <button type="button" class="secondary" onClick={() => setAskPasskey(false)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      <p role="status" class="command-result small">
        {shown !== undefined && stateKey !== undefined && (
          <>
            {t('command.result', {
              op: t(`command.${shown.op}`),
              state: isMessageKey(stateKey) ? t(stateKey) : shown.state,
            })}
            {shown.problem !== undefined && (
              <>
                {' '}
                {shown.problem.message}{' '}
                {shown.problem.code !== undefined && (
                  <small class="code">{t('common.errorCode', { code: shown.problem.code })}</small>
                )}
              </>
            )}
          </>
        )}
      </p>
    </div>
  );
}
