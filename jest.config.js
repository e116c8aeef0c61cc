/**
 * Jest 30 on native ESM (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`), TypeScript via SWC.
 * Three projects, so a unit file runs in seconds with nothing else installed:
 *   unit      pure modules, the loopback fake GitHub; no services, no bundle
 *   e2e       `node dist/index.js` and `dist/cli.js` as the runner runs them; dist/ is rebuilt from src/ first
 *   services  the flag and metric providers against real PostgreSQL + Unleash and Prometheus (started, then stopped)
 */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } },
    ],
  },
  modulePathIgnorePatterns: ['<rootDir>/services/', '<rootDir>/.services/'],
};

const SERVICES = ['<rootDir>/__tests__/providers.test.ts'];

export default {
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['\\.e2e\\.test\\.ts$', ...SERVICES],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e.test.ts'],
      globalSetup: '<rootDir>/__tests__/setup/bundle.mjs',
    },
    {
      ...common,
      displayName: 'services',
      testMatch: SERVICES,
      globalSetup: '<rootDir>/__tests__/setup/services-start.mjs',
      globalTeardown: '<rootDir>/__tests__/setup/services-stop.mjs',
    },
  ],
};
