import { DEFAULT_MEMBER_ROLE_NAME } from '../lib/member-credentials';
import {
  parseAccountList,
  parseRoleName,
  type TopicOptInSettings,
  topicOptInFromEnv,
} from '../lib/settings';
import { tagKeysFromEnv } from '../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import type { Policy } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import {
  type BucketExemptions,
  exemptionAnnotation,
  NO_EXEMPTIONS,
  parseExemptions,
} from '../rules/bucket-exemption';
import { judgeBucketTags, type TagRequirements } from '../rules/required-tags';
import { EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE } from './check-command';
import { inputLimits } from './input-limits';
import { csvCell, FORMATS, type Format, formatTable } from './report';
import { loadTagsFile, type TagsByBucket } from './tags-file';
import {
  type AccountScope,
  awsAdapters,
  type BucketTagsResult,
  type LiveAwsFactory,
  LiveReadError,
  type NotSwept,
  sweepLive,
} from './tags-sweep';
import { UsageError } from './usage-error';

export type {
  AccountAws,
  AccountScope,
  BucketTagsResult,
  LiveAws,
  LiveAwsFactory,
  NotSwept,
} from './tags-sweep';
export { awsAdapters, TAG_READ_CONCURRENCY } from './tags-sweep';

/** Where the buckets and their tags come from. */
export type TagsInput =
  | {
      readonly kind: 'file';
      readonly tags: TagsByBucket;
      /** The buckets' account (`--account`); needed only without allowed topic accounts. */
      readonly accountId: string | undefined;
    }
  | {
      readonly kind: 'live';
      readonly region: string;
      /** The caller's account, `--accounts` or `--organization`. */
      readonly scope: AccountScope;
      /** The role each member account holds (`--member-role`, else `MEMBER_ROLE_NAME`). */
      readonly memberRoleName: string;
    };

export interface TagsCheckOptions {
  readonly input: TagsInput;
  readonly policy: Policy;
  readonly requirements: TagRequirements;
  /** Buckets exempt from declaring a classification (`--exempt`, the rule's `exemptBuckets`). */
  readonly exemptions?: BucketExemptions;
  /** The tag a team topic must carry (`TOPIC_OPT_IN_TAG_KEY` / `TOPIC_OPT_IN_TAG_VALUE`); checked with --live. */
  readonly topicOptIn: TopicOptInSettings;
  readonly format: Format;
  /** Exit 1 when any bucket is NON_COMPLIANT. */
  readonly fail: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface TagsCheckDeps {
  readonly liveAws: LiveAwsFactory;
}

export interface TagsSummary {
  readonly buckets: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  /** Buckets a pattern of `--exempt` names: NOT_APPLICABLE, neither compliant nor not. */
  readonly exempt: number;
  /** Buckets whose tags could not be read (counted as non-compliant too). */
  readonly unreadable: number;
  /** The buckets' account, when there is one (not with `--accounts` or `--organization`). */
  readonly accountId: string | null;
  /** Whether topics in the buckets' account were looked up (only with `--live`). */
  readonly topicExistenceChecked: boolean;
  /** With `--accounts` or `--organization`: how many accounts were and were not swept. */
  readonly accounts?: AccountsSummary;
}

export interface AccountsSummary {
  readonly swept: number;
  /** Accounts whose buckets could not be listed; the sweep is incomplete. */
  readonly notSwept: number;
  /** `--organization`: accounts that are not ACTIVE, left out. */
  readonly leftOut: number;
}

/** The flags of `tags`, as parsed from the command line. */
export interface TagsFlags {
  readonly tags: string | undefined;
  readonly live: boolean;
  readonly account: string | undefined;
  readonly accounts: string | undefined;
  readonly organization: boolean;
  readonly memberRole: string | undefined;
  readonly region: string | undefined;
  readonly allowedTopicAccounts: string | undefined;
  readonly requireTeam: boolean;
  /** Comma-separated bucket name patterns, as the rule parameter `exemptBuckets`. */
  readonly exempt?: string | undefined;
  readonly policy: string | undefined;
  readonly format: string;
  readonly fail: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Turns the flags into options: checks how they combine, reads the policy and
 * the tags file. Tag keys, the default allowed topic accounts and the member role's
 * name come from `env` (the names the Lambda functions read).
 *
 * @throws UsageError for flags that do not combine or an unreadable tags file;
 *   PolicyError for an invalid policy.
 */
export function tagsCheckOptions(
  flags: TagsFlags,
  env: NodeJS.ProcessEnv,
  io: Pick<TagsCheckOptions, 'stdout' | 'stderr'>,
): TagsCheckOptions {
  if (flags.live === (flags.tags !== undefined)) {
    throw new UsageError(
      flags.live
        ? 'tags takes either --tags FILE or --live, not both'
        : "tags needs --tags FILE (offline) or --live (the caller's buckets in AWS)",
    );
  }
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${flags.format}"`);
  }
  const allowedTopicAccounts =
    flags.allowedTopicAccounts === undefined
      ? accounts(env.ALLOWED_TOPIC_ACCOUNTS ?? '', 'ALLOWED_TOPIC_ACCOUNTS')
      : accounts(flags.allowedTopicAccounts, '--allowed-topic-accounts');
  if (flags.allowedTopicAccounts !== undefined && allowedTopicAccounts.length === 0) {
    throw new UsageError('--allowed-topic-accounts needs at least one 12-digit account ID');
  }
  if (flags.account !== undefined && !ACCOUNT_ID.test(flags.account)) {
    throw new UsageError(`--account must be a 12-digit account ID; got "${flags.account}"`);
  }

  let input: TagsInput;
  if (flags.tags !== undefined) {
    if (flags.region !== undefined) {
      throw new UsageError('--region is for --live; a tags file has no region');
    }
    for (const [given, option] of [
      [flags.accounts !== undefined, '--accounts'],
      [flags.organization, '--organization'],
      [flags.memberRole !== undefined, '--member-role'],
    ] as const) {
      if (given)
        throw new UsageError(`${option} is for --live; a tags file's account is --account`);
    }
    if (flags.account === undefined && allowedTopicAccounts.length === 0) {
      throw new UsageError(
        "tags --tags needs --account ID (the buckets' account) or --allowed-topic-accounts ID,... " +
          '(or ALLOWED_TOPIC_ACCOUNTS): without either, the topic account cannot be judged',
      );
    }
    const limits = inputLimits({ maxRecordBytes: undefined, maxInputBytes: undefined }, env);
    input = {
      kind: 'file',
      tags: loadTagsFile(flags.tags, limits, io.stderr),
      accountId: flags.account,
    };
  } else {
    if (flags.account !== undefined) {
      throw new UsageError(
        "--account is for --tags; --live uses the caller's account, or --accounts ID,...",
      );
    }
    const region = flags.region ?? env.AWS_REGION?.trim();
    if (!region) throw new UsageError('tags --live needs --region REGION or AWS_REGION');
    input = { kind: 'live', region, ...liveScope(flags, env) };
  }

  return {
    input,
    policy: loadPolicy(flags.policy ?? DEFAULT_POLICY_FILE),
    requirements: {
      keys: tagKeysFromEnv(env),
      allowedTopicAccounts,
      requireTeam: flags.requireTeam,
    },
    exemptions: usage(() => parseExemptions(flags.exempt, '--exempt')),
    topicOptIn: usage(() => topicOptInFromEnv(env)),
    format: flags.format as Format,
    fail: flags.fail,
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

/** Which accounts `--live` sweeps, and through which role. */
function liveScope(
  flags: TagsFlags,
  env: NodeJS.ProcessEnv,
): { scope: AccountScope; memberRoleName: string } {
  if (flags.accounts !== undefined && flags.organization) {
    throw new UsageError(
      '--accounts and --organization do not combine: give the accounts, or sweep the whole organisation',
    );
  }
  if (flags.accounts === undefined && !flags.organization) {
    if (flags.memberRole !== undefined) {
      throw new UsageError('--member-role is for --accounts or --organization');
    }
    return { scope: { kind: 'caller' }, memberRoleName: DEFAULT_MEMBER_ROLE_NAME };
  }
  const memberRoleName =
    flags.memberRole === undefined
      ? usage(() =>
          parseRoleName(
            env.MEMBER_ROLE_NAME?.trim() || DEFAULT_MEMBER_ROLE_NAME,
            'MEMBER_ROLE_NAME',
          ),
        )
      : usage(() => parseRoleName(flags.memberRole as string, '--member-role'));
  if (flags.organization) return { scope: { kind: 'organization' }, memberRoleName };
  const accountIds = [...new Set(accounts(flags.accounts as string, '--accounts'))];
  if (accountIds.length === 0) {
    throw new UsageError('--accounts needs at least one 12-digit account ID');
  }
  return { scope: { kind: 'listed', accountIds }, memberRoleName };
}

/**
 * Judges every bucket's tags as the Config rule `checkBucketTags` does and
 * writes the report.
 *
 * @returns the exit code: 2 when `--live` cannot read the caller's account, the
 *   organisation's accounts or (alone) the caller's buckets, or when an account of
 *   `--accounts` or `--organization` could not be swept (the sweep is incomplete; the
 *   other accounts are still reported); else 1 when `fail` is set and a bucket is
 *   NON_COMPLIANT; else 0.
 */
export async function runTagsCheck(
  options: TagsCheckOptions,
  deps: TagsCheckDeps = { liveAws: awsAdapters },
): Promise<number> {
  let judged: Judged;
  if (options.input.kind === 'file') {
    options.stderr(
      'note: topic existence is not checked offline; use --live to look the topics up.\n',
    );
    judged = judgeFile(options.input.tags, options.input.accountId, options);
  } else {
    try {
      judged = await judgeLive(options.input, options, deps);
    } catch (error) {
      if (!(error instanceof LiveReadError)) throw error;
      options.stderr(`bucket-classification: ${inert(error.message, MAX_MESSAGE)}\n`);
      return EXIT_USAGE;
    }
  }

  const results = judged.results
    .map((result) => exempted(result, options.exemptions ?? NO_EXEMPTIONS))
    .sort(
      (a, b) =>
        rank(b) - rank(a) ||
        compare(a.accountId ?? '', b.accountId ?? '') ||
        compare(a.bucket, b.bucket),
    );
  const nonCompliant = results.filter((r) => r.compliance === 'NON_COMPLIANT').length;
  const exempt = results.filter((r) => r.compliance === 'NOT_APPLICABLE').length;
  const summary: TagsSummary = {
    buckets: results.length,
    compliant: results.length - nonCompliant - exempt,
    nonCompliant,
    exempt,
    unreadable: judged.unreadable,
    accountId: judged.accountId,
    topicExistenceChecked: options.input.kind === 'live',
    ...(judged.accounts ? { accounts: judged.accounts.summary } : {}),
  };
  options.stdout(report(options.format, results, summary, judged.accounts));
  // An incomplete sweep cannot show that every bucket is compliant.
  if (judged.accounts && judged.accounts.notSwept.length > 0) return EXIT_USAGE;
  return options.fail && nonCompliant > 0 ? EXIT_THRESHOLD : EXIT_OK;
}

/** A result as the rule reports it when a pattern of `exemptions` names its bucket. */
function exempted(result: BucketTagsResult, exemptions: BucketExemptions): BucketTagsResult {
  const pattern = exemptions.exemptionOf(result.bucket);
  if (pattern === undefined) return result;
  return {
    ...result,
    compliance: 'NOT_APPLICABLE',
    annotation: exemptionAnnotation(pattern),
    problems: [],
  };
}

interface Judged {
  readonly results: BucketTagsResult[];
  readonly accountId: string | null;
  readonly unreadable: number;
  /** Present when the sweep spans accounts. */
  readonly accounts?: AccountsReport;
}

/** The accounts of a multi-account sweep, as the outputs show them. */
interface AccountsReport {
  readonly summary: AccountsSummary;
  readonly notSwept: readonly NotSwept[];
  readonly leftOut: ReadonlyArray<{ readonly accountId: string; readonly state: string }>;
}

function judgeFile(
  tags: TagsByBucket,
  accountId: string | undefined,
  options: TagsCheckOptions,
): Judged {
  // Without --account there are allowed topic accounts, and then the bucket's own
  // account plays no part in the judgement.
  const bucketAccount = accountId ?? '';
  const results = [...tags].map(([bucket, bucketTags]) => ({
    bucket,
    ...judgeBucketTags(bucketTags, bucketAccount, options.policy, options.requirements),
  }));
  return { results, accountId: accountId ?? null, unreadable: 0 };
}

async function judgeLive(
  input: Extract<TagsInput, { kind: 'live' }>,
  options: TagsCheckOptions,
  deps: TagsCheckDeps,
): Promise<Judged> {
  const swept = await sweepLive(
    {
      region: input.region,
      scope: input.scope,
      memberRoleName: input.memberRoleName,
      policy: options.policy,
      requirements: options.requirements,
      topicOptIn: options.topicOptIn,
      stderr: options.stderr,
    },
    deps.liveAws,
  );
  if (input.scope.kind === 'caller') {
    return {
      results: swept.results,
      accountId: swept.callerAccountId,
      unreadable: swept.unreadable,
    };
  }
  return {
    results: swept.results,
    accountId: null,
    unreadable: swept.unreadable,
    accounts: {
      summary: {
        swept: swept.sweptAccounts.length,
        notSwept: swept.notSwept.length,
        leftOut: swept.leftOut.length,
      },
      notSwept: swept.notSwept,
      leftOut: swept.leftOut,
    },
  };
}

/** What an account that was not swept shows in the compliance column. */
export const NOT_SWEPT = 'NOT_SWEPT';

function report(
  format: Format,
  results: readonly BucketTagsResult[],
  summary: TagsSummary,
  accounts: AccountsReport | undefined,
): string {
  if (accounts) return accountsReport(format, results, summary, accounts);
  switch (format) {
    case 'json':
      return `{"results":[${results.map((r) => `\n${JSON.stringify(r)}`).join(',')}\n],\n"summary":${JSON.stringify(summary)}}\n`;
    case 'csv':
      return ['bucket,compliance,annotation', ...results.map(csvRow)]
        .map((line) => `${line}\n`)
        .join('');
    case 'table':
      return `${formatTable([
        ['BUCKET', 'COMPLIANCE', 'ANNOTATION'],
        ...results.map((r) => [r.bucket, r.compliance, r.annotation]),
      ])}\n${totals(summary)}\n`;
  }
}

/**
 * One report for every account: an account column, and a row per account that
 * could not be swept (first, with `NOT_SWEPT` and the reason) so that it cannot be
 * overlooked.
 */
function accountsReport(
  format: Format,
  results: readonly BucketTagsResult[],
  summary: TagsSummary,
  accounts: AccountsReport,
): string {
  const notSwept = [...accounts.notSwept].sort((a, b) => compare(a.accountId, b.accountId));
  switch (format) {
    case 'json':
      return (
        `{"results":[${results.map((r) => `\n${JSON.stringify(r)}`).join(',')}\n],\n` +
        `"notSwept":${JSON.stringify(notSwept.map((n) => ({ ...n, error: inert(n.error, MAX_MESSAGE) })))},\n` +
        `"leftOut":${JSON.stringify(accounts.leftOut)},\n` +
        `"summary":${JSON.stringify(summary)}}\n`
      );
    case 'csv':
      return [
        'account,bucket,compliance,annotation',
        ...notSwept.map((n) => [n.accountId, '', NOT_SWEPT, n.error].map(csvCell).join(',')),
        ...results.map((r) =>
          [r.accountId ?? '', r.bucket, r.compliance, r.annotation].map(csvCell).join(','),
        ),
      ]
        .map((line) => `${line}\n`)
        .join('');
    case 'table':
      return `${formatTable([
        ['ACCOUNT', 'BUCKET', 'COMPLIANCE', 'ANNOTATION'],
        ...notSwept.map((n) => [n.accountId, '-', NOT_SWEPT, n.error]),
        ...results.map((r) => [r.accountId ?? '', r.bucket, r.compliance, r.annotation]),
      ])}\n${accountTotals(summary, accounts.summary)}\n`;
  }
}

function csvRow(result: BucketTagsResult): string {
  return [result.bucket, result.compliance, result.annotation].map(csvCell).join(',');
}

function totals(summary: TagsSummary): string {
  const { buckets, compliant, nonCompliant } = summary;
  return `${buckets} bucket${buckets === 1 ? '' : 's'}: ${compliant} compliant, ${nonCompliant} non-compliant${exemptText(summary)}.`;
}

function exemptText(summary: TagsSummary): string {
  return summary.exempt === 0 ? '' : `, ${summary.exempt} exempt`;
}

function accountTotals(summary: TagsSummary, accounts: AccountsSummary): string {
  const { buckets, compliant, nonCompliant } = summary;
  const { swept, notSwept, leftOut } = accounts;
  const asked = swept + notSwept;
  const where =
    notSwept === 0
      ? `${swept} account${swept === 1 ? '' : 's'}`
      : `${swept} of ${asked} account${asked === 1 ? '' : 's'}`;
  const lines = [
    `${buckets} bucket${buckets === 1 ? '' : 's'} in ${where}: ${compliant} compliant, ${nonCompliant} non-compliant${exemptText(summary)}.`,
  ];
  if (notSwept > 0) {
    lines.push(
      `${notSwept} account${notSwept === 1 ? '' : 's'} not swept (${NOT_SWEPT} above): the sweep is incomplete.`,
    );
  }
  if (leftOut > 0) {
    lines.push(
      `${leftOut} account${leftOut === 1 ? '' : 's'} of the organisation not ACTIVE, left out.`,
    );
  }
  return lines.join('\n');
}

/** Account lists as the Lambda functions read them; a bad one is a usage error here. */
function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function accounts(text: string, source: string): string[] {
  return usage(() => parseAccountList(text, source));
}

function rank(result: BucketTagsResult): number {
  return result.compliance === 'NON_COMPLIANT' ? 1 : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
