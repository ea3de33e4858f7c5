/** SQLite implementation of StateRepository: small key/value state (`scheduler_state`). */
import type { StateRepository } from '../repositories/types';
import type { Sqlite } from './connection';
import { makeStatementCache } from './statements';

export function makeSqliteStateRepository(sqlite: Sqlite): StateRepository {
  const prepare = makeStatementCache(sqlite);
  return {
    async get(key) {
      const row = prepare(`SELECT value FROM scheduler_state WHERE key = ?`).get(key) as { value: string } | undefined;
      return row?.value ?? null;
    },
    async set(key, value) {
      prepare(`INSERT INTO scheduler_state (key, value, updated_at) VALUES (?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(key, value, Date.now());
    },
    async claim(key, value) {
      return prepare(`INSERT INTO scheduler_state (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING`)
        .run(key, value, Date.now()).changes === 1;
    },
  };
}
