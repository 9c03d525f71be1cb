import { randomUUID } from 'node:crypto';
import {
  type CommandMessage,
  type CommandResultMessage,
  gatewayTopic,
  parseCommand,
  parseCommandResult,
  parseGatewayTopic,
} from '@linkwell/firmware-protocol';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';
import { IngestError } from '../errors.js';

export interface SendCommandOptions {
  /** How long to wait for the gateway's cmd/result. Default 30 s. */
  timeoutMs?: number;
  /** Reuse a tid to ask again for a command that may have run: the gateway answers from its cache. */
  tid?: string;
  /**
   * The command's `expires_at` (ms since the epoch): the gateway refuses it after then and never runs it, so
   * a command given up on here cannot run when the gateway comes back (docs/gateway-commands.md).
   */
  expiresAt?: number;
}

export type SendCommand = (
  gw: string,
  cmd: CommandMessage['cmd'],
  opts?: SendCommandOptions,
) => Promise<CommandResultMessage>;

export interface CommandChannel {
  /**
   * Publishes the command to lw/v1/gw/{gw}/cmd (QoS 1, so a gateway with a persistent session gets it when
   * it is back) and resolves with the matching result, ok or error. Rejects with INGEST_ERR_COMMAND_TIMEOUT
   * when no result came in time and INGEST_ERR_BAD_COMMAND for a command that is not valid v1.
   */
  send: SendCommand;
  /** Stops listening; commands still waiting reject with INGEST_ERR_COMMAND_TIMEOUT. */
  close(): Promise<void>;
}

const RESULTS = 'lw/v1/gw/+/cmd/result';

/**
 * The platform's side of the command channel, inside the broker: results are read from the gateways'
 * cmd/result topics through a broker-side subscription, which sees only what passed the ACL, so a gateway
 * can answer only for itself.
 */
export async function createCommandChannel(
  broker: Aedes,
  deps: { logger: Logger; now?: () => number },
): Promise<CommandChannel> {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const pending = new Map<string, (result: CommandResultMessage | IngestError) => void>();
  let closed = false;

  const onResult = (packet: { topic: string; payload: Buffer | string }, done: () => void) => {
    done();
    const topic = parseGatewayTopic(packet.topic);
    if (topic?.kind !== 'cmd/result') return;
    let result: CommandResultMessage;
    try {
      result = parseCommandResult(packet.payload);
    } catch (e) {
      log.warn(
        { code: 'INGEST_ERR_BAD_COMMAND', gw: topic.gw, err: (e as Error).message },
        'bad command result',
      );
      return;
    }
    if (result.gw !== topic.gw) {
      log.warn(
        { code: 'INGEST_ERR_BAD_COMMAND', gw: topic.gw, claimed: result.gw },
        'command result for another gateway',
      );
      return;
    }
    // Unknown tids are late answers (after a timeout) or redeliveries already answered.
    pending.get(`${topic.gw}/${result.tid}`)?.(result);
  };
  await new Promise<void>((resolve) => broker.subscribe(RESULTS, onResult, resolve));

  const send: SendCommand = (gw, cmd, opts = {}) => {
    const tid = opts.tid ?? randomUUID();
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const key = `${gw}/${tid}`;
    let topic: string;
    let payload: string;
    try {
      if (closed) throw new Error('the command channel is closed');
      if (pending.has(key)) throw new Error(`command ${tid} to ${gw} is already waiting for its result`);
      topic = gatewayTopic(gw, 'cmd');
      const expiry = opts.expiresAt === undefined ? {} : { expires_at: opts.expiresAt };
      payload = JSON.stringify({ v: 1, tid, sent_at: now(), ...expiry, cmd });
      parseCommand(payload);
    } catch (e) {
      return Promise.reject(new IngestError('INGEST_ERR_BAD_COMMAND', (e as Error).message, { cause: e }));
    }
    return new Promise<CommandResultMessage>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          settle(
            new IngestError(
              'INGEST_ERR_COMMAND_TIMEOUT',
              `${gw} did not answer ${cmd.op} ${tid} within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      const settle = (r: CommandResultMessage | IngestError) => {
        clearTimeout(timer);
        pending.delete(key);
        if (r instanceof IngestError) reject(r);
        else resolve(r);
      };
      pending.set(key, settle);
      broker.publish(
        { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
        (err) => {
          if (err)
            settle(
              new IngestError(
                'INGEST_ERR_COMMAND_TIMEOUT',
                `${gw}: the broker did not take ${tid}: ${err.message}`,
              ),
            );
        },
      );
    });
  };

  return {
    send,
    async close() {
      closed = true;
      for (const settle of [...pending.values()])
        settle(new IngestError('INGEST_ERR_COMMAND_TIMEOUT', 'ingest is closing'));
      await new Promise<void>((resolve) => broker.unsubscribe(RESULTS, onResult, resolve));
    },
  };
}
