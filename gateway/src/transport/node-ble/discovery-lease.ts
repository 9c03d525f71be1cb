/**
 * The central's one discovery session, shared by everything in it that needs the radio listening: a scan,
 * the look-up before a connect, the advertisement watch. BlueZ keeps one session per D-Bus client
 * (doc/org.bluez.Adapter.rst, StartDiscovery) and answers a second StartDiscovery from the same client
 * with InProgress, while one StopDiscovery ends the session for every user in that client; so the session
 * is started for the first holder and stopped when the last one lets go. Starts and stops run one at a
 * time, so a release and an acquire racing cannot leave the adapter stopped under a holder.
 */
export class DiscoveryLease {
  private holders = 0;
  private stopSession: (() => Promise<unknown>) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly startSession: () => Promise<() => Promise<unknown>>) {}

  /** Holds the session (starting it if nobody did); the returned function lets go, once. */
  acquire(): Promise<() => Promise<void>> {
    return this.serial(async () => {
      if (this.holders === 0) this.stopSession = await this.startSession();
      this.holders += 1;
      let released = false;
      return () => {
        if (released) return Promise.resolve();
        released = true;
        return this.serial(async () => {
          this.holders -= 1;
          if (this.holders > 0) return;
          const stop = this.stopSession;
          this.stopSession = undefined;
          await stop?.();
        });
      };
    });
  }

  get held(): boolean {
    return this.holders > 0;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
