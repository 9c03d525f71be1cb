import type { MessageBus } from 'dbus-next';

export interface TrackedBus {
  readonly bus: MessageBus;
  /** Disconnects once the connection attempt has finished either way. */
  close(): Promise<void>;
}

/**
 * dbus-next dials `unix:path=` addresses through the native `usocket` addon when it is installed, and
 * ending a usocket whose connect is still pending crashes the process (SIGSEGV). So a bus is only
 * disconnected after it has said 'connect' or 'error'; one that says neither within `graceMs` is left
 * alone. Must be called right after the bus is created, before either event can be missed.
 */
export function trackBus(bus: MessageBus, graceMs = 5000): TrackedBus {
  const settled = new Promise<boolean>((resolve) => {
    bus.once('connect', () => resolve(true));
    bus.once('error', () => resolve(true));
    setTimeout(() => resolve(false), graceMs).unref();
  });
  let closing: Promise<void> | undefined;
  return {
    bus,
    close() {
      closing ??= settled.then((ok) => {
        // Messages already in the socket buffer are still dispatched after disconnect(); dbus-next answers
        // method calls among them by writing to the closed stream and throws from its socket handler, an
        // uncaught exception. A closed bus has nothing left to say, so its replies are dropped.
        (bus as unknown as { send: (msg: unknown) => void }).send = () => {};
        if (ok) bus.disconnect();
      });
      return closing;
    },
  };
}
