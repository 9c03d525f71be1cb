import { createServer, type Server } from 'node:net';

function listenOnLoopback(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('loopback listener has no TCP port');
  return address.port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A loopback port that was free a moment ago. The kernel may hand it to someone else before the server
 * binds it; that race is rare and shows up as HARNESS_ERR_EXITED ("address in use") rather than a hang.
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * Several distinct free ports. All listeners stay open until every port is known, because closing one
 * before asking for the next lets the kernel return the same port twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listenOnLoopback());
    return servers.map(portOf);
  } finally {
    await Promise.all(servers.map(close));
  }
}
