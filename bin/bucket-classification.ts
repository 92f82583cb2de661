#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidFileError } from '../lib/errors';
import { tagKeysFromEnv } from '../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import { DEFAULT_WAIVERS_FILE, loadWaivers } from '../policies/load-waivers';
import { SEVERITIES, type Severity } from '../policies/policy';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import { EXIT_OK, EXIT_USAGE, runCheck } from './check-command';
import { isSeverity } from './check-result';
import { inputLimits } from './input-limits';
import {
  ledgerResolveOptions,
  ledgerShowOptions,
  runLedgerResolve,
  runLedgerShow,
} from './ledger-command';
import { macieScheduleOptions, runMacieSchedule } from './macie-command';
import { runTopicPolicy, topicPolicyOptions } from './onboarding-command';
import { describePolicy, explainType, policySchemaText } from './policy-command';
import { policyDiffOptions, runPolicyDiff } from './policy-diff-command';
import { createProgress } from './progress';
import { FORMATS, type Format } from './report';
import { runTagsCheck, tagsCheckOptions } from './tags-command';
import { loadTagsFile } from './tags-file';
import { UsageError } from './usage-error';
import {
  parseExpiringDays,
  parseWaiversFormat,
  runWaiversList,
  runWaiversValidate,
} from './waivers-command';

const USAGE = `Usage:
  bucket-classification check <path|dir|->... [--policy FILE] [--tags FILE]
                              [--format table|json|csv] [--fail-on Low|Medium|High|Critical]
                              [--max-record-bytes SIZE] [--max-input-bytes SIZE]
  bucket-classification tags --tags FILE [--account ID] [--allowed-topic-accounts ID,...]
                             [--require-team] [--policy FILE] [--format table|json|csv] [--fail]
  bucket-classification tags --live [--accounts ID,... | --organization] [--member-role NAME]
                             [--region REGION] [--allowed-topic-accounts ID,...]
                             [--require-team] [--policy FILE] [--format table|json|csv] [--fail]
  bucket-classification onboarding topic-policy --topic ARN --central-account ID
                                               [--role-path /bucket-classification/] [--format text|json]
  bucket-classification policy validate [FILE]
  bucket-classification policy explain <TYPE> [--policy FILE] [--category CATEGORY] [--custom]
  bucket-classification policy schema
  bucket-classification policy diff <OLD> <NEW> --findings <path|dir|->... [--tags FILE]
                                    [--format table|json|markdown] [--fail-on-new SEVERITY]
  bucket-classification waivers validate [FILE]
  bucket-classification waivers list [FILE] [--format table|json|csv] [--expiring DAYS]
  bucket-classification macie schedule [--frequency daily|weekly|monthly] [--exclude-tag KEY=VALUE]...
                                       [--organization] [--accounts ID,...]
                                       [--name NAME] [--region REGION] [--dry-run] [--format text|json]
  bucket-classification ledger show [--table NAME] [--team T] [--bucket B]
                                    [--format table|json|csv] [--region R] [--policy FILE] [--waivers FILE]
  bucket-classification ledger resolve <bucket> --reason TEXT [--account ID] [--table NAME]
                                       [--by NAME] [--notify|--no-notify] [--region R] [--policy FILE]
                                       [--waivers FILE]
  bucket-classification --help | --version

check     Judges Amazon Macie findings (EventBridge events, GetFindings output,
          console exports, JSON Lines of findings or discovery results, .gz too)
          against the classification each bucket declares in its tags.
          Exit 0; 1 when a result reaches --fail-on; 2 on usage errors or unreadable input.
          A line or JSON document (and a tags file) may hold --max-record-bytes (default
          64MiB), an input --max-input-bytes once decompressed (default 1GiB); the
          variables BUCKET_CLASSIFICATION_MAX_RECORD_BYTES and ..._MAX_INPUT_BYTES set them too.
tags      Says which buckets the AWS Config rule checkBucketTags would find
          NON_COMPLIANT, and why: the buckets of a tags file (the buckets' account
          is --account), or with --live the caller's buckets in a region, read with
          the caller's AWS credentials (topics in that account are looked up too).
          --accounts ID,... or --organization (its ACTIVE accounts, from AWS
          Organizations) sweep several accounts, each through its member role
          (--member-role, else MEMBER_ROLE_NAME, default BucketClassificationMember;
          the caller's own account with its own credentials), in one report with an
          account column; an account that cannot be swept is a NOT_SWEPT row.
          Exit 0; 1 with --fail when a bucket is NON_COMPLIANT; 2 on usage errors,
          an unreadable tags file, buckets that cannot be listed or an account not swept.
onboarding
          topic-policy: what a team adds so that the central functions may publish to
          its topic: the topic-policy statement for the central account's roles under
          --role-path, the command that tags the topic to opt in, and the key-policy
          statement a topic encrypted with a customer managed KMS key needs.
          Exit 0; 2 on usage errors.
policy    Validates a policy file, explains which level a data type needs, or
          prints the JSON Schema of policy files. diff: judges the same findings
          under two policies (a file, or "default") and shows, by team, the
          violations that appear, go and change severity. Exit 0; 1 when
          --fail-on-new is given and a new violation or a raised severity reaches
          it; 2 on usage errors, an invalid policy or unreadable input.
waivers   validate: checks a waivers file (default: the one shipped beside the
          default policy) and counts its active and expired waivers. list: shows
          each waiver with its expiry and days left; --expiring DAYS only the
          active ones ending within DAYS days. Exit 0; 2 on usage errors or an
          invalid waivers file.
macie     schedule: creates the scheduled Macie classification job that scans every
          bucket of the caller's account (CloudFormation has no resource for it), once:
          a job of that name that is not cancelled is left alone. --accounts scans
          those accounts instead; --organization (from the Macie administrator account)
          its enabled member accounts and its own, or the --accounts among them.
          --dry-run prints the job and the accounts and creates nothing. Exit 0; 1 when
          a job of that name covers other accounts; 2 on usage errors, no enabled member
          for --organization, Macie not enabled in the region or any other AWS error.
ledger    show: one row per bucket of the violation ledger (DynamoDB table from --table
          or LEDGER_TABLE), judged now. resolve: records that a bucket's open violations
          were dealt with (who: --by, default the caller's AWS identity; why: --reason)
          and sends the team the resolved notice (needs SECURITY_TOPIC_ARN) unless
          --no-notify. Exit 0; 2 on usage errors, a bucket not in the ledger (or in it
          for several accounts without --account) or any AWS error.

Tag keys come from CLASSIFICATION_TAG_KEY, TOPIC_TAG_KEY and TEAM_TAG_KEY
(defaults DataClassification, SupportSNSTopic, Team); allowed topic accounts from
ALLOWED_TOPIC_ACCOUNTS unless --allowed-topic-accounts is given.`;

interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stderrIsTty: boolean;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'tags':
        return await tags(rest, io);
      case 'onboarding':
        return onboarding(rest, io);
      case 'policy':
        return rest[0] === 'diff' ? await policyDiff(rest.slice(1), io) : policy(rest, io);
      case 'waivers':
        return waivers(rest, io);
      case 'macie':
        return await macie(rest, io);
      case 'ledger':
        return await ledger(rest, io);
      case '--version':
      case '-v':
        io.stdout(`${version()}\n`);
        return EXIT_OK;
      case '--help':
      case '-h':
      case 'help':
        io.stdout(`${USAGE}\n`);
        return EXIT_OK;
      case undefined:
        throw new UsageError('a command is required');
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidFileError) {
      io.stderr(`bucket-classification: ${errorText(error)}\n`);
      if (error instanceof UsageError) io.stderr('Run "bucket-classification --help" for usage.\n');
      return EXIT_USAGE;
    }
    throw error;
  }
}

/**
 * An error for stderr. A file error lists one problem a line and makes the file
 * name, keys and values in each inert as it is built; any other message is one
 * line, so a line break in it is untrusted.
 */
function errorText(error: Error): string {
  return error instanceof InvalidFileError
    ? inertLines(error.message.split('\n'))
    : inert(error.message, MAX_MESSAGE);
}

async function check(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: 'string' },
    tags: { type: 'string' },
    format: { type: 'string', default: 'table' },
    'fail-on': { type: 'string' },
    'max-record-bytes': { type: 'string' },
    'max-input-bytes': { type: 'string' },
  });
  if (positionals.length === 0) {
    throw new UsageError('check needs at least one input: a file, a directory or - for stdin');
  }
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${format}"`);
  }
  const failOn = values['fail-on'] as string | undefined;
  if (failOn !== undefined && !isSeverity(failOn)) {
    throw new UsageError(`--fail-on must be one of ${SEVERITIES.join(', ')}; got "${failOn}"`);
  }
  const limits = inputLimits(
    {
      maxRecordBytes: values['max-record-bytes'] as string | undefined,
      maxInputBytes: values['max-input-bytes'] as string | undefined,
    },
    process.env,
  );
  const progress = createProgress(io.stderr, io.stderrIsTty);
  try {
    return await runCheck({
      inputs: positionals,
      limits,
      policy: loadPolicy((values.policy as string | undefined) ?? DEFAULT_POLICY_FILE),
      tags: values.tags === undefined ? new Map() : loadTagsFile(values.tags as string, limits),
      tagKeys: tagKeysFromEnv(),
      format: format as Format,
      ...(failOn === undefined ? {} : { failOn: failOn as Severity }),
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
  }
}

async function tags(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    tags: { type: 'string' },
    live: { type: 'boolean', default: false },
    account: { type: 'string' },
    accounts: { type: 'string' },
    organization: { type: 'boolean', default: false },
    'member-role': { type: 'string' },
    region: { type: 'string' },
    'allowed-topic-accounts': { type: 'string' },
    'require-team': { type: 'boolean', default: false },
    policy: { type: 'string' },
    format: { type: 'string', default: 'table' },
    fail: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) {
    throw new UsageError(`tags takes no arguments besides its options; got "${positionals[0]}"`);
  }
  const options = tagsCheckOptions(
    {
      tags: values.tags as string | undefined,
      live: values.live as boolean,
      account: values.account as string | undefined,
      accounts: values.accounts as string | undefined,
      organization: values.organization as boolean,
      memberRole: values['member-role'] as string | undefined,
      region: values.region as string | undefined,
      allowedTopicAccounts: values['allowed-topic-accounts'] as string | undefined,
      requireTeam: values['require-team'] as boolean,
      policy: values.policy as string | undefined,
      format: values.format as string,
      fail: values.fail as boolean,
    },
    process.env,
    io,
  );
  return await runTagsCheck(options);
}

function onboarding(args: readonly string[], io: Io): number {
  const [sub, ...rest] = args;
  if (sub !== 'topic-policy') {
    throw new UsageError(
      sub === undefined
        ? 'onboarding needs a subcommand: topic-policy'
        : `unknown onboarding subcommand "${sub}" (expected topic-policy)`,
    );
  }
  const { values, positionals } = parse(rest, {
    topic: { type: 'string' },
    'central-account': { type: 'string' },
    'role-path': { type: 'string' },
    format: { type: 'string', default: 'text' },
  });
  if (positionals.length > 0) {
    throw new UsageError(
      `onboarding topic-policy takes no arguments besides its options; got "${positionals[0]}"`,
    );
  }
  const options = topicPolicyOptions(
    {
      topic: values.topic as string | undefined,
      centralAccount: values['central-account'] as string | undefined,
      rolePath: values['role-path'] as string | undefined,
      format: values.format as string,
    },
    process.env,
    io,
  );
  return runTopicPolicy(options);
}

function policy(args: readonly string[], io: Io): number {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'validate': {
      const { positionals } = parse(rest, {});
      if (positionals.length > 1) throw new UsageError('policy validate takes at most one file');
      io.stdout(`${describePolicy(loadPolicy(positionals[0] ?? DEFAULT_POLICY_FILE))}\n`);
      return EXIT_OK;
    }
    case 'explain': {
      const { values, positionals } = parse(rest, {
        policy: { type: 'string' },
        category: { type: 'string' },
        custom: { type: 'boolean', default: false },
      });
      const [type, ...extra] = positionals;
      if (type === undefined || extra.length > 0) {
        throw new UsageError('policy explain takes one data type, e.g. USA_PASSPORT_NUMBER');
      }
      const loaded = loadPolicy((values.policy as string | undefined) ?? DEFAULT_POLICY_FILE);
      const category = values.category as string | undefined;
      io.stdout(
        `${explainType(loaded, type, {
          custom: values.custom as boolean,
          ...(category === undefined ? {} : { category }),
        })}\n`,
      );
      return EXIT_OK;
    }
    case 'schema':
      parse(rest, {});
      io.stdout(policySchemaText());
      return EXIT_OK;
    default:
      throw new UsageError(
        sub === undefined
          ? 'policy needs a subcommand: validate, explain, schema or diff'
          : `unknown policy subcommand "${sub}" (expected validate, explain, schema or diff)`,
      );
  }
}

async function policyDiff(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    findings: { type: 'string', multiple: true },
    tags: { type: 'string' },
    format: { type: 'string', default: 'table' },
    'fail-on-new': { type: 'string' },
  });
  const flags = {
    positionals,
    findings: (values.findings as string[] | undefined) ?? [],
    tags: values.tags as string | undefined,
    format: values.format as string,
    failOnNew: values['fail-on-new'] as string | undefined,
  };
  return await runPolicyDiff(policyDiffOptions(flags, process.env, io));
}

function waivers(args: readonly string[], io: Io): number {
  const [sub, ...rest] = args;
  const now = new Date();
  switch (sub) {
    case 'validate': {
      const { positionals } = parse(rest, {});
      if (positionals.length > 1) throw new UsageError('waivers validate takes at most one file');
      const loaded = loadWaivers(positionals[0] ?? DEFAULT_WAIVERS_FILE);
      return runWaiversValidate({ waivers: loaded, now, stdout: io.stdout });
    }
    case 'list': {
      const { values, positionals } = parse(rest, {
        format: { type: 'string', default: 'table' },
        expiring: { type: 'string' },
      });
      if (positionals.length > 1) throw new UsageError('waivers list takes at most one file');
      const format = parseWaiversFormat(values.format as string);
      const expiring = values.expiring as string | undefined;
      const days = expiring === undefined ? undefined : parseExpiringDays(expiring);
      const loaded = loadWaivers(positionals[0] ?? DEFAULT_WAIVERS_FILE);
      return runWaiversList({
        waivers: loaded,
        now,
        format,
        ...(days === undefined ? {} : { expiring: days }),
        stdout: io.stdout,
      });
    }
    default:
      throw new UsageError(
        sub === undefined
          ? 'waivers needs a subcommand: validate or list'
          : `unknown waivers subcommand "${sub}" (expected validate or list)`,
      );
  }
}

async function macie(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'schedule') {
    throw new UsageError(
      sub === undefined
        ? 'macie needs a subcommand: schedule'
        : `unknown macie subcommand "${sub}" (expected schedule)`,
    );
  }
  const { values, positionals } = parse(rest, {
    frequency: { type: 'string' },
    'exclude-tag': { type: 'string', multiple: true },
    name: { type: 'string' },
    region: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    format: { type: 'string', default: 'text' },
    organization: { type: 'boolean', default: false },
    accounts: { type: 'string', multiple: true },
  });
  if (positionals.length > 0) {
    throw new UsageError(
      `macie schedule takes no arguments besides its options; got "${positionals[0]}"`,
    );
  }
  const options = macieScheduleOptions(
    {
      frequency: values.frequency as string | undefined,
      excludeTags: (values['exclude-tag'] as string[] | undefined) ?? [],
      name: values.name as string | undefined,
      region: values.region as string | undefined,
      dryRun: values['dry-run'] as boolean,
      format: values.format as string,
      organization: values.organization as boolean,
      accounts: (values.accounts as string[] | undefined) ?? [],
    },
    process.env,
    io,
  );
  return await runMacieSchedule(options);
}

async function ledger(args: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  const common = {
    table: { type: 'string' },
    region: { type: 'string' },
    policy: { type: 'string' },
    waivers: { type: 'string' },
  } as const;
  if (sub === 'show') {
    const { values, positionals } = parse(rest, {
      ...common,
      team: { type: 'string' },
      bucket: { type: 'string' },
      format: { type: 'string', default: 'table' },
    });
    if (positionals.length > 0) {
      throw new UsageError(
        `ledger show takes no arguments besides its options; got "${positionals[0]}"`,
      );
    }
    const options = ledgerShowOptions(
      {
        table: values.table as string | undefined,
        region: values.region as string | undefined,
        policy: values.policy as string | undefined,
        waivers: values.waivers as string | undefined,
        team: values.team as string | undefined,
        bucket: values.bucket as string | undefined,
        format: values.format as string,
      },
      process.env,
      io,
    );
    return await runLedgerShow(options);
  }
  if (sub === 'resolve') {
    const { values, positionals } = parse(rest, {
      ...common,
      reason: { type: 'string' },
      account: { type: 'string' },
      by: { type: 'string' },
      notify: { type: 'boolean' },
      'no-notify': { type: 'boolean' },
    });
    if (positionals.length > 1) throw new UsageError('ledger resolve takes one bucket name');
    if (values.notify && values['no-notify']) {
      throw new UsageError('ledger resolve takes --notify or --no-notify, not both');
    }
    const options = ledgerResolveOptions(
      {
        table: values.table as string | undefined,
        region: values.region as string | undefined,
        policy: values.policy as string | undefined,
        waivers: values.waivers as string | undefined,
        bucket: positionals[0],
        account: values.account as string | undefined,
        reason: values.reason as string | undefined,
        by: values.by as string | undefined,
        notify: values['no-notify'] !== true,
      },
      process.env,
      io,
    );
    return await runLedgerResolve(options);
  }
  throw new UsageError(
    sub === undefined
      ? 'ledger needs a subcommand: show or resolve'
      : `unknown ledger subcommand "${sub}" (expected show or resolve)`,
  );
}

type OptionSpec = Record<
  string,
  { type: 'string' | 'boolean'; default?: string | boolean; multiple?: boolean }
>;

function parse(args: readonly string[], options: OptionSpec) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function version(): string {
  const manifest = path.join(__dirname, '..', '..', 'package.json');
  const fallback = path.join(__dirname, '..', 'package.json');
  for (const file of [manifest, fallback]) {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      // try the next location: compiled (dist/bin) and source (bin) layouts differ
    }
  }
  return 'unknown';
}

if (require.main === module) {
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTty: process.stderr.isTTY === true,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `bucket-classification: unexpected error: ${inert(String(error), MAX_MESSAGE)}\n`,
      );
      process.exitCode = EXIT_USAGE;
    },
  );
}
