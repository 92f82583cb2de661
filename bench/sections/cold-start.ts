/**
 * Each function's bundle, built the way `serverless package` builds it (serverless-esbuild
 * with `custom.esbuild` of serverless.yml): its size, and how long a fresh Node process
 * takes to load it and build its clients (the module scope of every handler does) against
 * one that loads nothing.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { atMost } from '../budget-limits';
import { alternate, median, runNode } from '../measure';
import { repositoryRoot } from '../root';
import type { BenchContext, BenchSection, Budget } from '../section';
import { paramOf, readServerless, type ServerlessFile } from '../serverless-file';

/** Alternating runs (bundle, empty) per function; the medians are compared. */
const RUNS = 9;

/** The functions of serverless.yml, each with its handler module's source file. */
export function functionEntries(serverless: ServerlessFile, root: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(serverless.functions).map(([name, { handler }]) => [
      name,
      path.join(root, `${handler.slice(0, handler.lastIndexOf('.'))}.ts`),
    ]),
  );
}

/**
 * The settings the functions need at cold start, as the stack gives them (CloudFormation
 * references replaced by values of the same shape), and no AWS configuration from here:
 * clients are built, not called.
 */
function lambdaEnvironment(functionName: string): NodeJS.ProcessEnv {
  const own = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  return {
    ...own,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:security-alerts',
    CENTRAL_ACCOUNT_ID: '111122223333',
    LEDGER_TABLE: 'bucket-classification-ledger',
    CONFIG_RULE_NAME: 'bucket-classification-bucket-tags',
    POLICY_FILE: 'policies/default-policy.yaml',
    WAIVERS_FILE: 'policies/waivers.yaml',
    SWEEP_SAFETY_MARGIN_SECONDS: '60',
    REMINDER_AFTER_HOURS: '24',
  };
}

/**
 * The esbuild options of serverless.yml's `custom.esbuild` that shape a bundle, as
 * serverless-esbuild passes them on (its defaults where a value is not set).
 */
export function bundleOptions(options: Readonly<Record<string, unknown>>): BuildOptions {
  return {
    bundle: options.bundle !== false,
    minify: options.minify === true,
    sourcemap: options.sourcemap === true,
    target: String(options.target ?? 'node22'),
    platform: 'node',
    format: 'cjs',
    external: (options.external as string[] | undefined) ?? [],
    ...(Array.isArray(options.mainFields) ? { mainFields: options.mainFields as string[] } : {}),
  };
}

/**
 * The esbuild plugins serverless.yml's `custom.esbuild.plugins` file gives, called as
 * serverless-esbuild calls it, with the stack's default policy and waivers files as
 * the functions' settings.
 */
export function esbuildPlugins(serverless: ServerlessFile, root: string): Plugin[] {
  const file = serverless.custom.esbuild.plugins;
  if (typeof file !== 'string') return [];
  const plugins = require(path.resolve(root, file)) as
    | Plugin[]
    | ((serverless: unknown) => Plugin[]);
  if (typeof plugins !== 'function') return plugins;
  const environment = {
    POLICY_FILE: paramOf(serverless, 'policyFile'),
    WAIVERS_FILE: paramOf(serverless, 'waiversFile'),
  };
  return plugins({ serviceDir: root, service: { provider: { environment }, functions: {} } });
}

/** The packages that weigh most in a bundle, for the log. */
function heaviest(metafile: Metafile, outfile: string): string {
  // One entry point and no source map: one output.
  const inputs = Object.values(metafile.outputs)[0]?.inputs ?? {};
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? '(ours)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return `${path.basename(outfile)}: ${[...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)} KB`)
    .join(', ')}`;
}

async function measure(ctx: BenchContext): Promise<Record<string, unknown>> {
  const serverless = readServerless(ctx.root);
  const options = serverless.custom.esbuild;
  const bundleBytes: Record<string, number> = {};
  const initRatio: Record<string, number> = {};
  const initMs: Record<string, number> = {};
  let emptyMs = 0;
  for (const [name, entry] of Object.entries(functionEntries(serverless, ctx.root))) {
    const outfile = path.join(ctx.scratch, 'bundles', `${name}.js`);
    const result = await build({
      ...bundleOptions(options),
      plugins: esbuildPlugins(serverless, ctx.root),
      entryPoints: [entry],
      outfile,
      metafile: true,
      logLevel: 'error',
    });
    bundleBytes[name] = statSync(outfile).size;
    ctx.log(heaviest(result.metafile, outfile));

    const env = lambdaEnvironment(name);
    const runs = await alternate(RUNS, {
      bundle: () => runNode(['-e', `require(${JSON.stringify(outfile)})`], { cwd: ctx.root, env }),
      empty: () => runNode(['-e', ''], { cwd: ctx.root, env }),
    });
    const loaded = median(runs.bundle.map((run) => run.seconds));
    const empty = median(runs.empty.map((run) => run.seconds));
    initRatio[name] = loaded / empty;
    initMs[name] = loaded * 1000;
    emptyMs = Math.max(emptyMs, empty * 1000);
  }
  return { bundleBytes, initRatio, initMs, emptyNodeMs: emptyMs };
}

/** The budgets of every function serverless.yml defines. */
function budgets(): Budget[] {
  const names = Object.keys(readServerless(repositoryRoot()).functions);
  return names.flatMap((name) => [
    atMost(`coldStart.bundleBytes.${name}`, 600 * 1024, '600 KB'),
    atMost(`coldStart.initRatio.${name}`, 2.5, 'times an empty Node start'),
  ]);
}

export const coldStartSection: BenchSection = {
  name: 'coldStart',
  run: measure,
  budgets: budgets(),
};
