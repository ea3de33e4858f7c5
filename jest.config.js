/** One jest run across the workspace: fast pure unit tests, and integration tests on real Redis/SQLite/SES. */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] };
const common = { transform, testEnvironment: 'node', moduleFileExtensions: ['ts', 'js', 'json'] };
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/*/src/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/packages/*/test/**/*.test.ts'], testTimeout: 60000 },
  ],
};
