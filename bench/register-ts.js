/**
 * Lets Node require TypeScript files: each `.ts` file is compiled on load with
 * esbuild (already a development dependency, through serverless-esbuild), one file
 * at a time, so `__dirname` and relative paths stay as in the source tree.
 *
 * Usage: node -r ./bench/register-ts.js bench/run-section.ts handler
 */
const { readFileSync } = require('node:fs');
const { transformSync } = require('esbuild');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'node20',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
