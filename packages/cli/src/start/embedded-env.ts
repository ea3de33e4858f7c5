/**
 * Embedded defaults for `tickler start` (SPEC §6): secrets generated once and kept in
 * `./data/embedded-secrets.json` (so links in demo emails keep working across restarts), a local
 * public URL, the local SES, and sender addresses. Variables the user set win, except REDIS_URL
 * when a private Redis had to be started.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDatabaseUrl } from '@tickler/db';

const SECRET_NAMES = ['TOKEN_SECRETS', 'ADMIN_TOKEN', 'PORTAL_API_KEY', 'BILLING_WEBHOOK_SECRET'] as const;
type Secrets = Record<(typeof SECRET_NAMES)[number], string>;

/** The folder of the SQLite file (./data for an in-memory database), where embedded state lives too. */
export function dataDirOf(databaseUrl: string): string {
  const location = parseDatabaseUrl(databaseUrl);
  return location.dialect === 'sqlite' && location.kind === 'file' ? path.dirname(location.path) : path.resolve('data');
}

/** Reads the embedded secrets, creating them (0600) on first run. */
export function embeddedSecrets(dataDir: string): Secrets {
  const file = path.join(dataDir, 'embedded-secrets.json');
  if (existsSync(file)) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>;
    if (SECRET_NAMES.every((n) => typeof parsed[n] === 'string' && parsed[n].length >= 16)) return parsed as Secrets;
  }
  const secrets = Object.fromEntries(SECRET_NAMES.map((n) => [n, randomBytes(24).toString('base64url')])) as Secrets;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** The variables `tickler start` runs with: embedded defaults under what the user set. */
export function embeddedSource(
  user: Record<string, string | undefined>,
  services: { redisUrl: string; sesEndpoint: string; httpPort: number; secrets: Secrets },
): Record<string, string | undefined> {
  const set = Object.fromEntries(Object.entries(user).filter(([, v]) => v !== undefined && v !== ''));
  return {
    PUBLIC_BASE_URL: `http://localhost:${services.httpPort}`,
    SES_FROM_REMINDERS: 'Tickler Reminders <reminders@tickler.example>',
    SES_FROM_NEWSLETTER: 'Tickler News <news@tickler.example>',
    SCAN_EVERY: '1m',
    HTTP_HOST: '127.0.0.1',
    ...services.secrets,
    ...set,
    HTTP_PORT: String(services.httpPort),
    SES_ENDPOINT: set.SES_ENDPOINT ?? services.sesEndpoint,
    REDIS_URL: services.redisUrl,
  };
}
