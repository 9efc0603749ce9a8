// Starts a relay's server on 127.0.0.1 with an OS-chosen port and returns that port.
import type { Server } from 'node:net';

export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return addr && typeof addr === 'object' ? addr.port : 0;
}
