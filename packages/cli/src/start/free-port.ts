import net from 'node:net';

/** `preferred` if it can be bound on `host`, else a free port chosen by the OS. */
export async function freePort(preferred = 0, host = '127.0.0.1'): Promise<number> {
  const tryListen = (port: number) => new Promise<number | null>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, host, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(got));
    });
  });
  if (preferred > 0) {
    const port = await tryListen(preferred);
    if (port !== null) return port;
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('no free TCP port');
  return port;
}
