/** PostgreSQL implementation of StateRepository: small key/value state (`scheduler_state`). */
import type pg from 'pg';
import type { StateRepository } from '../repositories/types';

export function makePgStateRepository(pool: pg.Pool): StateRepository {
  return {
    async get(key) {
      const { rows: [row] } = await pool.query<{ value: string }>(`SELECT value FROM scheduler_state WHERE key = $1`, [key]);
      return row?.value ?? null;
    },
    async set(key, value) {
      await pool.query(`INSERT INTO scheduler_state (key, value, updated_at) VALUES ($1, $2, now())
        ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [key, value]);
    },
    async claim(key, value) {
      // The primary key decides: a concurrent claim waits for the first to commit, then inserts nothing.
      const inserted = await pool.query(`INSERT INTO scheduler_state (key, value, updated_at) VALUES ($1, $2, now()) ON CONFLICT (key) DO NOTHING`, [key, value]);
      return inserted.rowCount === 1;
    },
  };
}
