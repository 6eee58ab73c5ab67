/**
 * Three projects: `unit` (*.unit.test.ts: pure, starts nothing), `browser` (*.browser.test.ts: pages
 * in a headless Chromium, no database) and `int` (every other test file: integration and end-to-end
 * tests, which get the global set-up: one embedded PostgreSQL and one Pub/Sub emulator for the run).
 * Jest runs a project's global set-up only when at least one of its test files runs, so
 * `npx jest some.unit.test.ts` or `npx jest --selectProjects unit` starts nothing; `npm test` runs all.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  testMatch: ['<rootDir>/{functions,shared,scripts,test}/**/*.test.ts'],
};
const unitTest = '\\.unit\\.test\\.ts$';
const browserTest = '\\.browser\\.test\\.ts$';

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{functions,shared,scripts,test}/**/*.unit.test.ts'] },
    { ...shared, displayName: 'browser', testMatch: ['<rootDir>/{functions,shared,scripts,test}/**/*.browser.test.ts'] },
    {
      ...shared,
      displayName: 'int',
      testPathIgnorePatterns: ['/node_modules/', unitTest, browserTest],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testTimeout: 60_000,
  // Services log one JSON line per event: TEST_LOGS=1 shows them (global-setup sets LOG_LEVEL).
  silent: process.env.TEST_LOGS !== '1',
};
