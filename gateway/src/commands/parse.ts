import { type CommandMessage, type CommandResultMessage, parseCommand } from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';

const TID = /^[A-Za-z0-9_-]{1,64}$/;
const CODE = /^[A-Z]+_ERR_[A-Z_]+$/;
const MAX_MESSAGE = 1024;

export type ParsedCommand =
  | { ok: true; command: CommandMessage }
  | { ok: false; error: GatewayError /** When the payload still named a usable tid. */; tid?: string };

/**
 * Validates a payload from lw/v1/gw/{gw}/cmd. A payload that fails validation yields GATEWAY_ERR_BAD_COMMAND
 * with the validator's reason, plus its `tid` when one can be read from it, so the platform still gets an
 * answer to a request it can match.
 */
export function parseCommandPayload(payload: Uint8Array | string): ParsedCommand {
  try {
    return { ok: true, command: parseCommand(payload) };
  } catch (e) {
    const error = new GatewayError('GATEWAY_ERR_BAD_COMMAND', (e as Error).message, { cause: e });
    const tid = recoverTid(payload);
    return tid === undefined ? { ok: false, error } : { ok: false, error, tid };
  }
}

function recoverTid(payload: Uint8Array | string): string | undefined {
  try {
    const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
    const tid = (JSON.parse(text) as { tid?: unknown } | null)?.tid;
    return typeof tid === 'string' && TID.test(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** The error half of a result: a catalog code when the failure has one, its message without the code prefix. */
export function errorBody(e: unknown): { code: string; message: string } {
  const raw = (e as { code?: unknown } | null)?.code;
  const code = typeof raw === 'string' && CODE.test(raw) ? raw : 'GATEWAY_ERR_COMMAND_FAILED';
  const text = e instanceof Error ? e.message : String(e);
  const message = text.startsWith(`${raw}: `) ? text.slice(String(raw).length + 2) : text;
  return { code, message: message.slice(0, MAX_MESSAGE) };
}

export function okResult(gw: string, tid: string, data?: Record<string, unknown>): CommandResultMessage {
  return { v: 1, gw, tid, status: 'ok', ...(data ? { data } : {}) };
}

export function errorResult(gw: string, tid: string, e: unknown): CommandResultMessage {
  return { v: 1, gw, tid, status: 'error', error: errorBody(e) };
}
