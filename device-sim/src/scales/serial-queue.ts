/**
 * Runs async jobs one after another. A server may have only one indication awaiting confirmation at a time
 * (Core Vol 3 Part F §3.4.7.2), so everything a scale indicates (UCP responses, measurements, history)
 * queues here; a failed job does not block the ones behind it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
