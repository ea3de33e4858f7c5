/**
 * Which store a benchmark runs on: `--store sqlite|postgres|both` (default sqlite). PostgreSQL runs
 * get a fresh database on the server `--pg-url` names (default postgres://postgres@127.0.0.1:5432,
 * trust auth), created with `createdb` and dropped with `dropdb` afterwards, so nothing is left
 * behind and no run sees another's rows.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { BenchFailure } from '../failure';

export type StoreKind = 'sqlite' | 'postgres';
export type StoreChoice = StoreKind | 'both';
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432';

export function storesOf(choice: StoreChoice | undefined): StoreKind[] {
  return choice === 'both' ? ['sqlite', 'postgres'] : [choice ?? 'sqlite'];
}

function serverArgs(serverUrl: string): string[] {
  const u = new URL(serverUrl);
  if (!/^postgres(ql)?:$/.test(u.protocol)) throw new BenchFailure(`--pg-url must be a postgres:// URL (got ${serverUrl})`);
  return ['-h', u.hostname || '127.0.0.1', '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')];
}

/** A fresh, empty PostgreSQL database; `drop()` removes it (forcing other connections off). */
export function createPgDatabase(serverUrl = DEFAULT_PG_URL, label = 'bench'): { url: string; drop: () => void } {
  const name = `tickler_${label}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/g, '_');
  const args = serverArgs(serverUrl);
  execFileSync('createdb', [...args, name], { stdio: ['ignore', 'ignore', 'pipe'] });
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => execFileSync('dropdb', [...args, '--force', '--if-exists', name], { stdio: ['ignore', 'ignore', 'pipe'] }) };
}
