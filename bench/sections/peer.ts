/**
 * Cloud Custodian, the general-purpose peer, judging the same required tags over
 * the same 1,000 moto buckets as checkBucketTags' periodic sweep, in the same run:
 * `custodian run` with bench/custodian-policy.yml, as a user would run it (its s3
 * resource reads many attributes of every bucket; its defaults are kept).
 *
 * Both must agree on which buckets fail, which also shows that Custodian listed
 * every bucket.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { envFor, withMoto } from '../moto/server';
import { runSweep } from '../moto/sweep';
import { isCompliantSweepBucket, sweepBucketName, sweepEstate } from '../moto/sweep-buckets';
import { round } from '../percentiles';
import type { BenchContext, BenchSection } from '../section';

const BUCKETS = 1000;
export const RATIO_BUDGET = 0.2;
const POLICY_NAME = 's3-required-tags';

/** Runs a command to the end; rejects with its output when it fails. */
async function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<void> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output}`);
}

/** The names of the buckets a policy run matched, from its resources.json. */
export function matchedBuckets(resourcesJson: string): string[] {
  const resources = JSON.parse(resourcesJson) as Array<{ Name?: unknown }>;
  return resources.map((resource) => String(resource.Name)).sort();
}

/** The buckets of the sweep estate that fail the required-tags rule. */
export function expectedFailures(buckets: number): string[] {
  return Array.from({ length: buckets }, (_, index) => index)
    .filter((index) => !isCompliantSweepBucket(index))
    .map(sweepBucketName)
    .sort();
}

async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ctx.log('setting up Cloud Custodian in .venv/custodian (a first run takes about a minute)');
  await runCommand('bash', [path.join(ctx.root, 'bench', 'custodian-env.sh')], { cwd: ctx.root });
  const custodian = path.join(ctx.root, '.venv', 'custodian', 'bin', 'custodian');
  return withMoto(ctx, async (moto) => {
    const estate = await sweepEstate(moto.endpoint);
    await estate.grow(BUCKETS);

    ctx.log(`our periodic sweep over ${BUCKETS} buckets`);
    const ours = await runSweep(moto.endpoint);

    ctx.log(`custodian run over the same ${BUCKETS} buckets`);
    const output = path.join(ctx.scratch, 'custodian');
    const started = process.hrtime.bigint();
    await runCommand(
      custodian,
      [
        'run',
        '--region',
        'us-east-1',
        '--output-dir',
        output,
        '--cache-period',
        '0',
        path.join(ctx.root, 'bench', 'custodian-policy.yml'),
      ],
      { cwd: ctx.scratch, env: envFor(moto.endpoint) },
    );
    const custodianSeconds = Number(process.hrtime.bigint() - started) / 1e9;

    const resources = path.join(output, POLICY_NAME, 'resources.json');
    if (!existsSync(resources)) throw new Error(`custodian wrote no ${resources}`);
    const matched = matchedBuckets(readFileSync(resources, 'utf8'));
    const expected = expectedFailures(BUCKETS);
    if (JSON.stringify(matched) !== JSON.stringify(expected)) {
      throw new Error(
        `custodian matched ${matched.length} buckets; the rule fails ${expected.length} of the ${BUCKETS}`,
      );
    }
    if (ours.nonCompliant !== expected.length) {
      throw new Error(
        `our sweep found ${ours.nonCompliant} non-compliant buckets; expected ${expected.length}`,
      );
    }
    return {
      custodian: {
        buckets: BUCKETS,
        nonCompliant: matched.length,
        ourSeconds: round(ours.seconds, 3),
        custodianSeconds: round(custodianSeconds, 3),
        ratio: round(ours.seconds / custodianSeconds, 3),
        c7nVersion: readFileSync(
          path.join(ctx.root, 'bench', 'requirements-custodian.txt'),
          'utf8',
        ).match(/^c7n==(\S+)/m)?.[1],
      },
    };
  });
}

export const peerSection: BenchSection = {
  name: 'peer',
  run,
  budgets: [
    {
      key: 'peer.custodian.ratio',
      check: (value) =>
        typeof value === 'number' && value <= RATIO_BUDGET
          ? undefined
          : `our sweep took ${String(value)} of Cloud Custodian's time on the same buckets; the budget is ${RATIO_BUDGET}`,
    },
  ],
};
