import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/drizzle/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // No deep imports across packages: each package's API is its exports map. Its second entries,
      // @tickler/queues/catalog (queue names without BullMQ) and @tickler/mailer/test-send-help
      // (locales and sample names without the mailer), keep the CLI's `--help` light.
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tickler/*/*', '!@tickler/queues/catalog', '!@tickler/mailer/test-send-help'], message: 'Import a package through its index (exports map), not a deep path.' }] }],
    },
  },
  {
    // tools/bench sits beside the CLI, not above it: the CLI's `db seed` calls the seeder, so the
    // benchmarks reach the CLI only as a child process (no package cycle).
    files: ['tools/bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: '@tickler/cli', message: 'tools/bench must not import the CLI (it depends on @tickler/bench); run it as a child process.' }],
        patterns: [{ group: ['@tickler/*/*'], message: 'Import a package through its index (exports map), not a deep path.' }],
      }],
    },
  },
  {
    // packages/domain is pure: rules and policies only, no I/O and no infrastructure.
    // Proven by packages/domain/test/purity.test.ts.
    files: ['packages/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'http', 'node:http', 'https', 'node:https',
          'http2', 'node:http2', 'tls', 'node:tls', 'dns', 'node:dns', 'dgram', 'node:dgram', 'child_process', 'node:child_process',
          'drizzle-orm', 'drizzle-kit', 'better-sqlite3', 'bullmq', 'ioredis', 'redis', 'mjml', 'pino', 'fastify', 'undici', 'node-fetch', 'axios',
        ].map((name) => ({ name, message: 'packages/domain is pure: no I/O or infrastructure imports.' })),
        patterns: [
          { group: ['drizzle-orm/*', '@aws-sdk/*', 'mjml/*', 'mjml-*', 'bullmq/*', '@fastify/*', '@tickler/*'], message: 'packages/domain is pure: no I/O or infrastructure imports.' },
        ],
      }],
      // import() and process.env would slip past the import list.
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'packages/domain is pure: no dynamic imports.' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'packages/domain is pure: configuration is passed in, never read from process.env.' }],
    },
  },
  {
    // packages/db is storage only: queues and transports live above it.
    files: ['packages/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['bullmq', 'ioredis', 'fastify', 'mjml', 'pino'].map((name) => ({ name, message: 'packages/db is storage only: no queues, HTTP or mail.' })),
        patterns: [
          { group: ['@tickler/*/*'], message: 'Import a package through its index (exports map), not a deep path.' },
          { group: ['@tickler/queues', '@tickler/scheduler', '@tickler/mailer', '@tickler/http', '@tickler/cli', '@aws-sdk/*', '@fastify/*'], message: 'packages/db depends on @tickler/domain only.' },
        ],
      }],
    },
  },
  {
    // packages/queues is the job catalog and BullMQ plumbing: no storage, HTTP or mail.
    files: ['packages/queues/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['fastify', 'mjml', 'better-sqlite3', 'drizzle-orm', 'pg'].map((name) => ({ name, message: 'packages/queues carries jobs only.' })),
        patterns: [
          { group: ['@tickler/*/*'], message: 'Import a package through its index (exports map), not a deep path.' },
          { group: ['@tickler/scheduler', '@tickler/mailer', '@tickler/http', '@tickler/cli', '@aws-sdk/*', '@fastify/*'], message: 'packages/queues sits below the roles.' },
        ],
      }],
    },
  },
  {
    // packages/mailer is workers only (transport, templates, composers, processors, role): no HTTP edge.
    files: ['packages/mailer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['fastify', 'better-sqlite3', 'drizzle-orm', 'pg'].map((name) => ({ name, message: 'packages/mailer holds the workers: no HTTP server, no storage driver.' })),
        patterns: [
          { group: ['@tickler/*/*'], message: 'Import a package through its index (exports map), not a deep path.' },
          { group: ['@fastify/*', '@bull-board/*', '@tickler/http', '@tickler/scheduler', '@tickler/cli'], message: 'packages/mailer holds the workers: no HTTP edge, no other role.' },
        ],
      }],
    },
  },
  {
    // packages/http is the HTTP edge: it records and enqueues, it never renders or sends mail.
    files: ['packages/http/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['mjml', '@aws-sdk/client-sesv2', 'better-sqlite3', 'drizzle-orm', 'pg'].map((name) => ({ name, message: 'packages/http never sends mail or talks to a storage driver.' })),
        patterns: [
          { group: ['@tickler/*/*'], message: 'Import a package through its index (exports map), not a deep path.' },
          { group: ['@tickler/mailer', '@tickler/cli'], message: 'packages/http sits beside the mailer, below the CLI.' },
        ],
      }],
    },
  },
);
