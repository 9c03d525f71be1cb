import type { Reading } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus, OutboxRefusal } from '../events.js';
import type { DurableOutbox } from '../outbox/durable-outbox.js';

export interface ReadingTakerDeps {
  outbox: DurableOutbox<Reading>;
  bus: GatewayEventBus;
  logger: Logger;
  /** Called after each successful append, so the pump can send. */
  onTaken: () => void;
  /** Largest batch handed to one append (one write + one fsync). */
  maxBatch?: number;
  /** While the outbox stays full, at most one warning per this interval (the counter keeps counting). */
  logEveryMs?: number;
  now?: () => number;
}

export interface ReadingTaker {
  take(r: Reading): void;
  /** Resolves when every reading handed to `take` so far is either in the outbox or refused. */
  settled(): Promise<void>;
  readonly taken: number;
  readonly refused: number;
}

/**
 * Serialises appends to the outbox: readings that arrive while an fsync is under way wait and go in the
 * next append together (group commit), and order is kept. A reading counts as taken when its append
 * resolved. When the outbox is at its bound the reading is refused: counted, announced as `outbox.full`
 * and logged (rate-limited), never dropped silently. Readings already in the outbox are never evicted.
 */
export function createReadingTaker(deps: ReadingTakerDeps): ReadingTaker {
  const { outbox, bus, logger: log } = deps;
  const maxBatch = deps.maxBatch ?? 1000;
  const logEveryMs = deps.logEveryMs ?? 60_000;
  const now = deps.now ?? Date.now;
  let queue: Reading[] = [];
  let running: Promise<void> | undefined;
  let taken = 0;
  let refused = 0;
  /** Refusals in the current full episode, and when we last logged one. */
  let episode = 0;
  let lastLog = Number.NEGATIVE_INFINITY;

  const isCode = (e: unknown, code: string) => e instanceof GatewayError && e.code === code;

  function accepted(batch: readonly Reading[], seqs: readonly number[]): void {
    taken += batch.length;
    for (let i = 0; i < batch.length; i++) bus.emit('reading.taken', { seq: seqs[i]!, reading: batch[i]! });
    if (episode > 0) {
      log.info({ refused: episode, items: outbox.size }, 'outbox accepts readings again');
      episode = 0;
    }
  }

  function refuse(batch: readonly Reading[], err: GatewayError): void {
    if (batch.length === 0) return;
    refused += batch.length;
    episode += batch.length;
    const cap = outbox.capacity;
    const event: OutboxRefusal = {
      code: err.code === 'GATEWAY_ERR_OUTBOX_FULL' ? 'GATEWAY_ERR_OUTBOX_FULL' : 'GATEWAY_ERR_OUTBOX_IO',
      refused: batch.length,
      total: refused,
      items: outbox.size,
      bytes: outbox.bytes,
      maxItems: cap.maxItems,
      maxBytes: cap.maxBytes,
      readings: batch.map((r) => ({ id: r.id, device: r.device, metric: r.metric, t: r.t })),
    };
    bus.emit(event.code === 'GATEWAY_ERR_OUTBOX_FULL' ? 'outbox.full' : 'outbox.error', event);
    const t = now();
    if (event.code === 'GATEWAY_ERR_OUTBOX_IO' || t - lastLog >= logEveryMs) {
      lastLog = t;
      log.error(
        {
          code: event.code,
          refusedNow: batch.length,
          refusedInEpisode: episode,
          refusedTotal: refused,
          ...cap,
        },
        err.message,
      );
    }
  }

  async function append(batch: Reading[]): Promise<void> {
    try {
      accepted(batch, await outbox.append(batch));
      return;
    } catch (e) {
      if (!isCode(e, 'GATEWAY_ERR_OUTBOX_FULL') || batch.length === 1) {
        refuse(batch, asGatewayError(e));
        return;
      }
    }
    // All or nothing refused a batch that only partly fits: take the oldest that fit, refuse the rest.
    for (let i = 0; i < batch.length; i++) {
      try {
        accepted([batch[i]!], await outbox.append([batch[i]!]));
      } catch (e) {
        refuse(batch.slice(i), asGatewayError(e));
        return;
      }
    }
  }

  async function loop(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await append(batch);
      deps.onTaken();
    }
  }

  return {
    take(r) {
      queue.push(r);
      if (!running)
        running = loop().finally(() => {
          running = undefined;
        });
    },
    async settled() {
      while (running) await running;
    },
    get taken() {
      return taken;
    },
    get refused() {
      return refused;
    },
  };
}

function asGatewayError(e: unknown): GatewayError {
  return e instanceof GatewayError
    ? e
    : new GatewayError('GATEWAY_ERR_OUTBOX_IO', (e as Error).message, { cause: e });
}
