import type { CommandMessage } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import type { SendCommand } from '../broker/commands.js';
import type { SqlClient } from '../registry/resolver.js';
import type { ClaimedCommand, PlatformSql } from './platform-sql.js';

/** The channel the API announces queued commands on (payload: the command id); migration 0007. */
export const COMMANDS_CHANNEL = 'linkwell_commands';

export interface CommandDispatcherOptions {
  /** How often queued commands are looked for besides notifications, and expired ones ended. Default 2000 ms. */
  pollMs?: number;
  /**
   * How long after a command's deadline its result is still awaited from an online gateway: the deadline is
   * when the gateway must have started it, and a started sync takes up to ~10 s. The API uses the same
   * grace (default 15 000 ms) in the same timed_out rule.
   */
  answerGraceMs?: number;
}

/**
 * Runs the commands the API queues in `gateway_commands` (docs/gateways.md): a notification on
 * `linkwell_commands` or the poll finds one, exactly one node claims it (queued → sent), sends it on the
 * command channel with `expires_at` = its deadline, and stores the gateway's result, or `timed_out` when no
 * result came by the deadline. The gateway refuses the command after its deadline, so one reported as timed
 * out never runs later.
 */
export async function startCommandDispatcher(deps: {
  db: SqlClient;
  sql: PlatformSql;
  send: SendCommand;
  logger: Logger;
  now: () => number;
  options?: CommandDispatcherOptions;
}): Promise<{ close(): Promise<void>; poll(): Promise<void> }> {
  const { sql, send, logger: log, now } = deps;
  const pollMs = deps.options?.pollMs ?? 2000;
  const graceMs = deps.options?.answerGraceMs ?? 15_000;
  const running = new Set<Promise<void>>();
  let closed = false;

  function wireCommand(c: ClaimedCommand): CommandMessage['cmd'] {
    return { op: c.op, ...c.args } as CommandMessage['cmd'];
  }

  async function run(c: ClaimedCommand): Promise<void> {
    const timeoutMs = Math.max(1, c.deadline_ms + graceMs - now());
    try {
      const result = await send(c.gateway_id, wireCommand(c), {
        tid: c.id,
        timeoutMs,
        expiresAt: Math.floor(c.deadline_ms),
      });
      const outcome =
        result.status === 'ok'
          ? { state: 'ok' as const, result: result.data ?? {}, errorCode: null }
          : {
              state: 'error' as const,
              result: { message: result.error.message },
              errorCode: result.error.code,
            };
      if (!(await sql.finish(c.id, outcome, now())))
        log.info({ command: c.id, gw: c.gateway_id }, 'command result came after it was ended');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'INGEST_ERR_COMMAND_TIMEOUT' && code !== 'INGEST_ERR_BAD_COMMAND') throw err;
      if (code === 'INGEST_ERR_BAD_COMMAND') {
        await sql.finish(c.id, { state: 'error', result: null, errorCode: 'INGEST_ERR_BAD_COMMAND' }, now());
        return;
      }
      // Past the deadline and its grace: the gateway refuses it from now on, so timed_out is the truth.
      await sql.expire(Math.max(now(), c.deadline_ms + graceMs), graceMs, c.id);
    }
  }

  async function tryClaim(id: string): Promise<void> {
    if (closed) return;
    const c = await sql.claim(id, now());
    if (!c) return;
    log.info({ command: c.id, gw: c.gateway_id, op: c.op }, 'command claimed');
    const work = run(c).catch((err: Error) =>
      log.warn(
        { code: 'INGEST_ERR_REGISTRY_UNAVAILABLE', command: c.id },
        `command not recorded: ${err.message}`,
      ),
    );
    running.add(work);
    void work.finally(() => running.delete(work));
  }

  async function poll(): Promise<void> {
    if (closed) return;
    try {
      await sql.expire(now(), graceMs);
      for (const id of await sql.queuedIds(now(), 50)) await tryClaim(id);
    } catch (err) {
      log.warn({ code: 'INGEST_ERR_REGISTRY_UNAVAILABLE' }, `command poll failed: ${(err as Error).message}`);
    }
  }

  let stopListening: (() => Promise<void>) | undefined;
  if (deps.db.listen) {
    try {
      stopListening = await deps.db.listen(COMMANDS_CHANNEL, (payload) => {
        void tryClaim(payload).catch((err: Error) =>
          log.warn({ code: 'INGEST_ERR_REGISTRY_UNAVAILABLE', command: payload }, err.message),
        );
      });
    } catch (err) {
      // The poll still finds every command, only later.
      log.warn(
        { code: 'INGEST_ERR_REGISTRY_UNAVAILABLE' },
        `LISTEN ${COMMANDS_CHANNEL} failed: ${(err as Error).message}`,
      );
    }
  }
  const timer = setInterval(() => void poll(), pollMs);
  timer.unref();
  void poll();

  return {
    poll,
    async close() {
      closed = true;
      clearInterval(timer);
      await stopListening?.().catch(() => {});
      await Promise.all([...running]);
    },
  };
}
