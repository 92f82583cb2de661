/**
 * The project's policy and waivers loaders, and their packers, for packaging
 * scripts: the TypeScript modules of `policies/` compiled in memory with esbuild
 * (which packaging needs anyway), so nothing is downloaded and no build step has
 * to run first. Their npm dependencies (yaml, zod) are loaded from the project's
 * node_modules.
 */

const Module = require('node:module');
const path = require('node:path');

const ENTRY = [
  "export { loadPolicy } from './load-policy';",
  "export { loadWaivers } from './load-waivers';",
  "export { packPolicy, packWaivers } from './packed-policy';",
  "export { packedName } from './packed-files';",
].join('\n');

/** Compiled once per process and service folder. */
const compiled = new Map();

/**
 * `{ loadPolicy, loadWaivers, packPolicy, packWaivers, packedName }` of the
 * service at `serviceDir`.
 */
function policyLoaders(serviceDir) {
  const policiesDir = path.join(serviceDir, 'policies');
  const known = compiled.get(policiesDir);
  if (known) return known;
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    stdin: {
      contents: ENTRY,
      resolveDir: policiesDir,
      sourcefile: 'policy-loaders.ts',
      loader: 'ts',
    },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  // Filed beside the sources, so `__dirname` and the npm dependencies resolve as they
  // would for the TypeScript modules themselves.
  const filename = path.join(policiesDir, 'policy-loaders.compiled.js');
  const loaded = new Module(filename, module);
  loaded.filename = filename;
  loaded.paths = Module._nodeModulePaths(policiesDir);
  loaded._compile(output.text, filename);
  compiled.set(policiesDir, loaded.exports);
  return loaded.exports;
}

/** The settings that name the files, each with the loader that reads its kind. */
const SETTINGS = Object.freeze([
  { variable: 'POLICY_FILE', kind: 'policy', loader: 'loadPolicy', packer: 'packPolicy' },
  { variable: 'WAIVERS_FILE', kind: 'waivers', loader: 'loadWaivers', packer: 'packWaivers' },
]);

/**
 * Every distinct POLICY_FILE / WAIVERS_FILE value in the service's provider and
 * function environments, each with its setting: `{ variable, kind, loader, packer, file }`.
 */
function configuredFiles(service) {
  const environments = [
    service.provider?.environment ?? {},
    ...Object.values(service.functions ?? {}).map((fn) => fn?.environment ?? {}),
  ];
  const seen = new Map();
  for (const environment of environments) {
    for (const setting of SETTINGS) {
      const file = environment[setting.variable];
      if (typeof file === 'string' && file.trim() !== '') {
        seen.set(`${setting.variable}\u0000${file}`, { ...setting, file });
      }
    }
  }
  return [...seen.values()];
}

module.exports = { policyLoaders, configuredFiles, SETTINGS };
