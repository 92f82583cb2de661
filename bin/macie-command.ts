import { Macie2Client } from '@aws-sdk/client-macie2';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type ClassificationJobInput,
  type ClassificationJobs,
  type CreatedJob,
  DEFAULT_JOB_NAME,
  describeSchedule,
  type ExistingJob,
  isMacieNotEnabled,
  MacieClassificationJobs,
  SCAN_FREQUENCIES,
  type ScanFrequency,
  scheduledScanJob,
  type TagPair,
} from '../lib/macie-jobs';
import { StsCallerAccount } from '../lib/sts-caller-account';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import { EXIT_OK, EXIT_USAGE } from './check-command';
import { UsageError } from './usage-error';

export const MACIE_FORMATS = ['text', 'json'] as const;
export type MacieFormat = (typeof MACIE_FORMATS)[number];

/** The flags of `macie schedule`, as parsed from the command line. */
export interface MacieScheduleFlags {
  readonly frequency: string | undefined;
  readonly excludeTags: readonly string[];
  readonly name: string | undefined;
  readonly region: string | undefined;
  readonly dryRun: boolean;
  readonly format: string;
}

export interface MacieScheduleOptions {
  readonly region: string;
  readonly name: string;
  readonly frequency: ScanFrequency;
  readonly excludeTags: readonly TagPair[];
  /** Look, print what would be created, create nothing. */
  readonly dryRun: boolean;
  readonly format: MacieFormat;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The AWS pieces `macie schedule` works through, built for one region. */
export interface MacieAws {
  /** The caller's account (STS `GetCallerIdentity`): the account whose buckets are scanned. */
  callerAccountId(): Promise<string>;
  readonly jobs: ClassificationJobs;
  /** Releases the clients' connections. */
  close(): void;
}

export interface MacieScheduleDeps {
  readonly macieAws: (region: string) => MacieAws;
}

/** Without `--frequency`: recurring jobs scan only what changed since the last run, so daily costs no more. */
export const DEFAULT_FREQUENCY: ScanFrequency = 'daily';

const MAX_NAME = 500;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/**
 * Turns the flags into options; the region comes from `--region`, else `AWS_REGION`.
 *
 * @throws UsageError for a bad frequency, tag, name, format or no region.
 */
export function macieScheduleOptions(
  flags: MacieScheduleFlags,
  env: NodeJS.ProcessEnv,
  io: Pick<MacieScheduleOptions, 'stdout' | 'stderr'>,
): MacieScheduleOptions {
  const frequency = flags.frequency ?? DEFAULT_FREQUENCY;
  if (!(SCAN_FREQUENCIES as readonly string[]).includes(frequency)) {
    throw new UsageError(
      `--frequency must be one of ${SCAN_FREQUENCIES.join(', ')}; got "${inert(frequency)}"`,
    );
  }
  if (!(MACIE_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(
      `--format must be one of ${MACIE_FORMATS.join(', ')}; got "${inert(flags.format)}"`,
    );
  }
  const name = flags.name ?? DEFAULT_JOB_NAME;
  if (name.trim() === '' || name.length > MAX_NAME) {
    throw new UsageError(`--name must be 1 to ${MAX_NAME} characters`);
  }
  const region = flags.region?.trim() || env.AWS_REGION?.trim();
  if (!region) throw new UsageError('macie schedule needs --region REGION or AWS_REGION');
  return {
    region,
    name,
    frequency: frequency as ScanFrequency,
    excludeTags: flags.excludeTags.map(parseTag),
    dryRun: flags.dryRun,
    format: flags.format as MacieFormat,
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

/** `KEY=VALUE`, split at the first `=`: values may hold `=`; Macie matches both exactly. */
function parseTag(text: string): TagPair {
  const at = text.indexOf('=');
  const key = at < 0 ? '' : text.slice(0, at);
  const value = at < 0 ? '' : text.slice(at + 1);
  if (at < 0 || key.trim() === '' || value === '') {
    throw new UsageError(
      `--exclude-tag takes KEY=VALUE with a non-empty key and value; got "${inert(text)}"`,
    );
  }
  if (key.length > MAX_TAG_KEY || value.length > MAX_TAG_VALUE) {
    throw new UsageError(
      `--exclude-tag: tag keys have at most ${MAX_TAG_KEY} characters and values ${MAX_TAG_VALUE}`,
    );
  }
  return { key, value };
}

/**
 * Makes sure the scheduled Macie classification job exists: finds it by name
 * and leaves an existing one alone; otherwise creates it (or, with `dryRun`,
 * prints what it would create).
 *
 * @returns 0 when the job exists, was created or would be created; 2 when AWS
 *   refuses or Macie is not enabled in the region.
 */
export async function runMacieSchedule(
  options: MacieScheduleOptions,
  deps: MacieScheduleDeps = { macieAws: awsAdapters },
): Promise<number> {
  const aws = deps.macieAws(options.region);
  try {
    const accountId = await attempt(
      options,
      "look up the caller's account (STS GetCallerIdentity)",
      () => aws.callerAccountId(),
    );
    const input = scheduledScanJob({
      name: options.name,
      accountId,
      frequency: options.frequency,
      excludeTags: options.excludeTags,
    });
    const existing = await attempt(
      options,
      'list the classification jobs (ListClassificationJobs)',
      () => aws.jobs.findByName(options.name),
    );
    if (existing !== undefined) {
      options.stdout(report(options, { action: 'exists', input, existing }));
    } else if (options.dryRun) {
      options.stdout(report(options, { action: 'would-create', input }));
    } else {
      const created = await attempt(options, 'create the job (CreateClassificationJob)', () =>
        aws.jobs.create(input),
      );
      options.stdout(report(options, { action: 'created', input, created }));
    }
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof MacieCommandError)) throw error;
    options.stderr(`bucket-classification: ${inert(error.message, MAX_MESSAGE)}\n`);
    return EXIT_USAGE;
  } finally {
    aws.close();
  }
}

/** The real adapters: the SDK's default credentials and endpoints, Macie and STS in `region`. */
export function awsAdapters(region: string): MacieAws {
  const macie = new Macie2Client({ region });
  const sts = new STSClient({ region });
  const caller = new StsCallerAccount(sts);
  return {
    callerAccountId: () => caller.accountId(),
    jobs: new MacieClassificationJobs(macie),
    close() {
      macie.destroy();
      sts.destroy();
    },
  };
}

/** An AWS call failed; the message says which and why. */
class MacieCommandError extends Error {
  override readonly name = 'MacieCommandError';
}

/** The one place AWS errors become messages. */
async function attempt<T>(
  options: MacieScheduleOptions,
  what: string,
  action: () => Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (isMacieNotEnabled(error)) {
      throw new MacieCommandError(
        `Macie is not enabled in ${options.region}: enable it (or deploy the stack with enableMacie) and run again.`,
        { cause: error },
      );
    }
    const { name, message } = error as Error;
    throw new MacieCommandError(`macie schedule: could not ${what}: ${name}: ${message}`, {
      cause: error,
    });
  }
}

type Outcome =
  | {
      readonly action: 'exists';
      readonly input: ClassificationJobInput;
      readonly existing: ExistingJob;
    }
  | { readonly action: 'would-create'; readonly input: ClassificationJobInput }
  | {
      readonly action: 'created';
      readonly input: ClassificationJobInput;
      readonly created: CreatedJob;
    };

function report(options: MacieScheduleOptions, outcome: Outcome): string {
  return options.format === 'json' ? jsonReport(options, outcome) : textReport(options, outcome);
}

function jsonReport(options: MacieScheduleOptions, outcome: Outcome): string {
  const existing =
    outcome.action === 'exists'
      ? {
          id: outcome.existing.id,
          name: outcome.existing.name,
          status: outcome.existing.status,
          jobType: outcome.existing.jobType ?? null,
          schedule: outcome.existing.schedule ?? null,
          createdAt: outcome.existing.createdAt?.toISOString() ?? null,
          matchesRequest: outcome.existing.clientToken === outcome.input.clientToken,
        }
      : null;
  const created =
    outcome.action === 'created'
      ? { id: outcome.created.id, arn: outcome.created.arn ?? null }
      : null;
  const document = {
    action: outcome.action,
    dryRun: options.dryRun,
    region: options.region,
    existing,
    created,
    createInput: outcome.input,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function textReport(options: MacieScheduleOptions, outcome: Outcome): string {
  const name = `"${inert(options.name)}"`;
  const where = inert(options.region);
  const lines: string[] = [];
  switch (outcome.action) {
    case 'exists': {
      const job = outcome.existing;
      lines.push(
        `${options.dryRun ? 'Dry run: ' : ''}Macie classification job ${name} already exists in ${where}: ` +
          `id ${inert(job.id)}, status ${inert(job.status)}, schedule ${describeSchedule(job.schedule, job.jobType)}.`,
        options.dryRun ? 'A real run would change nothing.' : 'Nothing changed.',
      );
      if (job.clientToken !== outcome.input.clientToken) {
        lines.push(
          'note: it was not created by this command with these options. Macie jobs cannot be changed: ' +
            `to replace it, cancel it (aws macie2 update-classification-job --job-id ${inert(job.id)} ` +
            '--job-status CANCELLED) and run this command again.',
        );
      }
      break;
    }
    case 'would-create':
      lines.push(
        `Dry run: would create Macie classification job ${name} in ${where}; nothing was created.`,
        ...summary(outcome.input),
        'Only read calls were made (STS GetCallerIdentity, Macie ListClassificationJobs): no job by that name exists yet.',
        'Run again without --dry-run to create it.',
      );
      break;
    case 'created':
      lines.push(
        `Created Macie classification job ${name} in ${where}: id ${inert(outcome.created.id)}.`,
        ...summary(outcome.input),
      );
      break;
  }
  return lines.map((line) => `${line}\n`).join('');
}

function summary(input: ClassificationJobInput): string[] {
  const criteria = input.s3JobDefinition?.bucketCriteria;
  const account = criteria?.includes?.and?.[0]?.simpleCriterion?.values?.[0] ?? '?';
  const excluded = (criteria?.excludes?.and ?? []).flatMap(
    (condition) => condition.tagCriterion?.tagValues ?? [],
  );
  const tags = Object.entries(input.tags ?? {}).map(([key, value]) => `${key}=${value}`);
  return [
    `  schedule:     ${describeSchedule(input.scheduleFrequency, input.jobType)}, first run at once`,
    `  buckets:      every S3 bucket of account ${inert(account)}, including buckets created later`,
    ...(excluded.length === 0
      ? []
      : [
          `  excluding:    buckets tagged ${excluded.map((t) => inert(`${t.key}=${t.value}`)).join(' or ')}`,
        ]),
    `  identifiers:  ${input.managedDataIdentifierSelector} managed data identifiers`,
    `  tags:         ${tags.map((text) => inert(text)).join(', ')}`,
    `  client token: ${input.clientToken}`,
  ];
}
