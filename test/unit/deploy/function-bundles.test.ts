/**
 * The functions' bundles carry their policy and waivers packed as JSON, checked at
 * bundling: `policies/function-files.ts` is replaced by the esbuild plugin
 * serverless.yml names, and the YAML parser and the files' schemas stay out.
 */
import * as path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import type { Policy } from '../../../policies/policy';
import type { Waivers } from '../../../policies/waiver';
import { requirementFor } from '../../../rules/required-level';
import { createTempDir, type TempDir } from '../../support/temp-dir';

const ROOT = path.resolve(__dirname, '../../..');
const { packedPolicyPlugin } = require('../../../scripts/packed-policy-plugin.js') as {
  packedPolicyPlugin(options: {
    serviceDir: string;
    files: Array<{ variable: string; file: string }>;
  }): Plugin;
};

interface FunctionFiles {
  functionPolicy(file: string | undefined): Policy;
  functionWaivers(file: string | undefined): Waivers;
}

let temp: TempDir;
beforeEach(() => {
  temp = createTempDir();
});
afterEach(() => temp.remove());

/**
 * The plugins serverless.yml gives serverless-esbuild, for functions whose settings
 * name these policy and waivers files.
 */
function serverlessPlugins(environment: Record<string, string>): Plugin[] {
  const plugins = require('../../../scripts/esbuild-plugins.js') as (
    serverless: unknown,
  ) => Plugin[];
  return plugins({ serviceDir: ROOT, service: { provider: { environment }, functions: {} } });
}

/** Bundles `entry` (a file of the project) with the packing plugin alone, or `plugins`. */
async function bundle(
  entry: string,
  files: Array<{ variable: string; file: string }>,
  plugins: Plugin[] = [packedPolicyPlugin({ serviceDir: ROOT, files })],
): Promise<{ file: string; metafile: Metafile }> {
  const outfile = path.join(temp.path, `${path.basename(entry, '.ts')}.js`);
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    mainFields: ['module', 'main'],
    outfile,
    metafile: true,
    logLevel: 'silent',
    plugins,
  });
  return { file: outfile, metafile: result.metafile };
}

/** The project files and packages a bundle was made of. */
function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs);
}

const EXTENDING_POLICY = 'extends: default\ncategories:\n  PERSONAL_INFORMATION: Restricted\n';

describe('a bundle of the functions’ policy files', () => {
  it('holds the files the settings name, extends resolved, and rebuilds them without reading any file', async () => {
    const team = temp.write('team/extends.yaml', EXTENDING_POLICY);
    const { file } = await bundle('policies/function-files.ts', [
      { variable: 'POLICY_FILE', file: team },
      { variable: 'WAIVERS_FILE', file: 'policies/waivers.yaml' },
    ]);
    temp.write('team/extends.yaml', 'not a policy any more: [');
    const files = require(file) as FunctionFiles;

    const policy = files.functionPolicy(team);
    const name = { type: 'NAME', category: 'PERSONAL_INFORMATION', custom: false };
    expect(requirementFor(policy, name).requirement).toEqual({
      kind: 'level',
      level: 'Restricted',
      rank: 3,
    });
    expect(policy.extends).toEqual(['policies/default-policy.yaml']);
    expect(requirementFor(files.functionPolicy(undefined), name).requirement).toEqual({
      kind: 'level',
      level: 'Confidential',
      rank: 2,
    });
    expect(files.functionPolicy('./policies/default-policy.yaml').source).toBe(
      'policies/default-policy.yaml',
    );
    expect(files.functionWaivers('policies/waivers.yaml').source).toBe('policies/waivers.yaml');
  });

  it('refuses a file that was not packed, naming the setting, the file and what was packed', async () => {
    const { file } = await bundle('policies/function-files.ts', []);
    const files = require(file) as FunctionFiles;

    expect(() => files.functionPolicy('policies/team.yaml')).toThrow(
      'POLICY_FILE is "policies/team.yaml", which was not checked and packed with this function (packed: policies/default-policy.yaml).',
    );
    expect(() => files.functionWaivers('policies/team-waivers.yaml')).toThrow(
      /^WAIVERS_FILE is "policies\/team-waivers.yaml", .*\(packed: policies\/waivers.yaml\)/,
    );
  });

  it('fails on a file that cannot be used, with the loader’s message', async () => {
    const bad = temp.write(
      'bad.yaml',
      'extends: default\ncategories:\n  FINANCIAL_INFORMATION: Secret\n',
    );
    await expect(
      bundle('policies/function-files.ts', [{ variable: 'POLICY_FILE', file: bad }]),
    ).rejects.toThrow(
      `POLICY_FILE: invalid policy\n  ${bad}:3: categories.FINANCIAL_INFORMATION: unknown level "Secret"`,
    );
  });
});

describe('each function’s bundle, built with the plugins serverless.yml names', () => {
  it.each([
    'handlers/validate-finding.ts',
    'handlers/check-bucket-tags.ts',
    'handlers/track-bucket-changes.ts',
    'handlers/summarize-ledger.ts',
  ])(
    '%s carries no YAML parser, file schema, file loader or credential chain',
    async (entry) => {
      const { metafile } = await bundle(
        entry,
        [],
        serverlessPlugins({
          POLICY_FILE: 'policies/default-policy.yaml',
          WAIVERS_FILE: 'policies/waivers.yaml',
        }),
      );
      const inputs = inputsOf(metafile);

      expect(inputs.filter((input) => /node_modules\/yaml\//.test(input))).toEqual([]);
      expect(
        inputs.filter((input) =>
          /policies\/(load-policy|load-waivers|data-file|policy-file-schema|waivers-file-schema|policy-chain)\.ts$/.test(
            input,
          ),
        ),
      ).toEqual([]);
      expect(
        inputs.filter((input) =>
          /@aws-sdk\/(credential-provider-(node|ini|sso|process|web-identity|login)|nested-clients)\//.test(
            input,
          ),
        ),
      ).toEqual([]);
      expect(inputs).toEqual(
        expect.arrayContaining(['policies/packed-files.ts', 'lib/lambda-credentials.ts']),
      );
    },
    60_000,
  );
});

describe('the tag rule’s bundle', () => {
  it('carries no DynamoDB client: the rule keeps no ledger', async () => {
    const { metafile } = await bundle(
      'handlers/check-bucket-tags.ts',
      [],
      serverlessPlugins({
        POLICY_FILE: 'policies/default-policy.yaml',
        WAIVERS_FILE: 'policies/waivers.yaml',
      }),
    );
    expect(inputsOf(metafile).filter((input) => /dynamodb/.test(input))).toEqual([]);
  }, 60_000);
});
