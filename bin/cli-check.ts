import type { Command } from 'commander';
import { tagKeysFromEnv } from '../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import { SEVERITIES } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import { checkReportOptions, runCheck } from './check-command';
import { AUTO_WORKERS_MIN_BYTES, parseWorkers } from './check-workers';
import { type Cli, document, flag, optionDefaulting } from './cli-program';
import { inputLimits } from './input-limits';
import {
  DEFAULT_SINCE,
  type LiveClient,
  type LiveInput,
  liveClient,
  parseSince,
} from './live-findings';
import { createProgress } from './progress';
import { CHECK_FORMATS } from './report';
import { VERDICTS } from './report-filter';
import { DEFAULT_S3_CONCURRENCY, parseConcurrency } from './s3-inputs';
import { severityOption } from './severity-option';
import { loadTagsFile } from './tags-file';
import { UsageError } from './usage-error';

interface CheckFlags {
  readonly live: boolean;
  readonly since?: string;
  readonly region?: string;
  readonly policy?: string;
  readonly tags?: string;
  readonly format: string;
  readonly summary?: string;
  readonly severity?: string;
  readonly verdict?: string;
  readonly team?: string;
  readonly failOn?: string;
  readonly maxRecordBytes?: string;
  readonly maxInputBytes?: string;
  readonly concurrency?: string;
  readonly workers?: string;
}

/** `check`: judges Macie findings against the classification each bucket declares. */
export function checkCommand(program: Command, cli: Cli): void {
  const command = program
    .command('check')
    .summary('judge Amazon Macie findings against the classification each bucket declares')
    .description(
      'Judges Amazon Macie findings (EventBridge events, GetFindings output, console exports, ' +
        'JSON Lines of findings or discovery results, .gz too) against the classification each ' +
        'bucket declares in its tags. Directories are read recursively; s3://BUCKET/PREFIX/ ' +
        "reads the objects under a prefix (such as Macie's discovery results) in key order, " +
        'which needs s3:ListBucket, s3:GetObject and kms:Decrypt on their key. With --live, the ' +
        "sensitive data findings in Amazon Macie itself are read too, with the caller's AWS " +
        'credentials. A finding read more than once (same id) is judged once.\n\n' +
        'Exit 0; 1 when a result reaches --fail-on (stderr names the results that do); 2 on ' +
        'usage errors, unreadable input, an AWS error with --live, or when no finding at all ' +
        'was read (with --live, Macie answering that it has none is not an error).',
    )
    .argument(
      '[inputs...]',
      'files, directories, s3://BUCKET[/PREFIX/] (or s3://BUCKET/KEY for one object), or - for standard input',
    )
    .addOption(
      flag(
        '--live',
        "read the sensitive data findings in Amazon Macie, with the caller's credentials",
      ),
    )
    .addOption(
      optionDefaulting(
        '--since <WHEN>',
        'with --live: findings updated since <n>d or <n>h ago, or an ISO 8601 date',
        DEFAULT_SINCE,
      ),
    )
    .addOption(
      optionDefaulting(
        '--region <REGION>',
        "with --live: Macie's region",
        "AWS_REGION, else AWS_DEFAULT_REGION, else the AWS profile's",
      ),
    )
    .addOption(
      optionDefaulting(
        '--policy <FILE>',
        'the policy to judge by',
        'the shipped policies/default-policy.yaml',
      ),
    )
    .addOption(
      optionDefaulting(
        '--tags <FILE>',
        'bucket tags, laid over the tags in the findings: {"<bucket>": {"<key>": "<value>"}}, ' +
          'the output of aws resourcegroupstaggingapi get-resources, or a directory of ' +
          'aws s3api get-bucket-tagging outputs named <bucket>.json',
        'none: the tags in the findings',
      ),
    )
    .option('--format <FORMAT>', `the report: ${CHECK_FORMATS.join(', ')}`, 'table')
    .addOption(
      optionDefaulting(
        '--summary <GROUP>',
        'one row per team, account or bucket instead of the results',
        'the results',
      ),
    )
    .addOption(
      optionDefaulting(
        '--severity <SEV,...>',
        `only results of these severities: ${SEVERITIES.join(', ')}, any case`,
        'every severity',
      ),
    )
    .addOption(
      optionDefaulting(
        '--verdict <VERDICT,...>',
        `only results with these verdicts: ${VERDICTS.join(', ')}`,
        'every verdict',
      ),
    )
    .addOption(
      optionDefaulting('--team <TEAM,...>', 'only results of these teams, any case', 'every team'),
    )
    .addOption(
      optionDefaulting(
        '--fail-on <SEVERITY>',
        `exit 1 when a result reaches this severity: ${SEVERITIES.join(', ')}, any case`,
        'never',
      ),
    )
    .addOption(
      optionDefaulting(
        '--max-record-bytes <SIZE>',
        'the most one line or JSON document (and the tags file) may hold, e.g. 512KiB',
        'BUCKET_CLASSIFICATION_MAX_RECORD_BYTES, else 64MiB',
      ),
    )
    .addOption(
      optionDefaulting(
        '--max-input-bytes <SIZE>',
        'the most one input may hold once decompressed, e.g. 2GiB',
        'BUCKET_CLASSIFICATION_MAX_INPUT_BYTES, else 1GiB',
      ),
    )
    .option(
      '--concurrency <N>',
      'S3 objects open at once: the next are fetched while one is read, results stay in key order',
      String(DEFAULT_S3_CONCURRENCY),
    )
    .addOption(
      optionDefaulting(
        '--workers <N>',
        'worker threads that parse and judge JSON Lines beside the reading (0: none); the report is the same',
        `automatic: one per core up to 4, for JSON Lines files of ${AUTO_WORKERS_MIN_BYTES / 1024 / 1024} MiB or more; none on a single core`,
      ),
    )
    .action(cli.action((inputs: string[], flags: CheckFlags) => check(inputs, flags, cli)));
  document(command, {
    synopsis: [
      '<path|dir|s3://BUCKET/PREFIX/|->... [--policy FILE] [--tags FILE]\n' +
        '[--format table|json|csv|markdown|html] [--summary team|account|bucket]\n' +
        '[--severity SEV,...] [--verdict violation|unclassified|compliant|ignored,...]\n' +
        '[--team T,...] [--fail-on Low|Medium|High|Critical]\n' +
        '[--max-record-bytes SIZE] [--max-input-bytes SIZE] [--concurrency N]\n' +
        '[--workers N]',
      '--live [--since Nd|Nh|DATE] [--region REGION] [<path|dir|s3://...|->...]\n' +
        '[any option of the form above]',
    ],
    examples: [
      {
        does: 'Judge the example findings with the example tags:',
        run: 'check examples/findings --tags examples/bucket-tags.json',
      },
      {
        does: 'Count the Critical and High results of each team:',
        run: 'check exports/ --summary team --severity Critical,High',
      },
      {
        does: 'Write one self-contained HTML page to share, a table per team:',
        run: 'check exports/ --tags bucket-tags.json --format html > report.html',
      },
      {
        does: "Judge the last day's findings in Macie itself, failing on Critical results:",
        run: 'check --live --since 24h --region eu-west-1 --fail-on critical',
      },
      {
        does: "Judge one account's Macie discovery results in a region, read from S3:",
        run: 'check s3://acme-macie-results/AWSLogs/111122223333/Macie/us-east-1/ --fail-on high',
      },
      {
        does: 'Fail a CI job when a result is High or worse, reading JSON Lines from stdin:',
        run: 'check - --fail-on high < findings.jsonl',
      },
    ],
  });
}

async function check(inputs: readonly string[], flags: CheckFlags, cli: Cli): Promise<number> {
  if (inputs.length === 0 && !flags.live) {
    throw new UsageError(
      'check needs at least one input: a file, a directory, an s3:// URL, - for stdin, or --live for the findings in Macie',
    );
  }
  for (const [option, value] of [
    ['--since', flags.since],
    ['--region', flags.region],
  ] as const) {
    if (value !== undefined && !flags.live) throw new UsageError(`${option} is for --live`);
  }
  const since = flags.live ? parseSince(flags.since ?? DEFAULT_SINCE, new Date()) : undefined;
  const reporting = checkReportOptions(flags);
  const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
  const limits = inputLimits(
    { maxRecordBytes: flags.maxRecordBytes, maxInputBytes: flags.maxInputBytes },
    cli.env,
  );
  const concurrency = parseConcurrency(flags.concurrency ?? String(DEFAULT_S3_CONCURRENCY));
  const workers = flags.workers === undefined ? 'auto' : parseWorkers(flags.workers);
  const { io } = cli;
  const macie: LiveClient | undefined = since && (await liveClient(flags.region, cli.env));
  const progress = createProgress(io.stderr, io.stderrIsTty);
  try {
    return await runCheck({
      inputs,
      ...(macie && since && { live: liveInput(macie, since) }),
      limits,
      policy: loadPolicy(flags.policy ?? DEFAULT_POLICY_FILE),
      tags: flags.tags === undefined ? new Map() : loadTagsFile(flags.tags, limits, io.stderr),
      tagKeys: tagKeysFromEnv(),
      ...reporting,
      ...(failOn === undefined ? {} : { failOn }),
      s3: { concurrency },
      workers,
      stdout: io.stdout,
      stderr: (text) => {
        progress.clear();
        io.stderr(text);
      },
      hooks: {
        ...progress.hooks,
        onSkip: (file, reason) => {
          progress.clear();
          io.stderr(`skipped ${inert(file, MAX_MESSAGE)}: ${reason}\n`);
        },
      },
    });
  } finally {
    progress.clear();
    macie?.client.destroy();
  }
}

/** Macie's findings for --live; their module is loaded only then, as it brings the Macie SDK. */
function liveInput(macie: LiveClient, since: Date): LiveInput {
  const { MacieLiveFindings } =
    require('../lib/macie-live-findings') as typeof import('../lib/macie-live-findings');
  return { findings: new MacieLiveFindings(macie.client, macie.region), since };
}
