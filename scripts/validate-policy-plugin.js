/**
 * A local serverless plugin: `serverless package` (and so `serverless deploy`) fails,
 * before anything is bundled, when a policy or waivers file the functions would load
 * at cold start is missing or invalid. The message is the loader's own: the file, the
 * line, the path inside the file and what is wrong.
 *
 * The files are the values of POLICY_FILE and WAIVERS_FILE in the functions'
 * environments (from the stack's `policyFile` and `waiversFile` params), relative to
 * the service folder, as the functions resolve them relative to their task root.
 *
 * The loaders are the project's own TypeScript modules (policies/load-policy.ts and
 * policies/load-waivers.ts), compiled in memory with esbuild, which packaging needs
 * anyway: nothing is downloaded and no build step has to run first, so this works
 * offline after `npm ci`. Their npm dependencies (yaml, zod) are loaded from the
 * project's node_modules.
 */

const Module = require('node:module');
const path = require('node:path');

const SETTINGS = Object.freeze([
  { variable: 'POLICY_FILE', loader: 'loadPolicy' },
  { variable: 'WAIVERS_FILE', loader: 'loadWaivers' },
]);

/** The project's loaders, compiled from TypeScript and evaluated as one CommonJS module. */
function compileLoaders(serviceDir) {
  const esbuild = require('esbuild');
  const policiesDir = path.join(serviceDir, 'policies');
  const result = esbuild.buildSync({
    stdin: {
      contents:
        "export { loadPolicy } from './load-policy';\nexport { loadWaivers } from './load-waivers';\n",
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
  const compiled = new Module(filename, module);
  compiled.filename = filename;
  compiled.paths = Module._nodeModulePaths(policiesDir);
  compiled._compile(output.text, filename);
  return compiled.exports;
}

/** Every distinct POLICY_FILE / WAIVERS_FILE value among the functions, with its loader. */
function filesToCheck(service) {
  const environments = [
    service.provider?.environment ?? {},
    ...Object.values(service.functions ?? {}).map((fn) => fn?.environment ?? {}),
  ];
  const seen = new Map();
  for (const environment of environments) {
    for (const { variable, loader } of SETTINGS) {
      const file = environment[variable];
      if (typeof file === 'string' && file.trim() !== '') {
        seen.set(`${loader}\u0000${file}`, { variable, loader, file });
      }
    }
  }
  return [...seen.values()];
}

class ValidatePolicyPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      // The first step of packaging: a bad file stops it before the slow bundling.
      'package:initialize': () => this.validate(),
    };
  }

  validate() {
    const serviceDir = this.serverless.serviceDir ?? this.serverless.config.servicePath;
    const checks = filesToCheck(this.serverless.service);
    if (checks.length === 0) return;
    const loaders = compileLoaders(serviceDir);
    const problems = [];
    for (const { variable, loader, file } of checks) {
      // Relative to where serverless runs, so the message names the file as the user
      // wrote it (policies/team-policy.yaml) when run from the service folder.
      const where = path.relative(process.cwd(), path.resolve(serviceDir, file)) || file;
      try {
        loaders[loader](where);
      } catch (error) {
        problems.push(`${variable}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(problems.join('\n'));
    }
  }
}

module.exports = ValidatePolicyPlugin;
