/**
 * `pnpm start` binds 127.0.0.1 but prints `http://localhost:PORT`, which a browser tries on ::1
 * first: the port it picks must be free on both, or the links open whatever listens on [::1]:PORT.
 */
import { createServer, type Server } from 'node:net';
import { freeLocalhostPort, freePort } from '../src/start/free-port';

const listen = (port: number, host: string) => new Promise<Server>((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(port, host, () => resolve(server));
});
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

it('skips a preferred port another program holds on ::1 only, and one it holds on 127.0.0.1', async () => {
  const port = await freePort(0);
  let v6: Server;
  try {
    v6 = await listen(port, '::1');
  } catch {
    return; // no IPv6 loopback here: nothing can take [::1]:PORT, so there is nothing to test
  }
  try {
    expect(await freePort(port)).toBe(port); // free on 127.0.0.1 alone
    const picked = await freeLocalhostPort(port);
    expect(picked).not.toBe(port);
    const [a, b] = [await listen(picked, '127.0.0.1'), await listen(picked, '::1')];
    await Promise.all([close(a), close(b)]);
  } finally {
    await close(v6);
  }
  const v4 = await listen(port, '127.0.0.1');
  try {
    expect(await freeLocalhostPort(port)).not.toBe(port);
  } finally {
    await close(v4);
  }
  expect(await freeLocalhostPort(port)).toBe(port);
});
