/**
 * An esbuild plugin for the functions' bundles: `policies/function-files.ts`, which
 * reads and validates the policy and waivers files when run from the sources, is
 * replaced by a module holding those files already loaded, validated and packed as
 * JSON (see `policies/packed-files.ts`). A function's bundle then carries neither
 * the YAML parser nor the files' schemas, and its cold start does not parse them.
 *
 * Packed are the files the functions' settings name, relative to the service folder
 * (as the functions resolve them relative to their task root), and the shipped
 * default policy and waivers, used where a setting names none. A file that cannot be
 * used fails the build with the loader's message: the file, line, path and problem.
 */

const path = require('node:path');
const { policyLoaders, SETTINGS } = require('./policy-loaders');

/** The shipped files, named as a setting would name them. */
const DEFAULTS = Object.freeze({
  policy: 'policies/default-policy.yaml',
  waivers: 'policies/waivers.yaml',
});

/** The module that takes the place of `function-files.ts`, or the problems of the files. */
function packedModule(serviceDir, files) {
  const loaders = policyLoaders(serviceDir);
  const wanted = [
    ...files,
    { variable: 'POLICY_FILE', file: DEFAULTS.policy },
    { variable: 'WAIVERS_FILE', file: DEFAULTS.waivers },
  ];
  const packed = { policies: {}, waivers: {}, defaults: DEFAULTS };
  const errors = [];
  for (const { variable, file } of wanted) {
    const setting = SETTINGS.find((candidate) => candidate.variable === variable);
    if (!setting) throw new Error(`packed-policy: unknown setting ${variable}`);
    const name = loaders.packedName(file);
    const absolute = path.resolve(serviceDir, file);
    // Messages and sources name files as the settings do, not by this machine's paths.
    const rename = (loaded) =>
      path.isAbsolute(loaded)
        ? path.relative(serviceDir, loaded).replaceAll(path.sep, '/')
        : loaded;
    try {
      const loaded = loaders[setting.loader](absolute);
      const into = setting.kind === 'policy' ? packed.policies : packed.waivers;
      into[name] = loaders[setting.packer](loaded, (file) =>
        file === absolute ? name : rename(file),
      );
    } catch (error) {
      // Not `instanceof Error`: the loaders may run in another realm than this plugin.
      const message = typeof error?.message === 'string' ? error.message : String(error);
      errors.push({ text: `${variable}: ${message}` });
    }
  }
  if (errors.length > 0) return { errors };
  return {
    contents: [
      "import { packedFileReader } from './packed-files';",
      `export const { functionPolicy, functionWaivers } = packedFileReader(${JSON.stringify(packed)});`,
      '',
    ].join('\n'),
  };
}

/**
 * @param {{ serviceDir: string, files: Array<{ variable: string, file: string }> }} options
 *   `files`: the POLICY_FILE and WAIVERS_FILE values the functions are given.
 */
function packedPolicyPlugin({ serviceDir, files }) {
  return {
    name: 'packed-policy',
    setup(build) {
      build.onLoad({ filter: /[\\/]policies[\\/]function-files\.ts$/ }, (args) => {
        const result = packedModule(serviceDir, files);
        return result.errors
          ? result
          : { ...result, loader: 'ts', resolveDir: path.dirname(args.path) };
      });
    },
  };
}

module.exports = { packedPolicyPlugin, DEFAULTS };
