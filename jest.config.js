/** Unit tests make no network calls; integration tests run against a local AWS emulator. */
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
  ],
  collectCoverageFrom: ['rules/**/*.ts', 'policies/**/*.ts', 'lib/**/*.ts'],
  coverageThreshold: {
    './rules/': { branches: 90, functions: 95, lines: 95, statements: 95 },
    './policies/': { branches: 85, functions: 95, lines: 95, statements: 95 },
  },
};
