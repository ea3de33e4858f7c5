import net from 'node:net';

/** The port bound on `host`, or null when it cannot be (taken; `::1` on a host without IPv6 counts as free). */
function tryListen(port: number, host: string): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(host === '::1' && error.code === 'EADDRNOTAVAIL' ? port : null));
    server.listen(port, host, () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : null;
      server.close(() => resolve(got));
    });
  });
}

/** `preferred` if it can be bound on `host`, else a free port chosen by the OS. */
export async function freePort(preferred = 0, host = '127.0.0.1'): Promise<number> {
  if (preferred > 0) {
    const port = await tryListen(preferred, host);
    if (port !== null) return port;
  }
  const port = await tryListen(0, host);
  if (port === null) throw new Error('no free TCP port');
  return port;
}

/**
 * `preferred` if it is free on both 127.0.0.1 and ::1, else such a port chosen by the OS. For a
 * server bound to 127.0.0.1 but linked as `http://localhost:PORT`: a browser tries ::1 first, so
 * another program listening on [::1]:PORT would answer Tickler's links.
 */
export async function freeLocalhostPort(preferred = 0): Promise<number> {
  const freeOnBoth = async (port: number) => {
    const v4 = await tryListen(port, '127.0.0.1');
    return v4 !== null && (await tryListen(v4, '::1')) !== null ? v4 : null;
  };
  if (preferred > 0) {
    const port = await freeOnBoth(preferred);
    if (port !== null) return port;
  }
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await freeOnBoth(0);
    if (port !== null) return port;
  }
  throw new Error('no TCP port free on both 127.0.0.1 and ::1');
}
