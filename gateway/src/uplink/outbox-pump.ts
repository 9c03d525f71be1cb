import type { Reading, ReadingsEnvelope } from '@linkwell/firmware-protocol';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import type { GatewayEventBus } from '../events.js';
import type { DurableOutbox } from '../outbox/durable-outbox.js';
import { backoffDelay, type RetryPolicy } from './backoff.js';
import type { Uplink } from './mqtt-uplink.js';

export interface OutboxPumpOptions {
  outbox: DurableOutbox<Reading>;
  uplink: Uplink;
  gatewayId: string;
  bus: GatewayEventBus;
  logger: Logger;
  now: () => number;
  /** Size cap of one envelope. */
  maxReadings: number;
  /** How long a partial envelope may wait for company before it is sent. */
  lingerMs: number;
  /** Backoff between failed publishes. */
  retry?: Partial<RetryPolicy>;
  /** A publish without PUBACK after this long counts as failed and its readings are released. */
  ackTimeoutMs?: number;
}

export const DEFAULT_PUBLISH_RETRY: RetryPolicy = { initialMs: 1000, maxMs: 60_000 };

/**
 * Moves readings from the durable outbox to the uplink, one QoS 1 envelope at a time and oldest first.
 * Readings are acknowledged in the outbox only after the broker's PUBACK (which, for ingest, means
 * "stored"); a failed or timed-out publish releases them so the next attempt sends them again, after a
 * backoff. While the uplink reports itself down the pump does not take anything and resumes on reconnect.
 */
export class OutboxPump {
  private draining: Promise<void> | undefined;
  private linger: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private inFlight = 0;
  private stopped = false;
  private again = false;
  private forcing = 0;
  private readonly retry: RetryPolicy;

  constructor(private readonly o: OutboxPumpOptions) {
    this.retry = { ...DEFAULT_PUBLISH_RETRY, ...o.retry };
    o.uplink.onConnectionChange?.((up) => {
      if (!up || this.stopped) return;
      // A fresh connection: whatever failed before gets an immediate attempt.
      this.failures = 0;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.kick();
    });
  }

  /** Readings in the outbox that are not in an envelope on the wire right now. */
  get waiting(): number {
    return this.o.outbox.size - this.inFlight;
  }

  /** Called after readings were appended: sends a full envelope now, a partial one after the linger. */
  notify(): void {
    // A running loop sends full envelopes and, when it ends, comes back here for the rest.
    if (this.stopped || this.retryTimer || this.draining) return;
    if (this.waiting >= this.o.maxReadings) this.kick();
    else if (!this.linger)
      this.linger = setTimeout(() => {
        this.linger = undefined;
        this.kick();
      }, this.o.lingerMs);
  }

  /** Starts sending unless a send loop is already running. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      // The running loop may already be past its last check (e.g. it saw the link down): run once more.
      this.again = true;
      return;
    }
    clearTimeout(this.linger);
    this.linger = undefined;
    this.again = false;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.retryTimer) return;
      if (this.again) this.kick();
      else if (this.waiting > 0 && this.o.uplink.connected !== false) this.notify();
    });
  }

  /**
   * Tries to send everything the outbox holds now, ignoring linger and backoff; resolves once each envelope
   * has its PUBACK, or at the first failure (the readings then stay in the outbox), or at once when the
   * uplink is down.
   */
  async flush(): Promise<void> {
    this.forcing += 1;
    try {
      await this.draining;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.kick();
      await this.draining;
    } finally {
      this.forcing -= 1;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.linger);
    clearTimeout(this.retryTimer);
    await this.draining;
  }

  private async drain(): Promise<void> {
    const { outbox, uplink, bus } = this.o;
    let first = true;
    while (!this.stopped && uplink.connected !== false) {
      // After the envelope that started the loop, keep going only for full ones (or when flushing): a
      // partial remainder waits for the linger, so a steady trickle is not sent one reading at a time.
      if (!first && this.forcing === 0 && this.waiting < this.o.maxReadings) return;
      first = false;
      const batch = outbox.take(this.o.maxReadings);
      if (batch.length === 0) return;
      const seqs = batch.map((b) => b.seq);
      this.inFlight = seqs.length;
      // The outbox sequence of the first reading: stable across retries and restarts, so logs can follow a batch.
      const env: ReadingsEnvelope = {
        v: 1,
        gw: this.o.gatewayId,
        seq: seqs[0]!,
        sent_at: this.o.now(),
        readings: batch.map((b) => b.item),
      };
      try {
        await this.publish(env);
      } catch (err) {
        this.fail(
          env,
          seqs,
          new GatewayError('GATEWAY_ERR_PUBLISH_FAILED', (err as Error).message, { cause: err }),
        );
        return;
      }
      try {
        await outbox.ack(seqs);
      } catch (err) {
        // Stored by the broker but the ack did not reach our disk: sending again is a harmless duplicate.
        this.fail(
          env,
          seqs,
          new GatewayError('GATEWAY_ERR_OUTBOX_IO', (err as Error).message, { cause: err }),
        );
        return;
      }
      this.inFlight = 0;
      this.failures = 0;
      bus.emit('envelope.published', { seq: env.seq, readings: seqs.length });
      bus.emit('readings.acked', { seqs });
    }
  }

  private fail(env: ReadingsEnvelope, seqs: number[], e: GatewayError): void {
    this.o.outbox.release(seqs);
    this.inFlight = 0;
    this.failures += 1;
    const delayMs = backoffDelay(this.retry, this.failures);
    this.o.logger.warn(
      { code: e.code, seq: env.seq, readings: seqs.length, attempt: this.failures, retryInMs: delayMs },
      e.message,
    );
    this.o.bus.emit('envelope.failed', { seq: env.seq, code: e.code, message: e.message });
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, delayMs);
    this.retryTimer.unref();
  }

  private publish(env: ReadingsEnvelope): Promise<void> {
    const p = this.o.uplink.publishReadings(env);
    const ms = this.o.ackTimeoutMs;
    if (!ms) return p;
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`no PUBACK within ${ms} ms`)), ms);
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(t));
  }
}
