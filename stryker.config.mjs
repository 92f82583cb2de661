// Mutation testing (`npm run mutation`): how well the unit tests notice a changed
// decision. Not part of `npm test`; see "Mutation testing" in README.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The unit project alone, as a whole config: Stryker's per-test coverage hooks
    // into the top-level test environment, which projects would replace.
    configFile: 'jest.mutation.config.js',
    config: {
      // The unit tests of the mutated code itself. Each mutant runs the tests of these
      // that import its file; the flow, handler and CLI tests would run for nearly
      // every mutant of rules/ and make a run take hours on a 2-core machine.
      testMatch: [
        '<rootDir>/test/unit/{rules,policies,lib}/**/*.test.ts',
        '<rootDir>/test/unit/flows/record-metrics.test.ts',
        '<rootDir>/test/unit/untrusted-outputs.test.ts',
        // The table, CSV and JSON writers of bin/report.ts.
        '<rootDir>/test/unit/bin/report.test.ts',
        '<rootDir>/test/unit/bin/check-reports.test.ts',
      ],
    },
  },
  mutate: [
    'rules/**/*.ts',
    'policies/**/*.ts',
    // Where errors are named and classified as refused, permanent or retryable.
    'lib/errors.ts',
    'lib/sns-alert-publisher.ts',
    'lib/sns-region-reach.ts',
    'lib/sns-topic-directory.ts',
    'lib/s3-tag-source.ts',
    'flows/record-metrics.ts',
    // Table and CSV output.
    'bin/report.ts',
  ],
  // Not copied into the sandbox: the Python environment (tens of thousands of files,
  // and links Stryker cannot copy), build output and reports.
  ignorePatterns: [
    '.venv',
    'coverage',
    'dist',
    '.serverless',
    '.esbuild',
    'reports',
    'bench/results',
  ],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants: lists of error names, patterns, limits)
  // are left out by default: each reruns every test of its file with a fresh module
  // registry, and together they take over 80 % of a run. MUTATE_STATIC=1 includes them.
  ignoreStatic: process.env.MUTATE_STATIC !== '1',
  // A 2-core machine: one worker per core at most.
  concurrency: 2,
  // The first run of the whole unit suite, instrumented, on a busy machine.
  dryRunTimeoutMinutes: 30,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  plugins: ['@stryker-mutator/*', './scripts/mutation-summary.mjs'],
  // folder-summary: the score of each folder, in reports/mutation/summary.json.
  reporters: ['clear-text', 'html', 'json', 'progress', 'folder-summary'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
