import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type BucketInventory,
  readBucketTags,
  S3BucketInventory,
} from '../lib/s3-bucket-inventory';
import { S3TagSource, type TagSource } from '../lib/s3-tag-source';
import { parseAccountList, type TopicOptInSettings, topicOptInFromEnv } from '../lib/settings';
import {
  SnsTopicDirectory,
  type TopicDirectory,
  type TopicStatus,
  type TopicTagReader,
} from '../lib/sns-topic-directory';
import { StsCallerAccount } from '../lib/sts-caller-account';
import { tagKeysFromEnv } from '../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import type { Policy } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import {
  judgeBucketTags,
  type TagCompliance,
  type TagRequirements,
  topicToVerify,
} from '../rules/required-tags';
import { judgeTopicOptIn, type TopicOptIn } from '../rules/topic-opt-in';
import { EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE } from './check-command';
import { inputLimits } from './input-limits';
import { csvCell, FORMATS, type Format, formatTable } from './report';
import { loadTagsFile, type TagsByBucket } from './tags-file';
import { UsageError } from './usage-error';

/** Where the buckets and their tags come from. */
export type TagsInput =
  | {
      readonly kind: 'file';
      readonly tags: TagsByBucket;
      /** The buckets' account (`--account`); needed only without allowed topic accounts. */
      readonly accountId: string | undefined;
    }
  | { readonly kind: 'live'; readonly region: string };

export interface TagsCheckOptions {
  readonly input: TagsInput;
  readonly policy: Policy;
  readonly requirements: TagRequirements;
  /** The tag a team topic must carry (`TOPIC_OPT_IN_TAG_KEY` / `TOPIC_OPT_IN_TAG_VALUE`); checked with --live. */
  readonly topicOptIn: TopicOptInSettings;
  readonly format: Format;
  /** Exit 1 when any bucket is NON_COMPLIANT. */
  readonly fail: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The AWS pieces `--live` reads through, built for one region. */
export interface LiveAws {
  /** The caller's account (STS `GetCallerIdentity`). */
  callerAccountId(): Promise<string>;
  readonly inventory: BucketInventory;
  readonly tagSource: TagSource;
  /** Looks topics up and reads their tags (the opt-in tag). */
  readonly topics: TopicDirectory & TopicTagReader;
  /** Releases the clients' connections. */
  close(): void;
}

export interface TagsCheckDeps {
  readonly liveAws: (region: string) => LiveAws;
}

/** How many buckets' tags `--live` reads at once (the Config rule's default). */
export const TAG_READ_CONCURRENCY = 8;

/** One bucket's judgement, as every output format sees it. */
export interface BucketTagsResult {
  readonly bucket: string;
  readonly compliance: TagCompliance;
  readonly annotation: string;
  readonly problems: readonly string[];
}

export interface TagsSummary {
  readonly buckets: number;
  readonly compliant: number;
  readonly nonCompliant: number;
  /** Buckets whose tags could not be read (counted as non-compliant too). */
  readonly unreadable: number;
  /** The buckets' account, when known. */
  readonly accountId: string | null;
  /** Whether topics in the buckets' account were looked up (only with `--live`). */
  readonly topicExistenceChecked: boolean;
}

/** The flags of `tags`, as parsed from the command line. */
export interface TagsFlags {
  readonly tags: string | undefined;
  readonly live: boolean;
  readonly account: string | undefined;
  readonly region: string | undefined;
  readonly allowedTopicAccounts: string | undefined;
  readonly requireTeam: boolean;
  readonly policy: string | undefined;
  readonly format: string;
  readonly fail: boolean;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Turns the flags into options: checks how they combine, reads the policy and
 * the tags file. Tag keys and the default allowed topic accounts come from `env`
 * (the names the Lambda functions read).
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
    if (flags.account === undefined && allowedTopicAccounts.length === 0) {
      throw new UsageError(
        "tags --tags needs --account ID (the buckets' account) or --allowed-topic-accounts ID,... " +
          '(or ALLOWED_TOPIC_ACCOUNTS): without either, the topic account cannot be judged',
      );
    }
    const limits = inputLimits({ maxRecordBytes: undefined, maxInputBytes: undefined }, env);
    input = { kind: 'file', tags: loadTagsFile(flags.tags, limits), accountId: flags.account };
  } else {
    if (flags.account !== undefined) {
      throw new UsageError("--account is for --tags; --live uses the caller's account");
    }
    const region = flags.region ?? env.AWS_REGION?.trim();
    if (!region) throw new UsageError('tags --live needs --region REGION or AWS_REGION');
    input = { kind: 'live', region };
  }

  return {
    input,
    policy: loadPolicy(flags.policy ?? DEFAULT_POLICY_FILE),
    requirements: {
      keys: tagKeysFromEnv(env),
      allowedTopicAccounts,
      requireTeam: flags.requireTeam,
    },
    topicOptIn: usage(() => topicOptInFromEnv(env)),
    format: flags.format as Format,
    fail: flags.fail,
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

/**
 * Judges every bucket's tags as the Config rule `checkBucketTags` does and
 * writes the report.
 *
 * @returns the exit code: 2 when `--live` cannot read the account or the
 *   buckets, else 1 when `fail` is set and a bucket is NON_COMPLIANT, else 0.
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
      judged = await judgeLive(options.input.region, options, deps);
    } catch (error) {
      if (!(error instanceof LiveReadError)) throw error;
      options.stderr(`bucket-classification: ${inert(error.message, MAX_MESSAGE)}\n`);
      return EXIT_USAGE;
    }
  }

  const results = judged.results.sort((a, b) => rank(b) - rank(a) || compare(a.bucket, b.bucket));
  const nonCompliant = results.filter((r) => r.compliance === 'NON_COMPLIANT').length;
  const summary: TagsSummary = {
    buckets: results.length,
    compliant: results.length - nonCompliant,
    nonCompliant,
    unreadable: judged.unreadable,
    accountId: judged.accountId,
    topicExistenceChecked: options.input.kind === 'live',
  };
  options.stdout(report(options.format, results, summary));
  return options.fail && nonCompliant > 0 ? EXIT_THRESHOLD : EXIT_OK;
}

/** The real adapters: the SDK's default credentials and endpoints, S3 and STS in `region`. */
export function awsAdapters(region: string): LiveAws {
  const s3 = new S3Client({ region });
  const sts = new STSClient({ region });
  const caller = new StsCallerAccount(sts);
  const sns: SNSClient[] = [];
  return {
    callerAccountId: () => caller.accountId(),
    inventory: new S3BucketInventory(s3),
    // No cache: one sweep reads each bucket once.
    tagSource: new S3TagSource(s3, 0),
    topics: new SnsTopicDirectory((topicRegion) => {
      const client = new SNSClient({ region: topicRegion });
      sns.push(client);
      return client;
    }),
    close() {
      for (const client of [s3, sts, ...sns]) client.destroy();
    },
  };
}

interface Judged {
  readonly results: BucketTagsResult[];
  readonly accountId: string | null;
  readonly unreadable: number;
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

/** Thrown when `--live` cannot start: no account, no bucket list. */
class LiveReadError extends Error {
  override readonly name = 'LiveReadError';
}

async function judgeLive(
  region: string,
  options: TagsCheckOptions,
  deps: TagsCheckDeps,
): Promise<Judged> {
  const aws = deps.liveAws(region);
  try {
    const accountId = await attempt("look up the caller's account (STS GetCallerIdentity)", () =>
      aws.callerAccountId(),
    );
    const buckets = await attempt(`list the buckets in ${region}`, () =>
      aws.inventory.bucketNames(region),
    );
    const reads = await readBucketTags(buckets, aws.tagSource, TAG_READ_CONCURRENCY);
    // Only topics in the caller's account can be looked up, as in the Config rule.
    const topics = reads.map((read) =>
      'tags' in read
        ? topicToVerify(read.tags, accountId, accountId, options.requirements)
        : undefined,
    );
    const topicStatus = await lookUpTopics(
      topics.filter((arn) => arn !== undefined),
      aws.topics,
      options.topicOptIn,
      options.stderr,
    );
    const results = reads.map((read, index): BucketTagsResult => {
      if ('error' in read) return unreadable(read.bucket, read.error);
      const topic = topics[index];
      const looked = topic === undefined ? undefined : topicStatus.get(topic);
      return {
        bucket: read.bucket,
        ...judgeBucketTags(
          read.tags,
          accountId,
          options.policy,
          options.requirements,
          looked?.status,
          looked?.optIn,
        ),
      };
    });
    return { results, accountId, unreadable: reads.filter((read) => 'error' in read).length };
  } finally {
    aws.close();
  }
}

async function attempt<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const { name, message } = error as Error;
    throw new LiveReadError(`tags --live: could not ${what}: ${name}: ${message}`, {
      cause: error,
    });
  }
}

/**
 * Looks each distinct topic up once, as the Config rule does: one that does not
 * exist, is a FIFO topic, has no confirmed subscription, is in a region the
 * account cannot reach or has not opted in (its tags lack the opt-in tag) is held
 * against its buckets. One that cannot be checked, or whose tags cannot be read
 * (not authorised, or an error that outlasted the retries), is not; a warning says so.
 */
async function lookUpTopics(
  arns: readonly string[],
  topics: TopicDirectory & TopicTagReader,
  optInTag: TopicOptInSettings,
  stderr: (text: string) => void,
): Promise<Map<string, { status: TopicStatus; optIn: TopicOptIn }>> {
  const found = new Map<string, { status: TopicStatus; optIn: TopicOptIn }>();
  for (const arn of new Set(arns)) {
    const status = await topics.check(arn);
    const tags = await topics.tagsOf(arn);
    found.set(arn, { status, optIn: judgeTopicOptIn(tags, optInTag) });
    if (status.kind === 'unknown') {
      stderr(
        `warning: could not look up topic ${inert(arn)} (${inert(status.reason)}); not held against its buckets.\n`,
      );
    }
    if (tags.kind === 'unreadable') {
      stderr(
        `warning: could not read the tags of topic ${inert(arn)} (${inert(tags.reason)}); its opt-in is not held against its buckets.\n`,
      );
    }
  }
  return found;
}

const MAX_ERROR_NAME = 100;

/** Never dropped: a bucket whose tags cannot be read cannot show it is compliant. */
function unreadable(bucket: string, error: Error): BucketTagsResult {
  const name = String(error.name || 'Error').slice(0, MAX_ERROR_NAME);
  const annotation = `Tags could not be read: ${name}.`;
  return { bucket, compliance: 'NON_COMPLIANT', annotation, problems: [annotation] };
}

function report(
  format: Format,
  results: readonly BucketTagsResult[],
  summary: TagsSummary,
): string {
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

function csvRow(result: BucketTagsResult): string {
  return [result.bucket, result.compliance, result.annotation].map(csvCell).join(',');
}

function totals(summary: TagsSummary): string {
  const { buckets, compliant, nonCompliant } = summary;
  return `${buckets} bucket${buckets === 1 ? '' : 's'}: ${compliant} compliant, ${nonCompliant} non-compliant.`;
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
  try {
    return parseAccountList(text, source);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function rank(result: BucketTagsResult): number {
  return result.compliance === 'NON_COMPLIANT' ? 1 : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
