/**
 * Builds the command line (`npm run build`): `dist/bin/bucket-classification.js` and,
 * beside it, `dist/bin/check-worker.js`, the script of check's worker threads. Each is
 * one esbuild bundle, so a run reads and compiles two files rather than some 250
 * modules: zod's functional API, which the worker threads use, is about 30 KB bundled
 * and 900 KB as zod's CommonJS files. The AWS SDK stays in node_modules, loaded only
 * by the commands that call AWS. The bundles find the shipped policy and the
 * package's manifest two levels up, as the sources do from `bin/`.
 *
 * Type errors are checked by `npm run typecheck` and `npm test`, not here.
 */
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** esbuild's options for the command line's bundles, written to `outdir`. */
function cliBuildOptions(outdir) {
  return {
    entryPoints: {
      'bucket-classification': path.join(ROOT, 'bin', 'bucket-classification.ts'),
      'check-worker': path.join(ROOT, 'bin', 'check-worker.ts'),
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // ES module builds first, so unused parts of a package are left out.
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*'],
    outdir,
    logLevel: 'error',
  };
}

module.exports = { cliBuildOptions };

if (require.main === module) {
  const { rmSync } = require('node:fs');
  const { buildSync } = require('esbuild');
  const dist = path.join(ROOT, 'dist');
  rmSync(dist, { recursive: true, force: true });
  buildSync(cliBuildOptions(path.join(dist, 'bin')));
}
