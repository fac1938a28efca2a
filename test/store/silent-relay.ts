/**
 * A TCP relay to the Cassandra node that can go silent: it keeps every connection open and stops passing
 * bytes either way, as a node that hangs (a long GC pause, a full disk) does. What reaches the node through
 * it sees that node "stop answering".
 */
import { connect, createServer, type Socket } from 'node:net';
import { CASSANDRA_HOST } from './cassandra-backend.js';

export interface SilentRelay {
  readonly port: number;
  /** From now on nothing passes, on open connections and new ones. */
  silence(): void;
  stop(): Promise<void>;
}

export async function startSilentRelay(node = CASSANDRA_HOST): Promise<SilentRelay> {
  const [host, port] = [node.slice(0, node.lastIndexOf(':')), Number(node.slice(node.lastIndexOf(':') + 1))];
  let silent = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    sockets.add(client).add(upstream);
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (data) => {
      if (!silent) upstream.write(data);
    });
    upstream.on('data', (data) => {
      if (!silent) client.write(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    port: address.port,
    silence() {
      silent = true;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
