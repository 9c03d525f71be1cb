import { decodeRacp, type RacpMessage, racpAbort } from '@linkwell/firmware-protocol';
import { GatewayError } from '../errors.js';
import type { LinkSession } from './types.js';

export const RACP = '2a52';

/** Which indication answers a request: its Response Code, or (for op 0x04) the number of records. */
type Accepts = (m: RacpMessage) => boolean;

interface Waiter {
  accepts: Accepts;
  settle(answer: RacpMessage | GatewayError): void;
  arm(): void;
}

export function historyError(address: string, message: string, cause?: unknown): GatewayError {
  return new GatewayError('GATEWAY_ERR_HISTORY_SYNC_FAILED', `${address}: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The client side of one Record Access Control Point (0x2A52) on one link. GSS RACP: a request is written, the
 * server indicates the records on the measurement characteristic, then ends the procedure with one
 * indication on the control point, so one request is outstanding at a time. An answer that fits no
 * outstanding request (the late Response Code of a procedure we gave up on, an Abort's) is ignored.
 */
export class RacpControlPoint {
  private waiter: Waiter | undefined;
  private endedWith: string | undefined;

  private constructor(
    private readonly s: LinkSession,
    private readonly service: string,
    private readonly timeoutMs: number,
  ) {}

  /** Enables RACP indications; required before any request (GSS RACP: else "CCCD improperly configured"). */
  static async enable(s: LinkSession, service: string, timeoutMs: number): Promise<RacpControlPoint> {
    const cp = new RacpControlPoint(s, service, timeoutMs);
    const off = await s.link.subscribe(service, RACP, (v) => cp.onIndication(v));
    s.addCleanup(async () => {
      cp.end('the link ended');
      await off();
    });
    return cp;
  }

  /**
   * Writes `frame` and resolves with the indication that `accepts`; GATEWAY_ERR_HISTORY_SYNC_FAILED when none
   * comes within the timeout (restarted by `touch`), the write fails or the link ends.
   */
  async request(frame: Uint8Array, accepts: Accepts): Promise<RacpMessage> {
    if (this.endedWith !== undefined) throw historyError(this.s.address, this.endedWith);
    if (this.waiter) throw historyError(this.s.address, 'a RACP procedure is already running');
    const answer = new Promise<RacpMessage>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = {
        accepts,
        settle: (a) => {
          clearTimeout(timer);
          if (this.waiter === waiter) this.waiter = undefined;
          if (a instanceof GatewayError) reject(a);
          else resolve(a);
        },
        arm: () => {
          clearTimeout(timer);
          timer = setTimeout(
            () => waiter.settle(historyError(this.s.address, `no RACP answer within ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
          timer.unref?.();
        },
      };
      // Set before the write: a server may indicate before the write response reaches us.
      this.waiter = waiter;
      waiter.arm();
    });
    try {
      await this.s.link.write(this.service, RACP, frame, { withResponse: true });
    } catch (err) {
      // The executor above ran synchronously, so the waiter is set unless an answer already came.
      const waiter = this.waiter as Waiter | undefined;
      waiter?.settle(historyError(this.s.address, `RACP write failed: ${(err as Error).message}`, err));
    }
    return answer;
  }

  /** The link ended; no request can be answered any more. */
  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  /** A record arrived, so the procedure is alive: the answer timeout starts again. */
  touch(): void {
    this.waiter?.arm();
  }

  /** Asks the server to stop the running procedure (op 0x03); its answer is not awaited. */
  abort(): void {
    if (this.ended) return;
    void this.s.link.write(this.service, RACP, racpAbort(), { withResponse: true }).catch(() => {});
  }

  private end(reason: string): void {
    this.endedWith = reason;
    this.waiter?.settle(historyError(this.s.address, reason));
  }

  private onIndication(frame: Uint8Array): void {
    const w = this.waiter;
    if (!w) return;
    let m: RacpMessage;
    try {
      m = decodeRacp(frame);
    } catch (err) {
      w.settle(historyError(this.s.address, `undecodable RACP answer: ${(err as Error).message}`, err));
      return;
    }
    if (w.accepts(m)) w.settle(m);
  }
}
