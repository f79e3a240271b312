// Unit specs live beside the code (src/**/*.spec.ts); e2e suites under test/.
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: '(src|test|sdk)/.*\\.spec\\.ts$',
  transform: {
    // Transpile only (no type check per file): `npm test` runs tsc once before jest.
    '^.+\\.ts$': ['ts-jest', { tsconfig: { module: 'commonjs', isolatedModules: true } }],
  },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
