/**
 * `check --format json` of the built command line over generated findings, against a
 * bare Node loop that reads the same file line by line and parses each line: what the
 * checking adds to reading, and whether memory stays flat as the input grows.
 */
import { statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { atMost } from '../budget-limits';
import { writeCorpus } from '../corpus';
import { alternate, median, type ProcessRun, runNode, writeMaxRssPreload } from '../measure';
import { timeS3Check } from '../s3-input';
import type { BenchContext, BenchSection } from '../section';

/** The corpus sizes, by the key their figures take. */
const SIZES = { '10k': 10_000, '50k': 50_000 } as const;
const SEED = 20_251_130;
/**
 * Runs of each kind per size; the medians are reported. Five rather than three:
 * on a shared two-core machine single runs of the 50k check ranged from 2.7 to
 * 3.4 s, and the median of three still moved the ratio by a tenth between runs.
 */
const RUNS = 5;

const BARE_LOOP = `const { createReadStream } = require('node:fs');
const { createInterface } = require('node:readline');
(async () => {
  let findings = 0;
  for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) {
    if (line.trim() !== '') { JSON.parse(line); findings++; }
  }
  if (findings === 0) throw new Error('no findings read');
})();
`;

async function measure(ctx: BenchContext): Promise<Record<string, unknown>> {
  const cli = path.join(ctx.root, 'dist', 'bin', 'bucket-classification.js');
  const preload = writeMaxRssPreload(ctx.scratch);
  const bare = path.join(ctx.scratch, 'bare-loop.js');
  writeFileSync(bare, BARE_LOOP);

  const ours: Record<string, ProcessRun[]> = {};
  const baseline: Record<string, ProcessRun[]> = {};
  const megabytes: Record<string, number> = {};
  for (const [label, count] of Object.entries(SIZES)) {
    const file = path.join(ctx.scratch, `findings-${label}.jsonl`);
    await writeCorpus(file, count, SEED);
    megabytes[label] = statSync(file).size / 1024 / 1024;
    ctx.log(
      `${count} findings, ${megabytes[label]?.toFixed(1)} MB: ${RUNS} runs each of check and the bare loop`,
    );
    const runs = await alternate(RUNS, {
      ours: () => runNode([cli, 'check', file, '--format', 'json'], { cwd: ctx.root, preload }),
      bare: () => runNode([bare, file], { cwd: ctx.root, preload }),
    });
    ours[label] = runs.ours;
    baseline[label] = runs.bare;
  }

  // The same 10k findings from S3 (moto), when check reads s3:// inputs.
  const s3Seconds = await timeS3Check(ctx, cli, path.join(ctx.scratch, 'findings-10k.jsonl'), RUNS);

  const seconds = (runs: ProcessRun[] | undefined): number =>
    median((runs ?? []).map((run) => run.seconds));
  const rssMb = (runs: ProcessRun[] | undefined): number =>
    median((runs ?? []).map((run) => run.maxRssKiB / 1024));
  const oursLarge = seconds(ours['50k']);
  const peak10k = rssMb(ours['10k']);
  const peak50k = rssMb(ours['50k']);
  return {
    parseOnlyRatio: oursLarge / seconds(baseline['50k']),
    findingsPerSecond: SIZES['50k'] / oursLarge,
    mbPerSecond: (megabytes['50k'] ?? 0) / oursLarge,
    peakRssMb: { '10k': peak10k, '50k': peak50k },
    peakRssGrowth: peak50k / peak10k,
    seconds: { '10k': seconds(ours['10k']), '50k': oursLarge },
    bareSeconds: { '10k': seconds(baseline['10k']), '50k': seconds(baseline['50k']) },
    inputMb: megabytes,
    s3: { findingsPerSecond: SIZES['10k'] / s3Seconds, seconds: s3Seconds },
  };
}

export const cliSection: BenchSection = {
  name: 'cli',
  run: measure,
  budgets: [
    atMost('cli.parseOnlyRatio', 1.5, 'check takes that many times as long as reading and parsing'),
    // Memory flat: the peak at 50k findings at most 1.25 times the peak at 10k.
    atMost(
      'cli.peakRssGrowth',
      1.25,
      'peak memory at 50k findings over the peak at 10k: it grows with the input',
    ),
  ],
};
