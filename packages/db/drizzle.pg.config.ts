import { defineConfig } from 'drizzle-kit';

/** PostgreSQL migrations (`drizzle-pg/`); the SQLite ones are drizzle.config.ts → `drizzle/`. */
export default defineConfig({ dialect: 'postgresql', schema: './src/postgres/schema.ts', out: './drizzle-pg' });
