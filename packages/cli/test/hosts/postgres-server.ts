/**
 * A throw-away PostgreSQL server owned by a test: `initdb` into a temporary folder and `pg_ctl` from
 * `pg_config --bindir`, run as the `postgres` user (they refuse root), trust authentication, listening
 * on the address and port given. Never the machine's own cluster.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PostgresServer {
  /** `postgres://postgres@host:port/<database>`. */
  url(database: string): string;
  createDatabase(name: string): void;
  /** Stops the server (`fast`: disconnects clients; `immediate`: like a crash). */
  stop(mode?: 'fast' | 'immediate'): void;
  start(): void;
  /**
   * Stops every process of the server in place (SIGSTOP): connections stay open and nothing answers,
   * as when its host is cut off. `thaw` (SIGCONT) lets it go on.
   */
  freeze(): void;
  thaw(): void;
  destroy(): void;
}

function asPostgres(command: string, args: string[]): string {
  const user = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const [bin, ...rest] = [...user, command, ...args];
  return execFileSync(bin!, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function startPostgresServer(options: { host: string; port: number }): PostgresServer {
  const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(path.join(tmpdir(), 'tickler-pg-'));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  asPostgres(path.join(bindir, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // initdb trusts only loopback; the test hosts connect from their own addresses.
  appendFileSync(path.join(data, 'pg_hba.conf'), `host all all ${options.host.replace(/\.\d+$/, '.0')}/24 trust\n`);
  // The postmaster (first line of postmaster.pid) and its children: this server's processes only.
  const signalAll = (signal: NodeJS.Signals) => {
    const postmaster = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' }).split('\n').map(Number).filter((pid) => pid > 0);
    for (const pid of [postmaster, ...children]) process.kill(pid, signal);
  };
  const serverOptions = `-p ${options.port} -k ${dir} -c listen_addresses=${options.host} -c fsync=off -c max_connections=200`;
  const server: PostgresServer = {
    url: (database) => `postgres://postgres@${options.host}:${options.port}/${database}`,
    createDatabase: (name) => void asPostgres(path.join(bindir, 'createdb'), ['-h', dir, '-p', String(options.port), '-U', 'postgres', name]),
    stop: (mode = 'fast') => void asPostgres(path.join(bindir, 'pg_ctl'), ['-D', data, '-m', mode, '-w', 'stop']),
    start: () => void asPostgres(path.join(bindir, 'pg_ctl'), ['-D', data, '-o', serverOptions, '-l', log, '-w', 'start']),
    freeze: () => signalAll('SIGSTOP'),
    thaw: () => signalAll('SIGCONT'),
    destroy: () => {
      try { server.thaw(); } catch { /* not running */ }
      try { server.stop('immediate'); } catch { /* not running */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    server.start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return server;
}
