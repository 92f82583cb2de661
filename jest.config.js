/**
 * Unit tests make no network calls. Integration tests run against moto server (a local AWS
 * emulator) that their globalSetup starts on a free loopback port.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      transform: { '^.+\\.ts$': tsJest },
      globalSetup: '<rootDir>/test/support/integration-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/integration-global-teardown.ts',
    },
  ],
  // A global option (jest ignores it inside a project). Integration tests wait on moto
  // and packaged functions in their own processes; on a busy 2-core machine that can
  // take far longer than jest's 5 s default. Tests that run an external tool set more.
  testTimeout: 120_000,
  collectCoverageFrom: [
    'rules/**/*.ts',
    'policies/**/*.ts',
    'lib/**/*.ts',
    'flows/**/*.ts',
    'handlers/**/*.ts',
  ],
  // Floors just under what the suite reaches, so a change that leaves rules or policy
  // code untested fails. Uncovered branches are mostly defaults that keep types total.
  coverageThreshold: {
    './rules/': { branches: 85, functions: 100, lines: 98, statements: 98 },
    './policies/': { branches: 75, functions: 100, lines: 95, statements: 95 },
    './lib/': { branches: 88, functions: 95, lines: 95, statements: 95 },
    './flows/': { branches: 85, functions: 80, lines: 95, statements: 93 },
    './handlers/': { branches: 85, functions: 85, lines: 95, statements: 90 },
  },
};
