import { connect } from 'node:net';

/** True once something accepts a stream connection (TCP port or unix socket path). */
function accepts(target: { host: string; port: number } | { path: string }, signal: AbortSignal) {
  return new Promise<boolean>((resolve) => {
    const socket = connect(target);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    signal.addEventListener('abort', () => done(false), { once: true });
  });
}

export function tcpAccepts(port: number, signal: AbortSignal, host = '127.0.0.1'): Promise<boolean> {
  return accepts({ host, port }, signal);
}

export function unixSocketAccepts(path: string, signal: AbortSignal): Promise<boolean> {
  return accepts({ path }, signal);
}
