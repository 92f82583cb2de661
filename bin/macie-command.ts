import { Macie2Client } from '@aws-sdk/client-macie2';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type ClassificationJobInput,
  type ClassificationJobs,
  type CreatedJob,
  canonicalAccounts,
  DEFAULT_JOB_NAME,
  describeSchedule,
  type ExistingJob,
  isAccountId,
  isMacieNotEnabled,
  MacieClassificationJobs,
  type MacieMemberAccounts,
  MacieMembers,
  organizationScope,
  SCAN_FREQUENCIES,
  type ScanFrequency,
  scheduledScanJob,
  type TagPair,
} from '../lib/macie-jobs';
import { DEFAULT_FREQUENCY } from '../lib/macie-schedule';
import { StsCallerAccount } from '../lib/sts-caller-account';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import { EXIT_OK, EXIT_USAGE } from './check-command';
import { MACIE_FORMATS, type MacieFormat } from './cli-macie';
import { UsageError } from './usage-error';

/** The flags of `macie schedule`, as parsed from the command line. */
export interface MacieScheduleFlags {
  readonly frequency: string | undefined;
  readonly excludeTags: readonly string[];
  readonly name: string | undefined;
  readonly region: string | undefined;
  readonly dryRun: boolean;
  readonly format: string;
  /** Cover the Macie administrator's enabled member accounts and its own. */
  readonly organization: boolean;
  /** Each `--accounts` value: account ids separated by commas. */
  readonly accounts: readonly string[];
}

export interface MacieScheduleOptions {
  readonly region: string;
  readonly name: string;
  readonly frequency: ScanFrequency;
  readonly excludeTags: readonly TagPair[];
  /** With `--organization`: the enabled members and the administrator, or `accounts` among them. */
  readonly organization: boolean;
  /** `--accounts`, sorted and without repeats; undefined without the option. */
  readonly accounts: readonly string[] | undefined;
  /** Look, print what would be created, create nothing. */
  readonly dryRun: boolean;
  readonly format: MacieFormat;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The AWS pieces `macie schedule` works through, built for one region. */
export interface MacieAws {
  /** The caller's account (STS `GetCallerIdentity`): whose buckets are scanned by default. */
  callerAccountId(): Promise<string>;
  /** The caller's Macie member accounts, for `--organization`. */
  readonly members: MacieMemberAccounts;
  readonly jobs: ClassificationJobs;
  /** Releases the clients' connections. */
  close(): void;
}

export interface MacieScheduleDeps {
  readonly macieAws: (region: string) => MacieAws;
}

/** `macie schedule` ran and the job of that name covers other accounts: nothing was created. */
export const EXIT_CONFLICT = 1;

const MAX_NAME = 500;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/**
 * Turns the flags into options; the region comes from `--region`, else `AWS_REGION`.
 *
 * @throws UsageError for a bad frequency, tag, name, format, account id or no region.
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
    organization: flags.organization,
    accounts: flags.accounts.length === 0 ? undefined : parseAccounts(flags.accounts),
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

/** `ID,ID,...` from each `--accounts`; every entry a 12-digit id. */
function parseAccounts(values: readonly string[]): string[] {
  const ids = values.flatMap((value) => value.split(',').map((id) => id.trim()));
  const bad = ids.find((id) => !isAccountId(id));
  if (bad !== undefined) {
    throw new UsageError(
      `--accounts takes 12-digit AWS account ids separated by commas; got "${inert(bad)}"`,
    );
  }
  return canonicalAccounts(ids);
}

/**
 * Makes sure the scheduled Macie classification job exists: finds it by name
 * and leaves an existing one alone; otherwise creates it (or, with `dryRun`,
 * prints what it would create). The job covers the caller's account, the
 * `--accounts`, or with `--organization` the Macie administrator's enabled
 * members and its own account.
 *
 * @returns 0 when the job exists, was created or would be created; 1 when a
 *   job of that name covers other accounts; 2 when AWS refuses, Macie is not
 *   enabled in the region, or `--organization` finds no enabled member.
 */
export async function runMacieSchedule(
  options: MacieScheduleOptions,
  deps: MacieScheduleDeps = { macieAws: awsAdapters },
): Promise<number> {
  const aws = deps.macieAws(options.region);
  try {
    const callerId = await attempt(
      options,
      "look up the caller's account (STS GetCallerIdentity)",
      () => aws.callerAccountId(),
    );
    const accounts = await coveredAccounts(options, aws, callerId);
    const input = scheduledScanJob({
      name: options.name,
      accountIds: accounts,
      frequency: options.frequency,
      excludeTags: options.excludeTags,
    });
    const existing = await attempt(
      options,
      'list the classification jobs (ListClassificationJobs)',
      () => aws.jobs.findByName(options.name),
    );
    if (existing !== undefined && !sameAccounts(existing.accounts, accounts)) {
      options.stdout(report(options, { action: 'conflict', input, accounts, existing }));
      return EXIT_CONFLICT;
    }
    if (existing !== undefined) {
      options.stdout(report(options, { action: 'exists', input, accounts, existing }));
    } else if (options.dryRun) {
      options.stdout(report(options, { action: 'would-create', input, accounts }));
    } else {
      const created = await attempt(options, 'create the job (CreateClassificationJob)', () =>
        aws.jobs.create(input),
      );
      options.stdout(report(options, { action: 'created', input, accounts, created }));
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

/**
 * The accounts the job covers: the caller's; the `--accounts`; or with
 * `--organization` the enabled members (Macie `ListMembers`) and the caller,
 * or the `--accounts` among them.
 */
async function coveredAccounts(
  options: MacieScheduleOptions,
  aws: MacieAws,
  callerId: string,
): Promise<readonly string[]> {
  if (!options.organization) return options.accounts ?? [callerId];
  const members = await attempt(
    options,
    `list the Macie member accounts (ListMembers) of account ${callerId}; --organization runs with the credentials of the Macie administrator account`,
    () => aws.members.associated(),
  );
  const scope = organizationScope(callerId, members, options.accounts);
  if (!scope.ok) {
    throw new MacieCommandError(
      `macie schedule --organization in ${options.region}: ${scope.problem}`,
    );
  }
  return scope.accounts;
}

/** Both lists are sorted without repeats; an existing job's unknown scope is never the same. */
function sameAccounts(existing: readonly string[] | undefined, wanted: readonly string[]): boolean {
  return (
    existing !== undefined &&
    existing.length === wanted.length &&
    existing.every((id, index) => id === wanted[index])
  );
}

/** The real adapters: the SDK's default credentials and endpoints, Macie and STS in `region`. */
export function awsAdapters(region: string): MacieAws {
  const macie = new Macie2Client({ region });
  const sts = new STSClient({ region });
  const caller = new StsCallerAccount(sts);
  return {
    callerAccountId: () => caller.accountId(),
    members: new MacieMembers(macie),
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

type Outcome = { readonly input: ClassificationJobInput; readonly accounts: readonly string[] } & (
  | { readonly action: 'exists' | 'conflict'; readonly existing: ExistingJob }
  | { readonly action: 'would-create' }
  | { readonly action: 'created'; readonly created: CreatedJob }
);

function report(options: MacieScheduleOptions, outcome: Outcome): string {
  return options.format === 'json' ? jsonReport(options, outcome) : textReport(options, outcome);
}

function jsonReport(options: MacieScheduleOptions, outcome: Outcome): string {
  const existing =
    outcome.action === 'exists' || outcome.action === 'conflict'
      ? {
          id: outcome.existing.id,
          name: outcome.existing.name,
          status: outcome.existing.status,
          jobType: outcome.existing.jobType ?? null,
          schedule: outcome.existing.schedule ?? null,
          createdAt: outcome.existing.createdAt?.toISOString() ?? null,
          accounts: outcome.existing.accounts ?? null,
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
    scope: scopeName(options),
    accounts: outcome.accounts,
    existing,
    created,
    createInput: outcome.input,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function scopeName(options: MacieScheduleOptions): 'organization' | 'accounts' | 'caller' {
  if (options.organization) return 'organization';
  return options.accounts === undefined ? 'caller' : 'accounts';
}

function textReport(options: MacieScheduleOptions, outcome: Outcome): string {
  const name = `"${inert(options.name)}"`;
  const where = inert(options.region);
  const dryRun = options.dryRun ? 'Dry run: ' : '';
  const lines: string[] = [];
  switch (outcome.action) {
    case 'exists': {
      const job = outcome.existing;
      lines.push(
        `${dryRun}Macie classification job ${name} already exists in ${where}: ` +
          `id ${inert(job.id)}, status ${inert(job.status)}, schedule ${describeSchedule(job.schedule, job.jobType)}.`,
        `  accounts:     ${describeAccounts(outcome.accounts)}`,
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
    case 'conflict': {
      const job = outcome.existing;
      lines.push(
        `${dryRun}Macie classification job ${name} already exists in ${where} and covers other accounts: ` +
          `id ${inert(job.id)}, status ${inert(job.status)}, schedule ${describeSchedule(job.schedule, job.jobType)}.`,
        `  it covers:    ${job.accounts === undefined ? 'buckets not chosen by account id alone (no single ACCOUNT_ID condition)' : describeAccounts(job.accounts)}`,
        `  asked for:    ${describeAccounts(outcome.accounts)}`,
        ...(job.accounts === undefined ? [] : accountDifferences(job.accounts, outcome.accounts)),
        'Nothing was created. Macie jobs cannot be changed: run again with another --name, or cancel the old job ' +
          `(aws macie2 update-classification-job --job-id ${inert(job.id)} --job-status CANCELLED) and run this command again.`,
      );
      break;
    }
    case 'would-create':
      lines.push(
        `Dry run: would create Macie classification job ${name} in ${where}; nothing was created.`,
        ...summary(outcome.input, outcome.accounts),
        `Only read calls were made (${readCalls(options)}): no job by that name exists yet.`,
        'Run again without --dry-run to create it.',
      );
      break;
    case 'created':
      lines.push(
        `Created Macie classification job ${name} in ${where}: id ${inert(outcome.created.id)}.`,
        ...summary(outcome.input, outcome.accounts),
      );
      break;
  }
  return lines.map((line) => `${line}\n`).join('');
}

function readCalls(options: MacieScheduleOptions): string {
  return options.organization
    ? 'STS GetCallerIdentity, Macie ListMembers and ListClassificationJobs'
    : 'STS GetCallerIdentity, Macie ListClassificationJobs';
}

/** `account 111122223333`, or `3 accounts: 111122223333, ...`; every id, so a dry run shows the whole scope. */
function describeAccounts(accounts: readonly string[]): string {
  return accounts.length === 1
    ? `account ${inert(accounts[0] ?? '')}`
    : `${accounts.length} accounts: ${listAccounts(accounts)}`;
}

/** An existing job's values were written by whoever made it: inert, like any untrusted text. */
function listAccounts(accounts: readonly string[]): string {
  return accounts.map((id) => inert(id)).join(', ');
}

function accountDifferences(existing: readonly string[], wanted: readonly string[]): string[] {
  const missing = wanted.filter((id) => !existing.includes(id));
  const extra = existing.filter((id) => !wanted.includes(id));
  return [
    ...(missing.length === 0 ? [] : [`  not covered:  ${listAccounts(missing)}`]),
    ...(extra.length === 0 ? [] : [`  not asked:    ${listAccounts(extra)}`]),
  ];
}

function summary(input: ClassificationJobInput, accounts: readonly string[]): string[] {
  const excluded = (input.s3JobDefinition?.bucketCriteria?.excludes?.and ?? []).flatMap(
    (condition) => condition.tagCriterion?.tagValues ?? [],
  );
  const tags = Object.entries(input.tags ?? {}).map(([key, value]) => `${key}=${value}`);
  const whose =
    accounts.length === 1 ? `account ${inert(accounts[0] ?? '')}` : `${accounts.length} accounts`;
  return [
    `  schedule:     ${describeSchedule(input.scheduleFrequency, input.jobType)}, first run at once`,
    `  buckets:      every S3 bucket of ${whose}, including buckets created later`,
    ...(accounts.length === 1 ? [] : [`  accounts:     ${listAccounts(accounts)}`]),
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
