/** Jest 30 on native ESM (NODE_OPTIONS=--experimental-vm-modules, set by `npm test`), TypeScript via SWC. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  testTimeout: 60000,
  globalSetup: '<rootDir>/__tests__/global-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/global-teardown.mjs',
  modulePathIgnorePatterns: ['<rootDir>/services/', '<rootDir>/.services/'],
};
