import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/drizzle/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No deep imports across packages: each package's API is its exports map.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tickler/*/*'], message: 'Import a package through its index (exports map), not a deep path.' }] }],
    },
  },
  {
    // packages/domain is pure: rules and policies only, no I/O and no infrastructure.
    files: ['packages/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https', 'child_process', 'node:child_process', 'drizzle-orm', 'better-sqlite3', 'bullmq', 'ioredis', 'mjml', 'pino', 'fastify'].map((name) => ({ name, message: 'packages/domain is pure: no I/O or infrastructure imports.' })),
        patterns: [
          { group: ['drizzle-orm/*', '@aws-sdk/*', 'mjml/*', 'bullmq/*', '@tickler/*'], message: 'packages/domain is pure: no I/O or infrastructure imports.' },
        ],
      }],
    },
  },
);
