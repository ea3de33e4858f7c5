/** One jest run across the workspace: fast pure unit tests, and integration tests on real Redis/SQLite/SES. */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] };
// A few dependencies ship ESM only (content-disposition 3 via @fastify/static for the bull-board
// dashboard, cookie 2 via light-my-request for fastify's inject; intl-messageformat and its
// @formatjs parts for the message catalogs): let swc compile them to CommonJS.
const esmOnly = ['content-disposition', 'cookie', 'intl-messageformat', '@formatjs[+/][a-z0-9-]+'].join('|');
const transformIgnorePatterns = [`/node_modules/(?!\\.pnpm/(${esmOnly})@|(${esmOnly})/)`];
// Workspace packages export their TS sources under the `development` condition and their compiled
// dist/ by default: tests run on the sources, with no build step.
const testEnvironmentOptions = { customExportConditions: ['development', 'node', 'node-addons'] };
const common = { transform, transformIgnorePatterns, testEnvironment: 'node', testEnvironmentOptions, moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  // Per-project testTimeout is ignored by jest 30; integration tests talk to Redis, SES and Chromium.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{packages,tools}/*/src/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{packages,tools}/*/test/**/*.test.ts'] },
  ],
};
