import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type CredentialsProvider,
  MemberRoleError,
  memberRoleArn,
  PerAccount,
  partitionOfRegion,
  StsMemberRoles,
} from '../lib/member-credentials';
import { type OrganizationAccount, OrganizationsAccountList } from '../lib/organization-accounts';
import {
  type BucketInventory,
  readBucketTags,
  S3BucketInventory,
} from '../lib/s3-bucket-inventory';
import { S3TagSource, type TagSource } from '../lib/s3-tag-source';
import type { TopicOptInSettings } from '../lib/settings';
import {
  SnsTopicDirectory,
  type TopicDirectory,
  type TopicStatus,
  type TopicTagReader,
} from '../lib/sns-topic-directory';
import { StsCallerAccount } from '../lib/sts-caller-account';
import type { Policy } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import {
  judgeBucketTags,
  type TagCompliance,
  type TagRequirements,
  topicToVerify,
} from '../rules/required-tags';
import { judgeTopicOptIn, type TopicOptIn } from '../rules/topic-opt-in';

/** Which accounts `tags --live` sweeps. */
export type AccountScope =
  /** The caller's own account, with the caller's credentials. */
  | { readonly kind: 'caller' }
  /** `--accounts`: these accounts, each through its member role (the caller's own without). */
  | { readonly kind: 'listed'; readonly accountIds: readonly string[] }
  /** `--organization`: the organisation's ACTIVE accounts, as for `listed`. */
  | { readonly kind: 'organization' };

/** What a sweep reads in one account. */
export interface AccountAws {
  readonly inventory: BucketInventory;
  readonly tagSource: TagSource;
  /** Looks topics up and reads their tags (the opt-in tag). */
  readonly topics: TopicDirectory & TopicTagReader;
}

/** The AWS pieces `--live` reads through, built for one region. */
export interface LiveAws {
  /** The caller's account (STS `GetCallerIdentity`). */
  callerAccountId(): Promise<string>;
  /** Every account of the caller's organisation (Organizations `ListAccounts`). */
  organizationAccounts(): Promise<OrganizationAccount[]>;
  /**
   * The adapters that act in `accountId`: the caller's credentials in the caller's
   * own account, the member role's in any other (assumed on first use, so a role
   * that cannot be assumed fails the first call with a `MemberRoleError`).
   */
  account(accountId: string): Promise<AccountAws>;
  /** Releases the clients' connections. */
  close(): void;
}

/** How the live adapters are built: for a region, with the member role's name. */
export type LiveAwsFactory = (region: string, memberRoleName: string) => LiveAws;

/** How many buckets' tags `--live` reads at once in one account (the Config rule's default). */
export const TAG_READ_CONCURRENCY = 8;

/** How many accounts a multi-account sweep reads at once. */
export const ACCOUNT_CONCURRENCY = 4;

/** Names the member role's sessions in each member account's CloudTrail. */
export const TAGS_SESSION_NAME = 'bucket-classification-cli-tags';

/** One bucket's judgement, as every output format sees it. */
export interface BucketTagsResult {
  /** The bucket's account; set when the sweep spans accounts (`--accounts`, `--organization`). */
  readonly accountId?: string;
  readonly bucket: string;
  /** NOT_APPLICABLE: exempt by a pattern of `--exempt`. */
  readonly compliance: TagCompliance | 'NOT_APPLICABLE';
  readonly annotation: string;
  readonly problems: readonly string[];
}

/** An account whose buckets could not be listed: reported, never skipped. */
export interface NotSwept {
  readonly accountId: string;
  /** The member role used, or `null` for the caller's own account (its own credentials). */
  readonly roleArn: string | null;
  /** What went wrong, naming the role and the error. */
  readonly error: string;
}

/** What a sweep found. */
export interface Swept {
  readonly results: BucketTagsResult[];
  /** Buckets whose tags could not be read (judged non-compliant). */
  readonly unreadable: number;
  /** The caller's account. */
  readonly callerAccountId: string;
  /** The accounts whose buckets were judged, in the order asked. */
  readonly sweptAccounts: string[];
  readonly notSwept: NotSwept[];
  /** `--organization`: accounts left out because they are not ACTIVE. */
  readonly leftOut: OrganizationAccount[];
}

export interface SweepOptions {
  readonly region: string;
  readonly scope: AccountScope;
  readonly memberRoleName: string;
  readonly policy: Policy;
  readonly requirements: TagRequirements;
  readonly topicOptIn: TopicOptInSettings;
  readonly stderr: (text: string) => void;
}

/**
 * Thrown when a sweep cannot start: the caller's account, the organisation's
 * accounts, or (for the caller's own account alone) its buckets cannot be read.
 */
export class LiveReadError extends Error {
  override readonly name = 'LiveReadError';
}

/**
 * Judges the buckets of every account in scope as the Config rule does, each with
 * its own account as the bucket's account (topics in it are looked up through the
 * same credentials). With several accounts, one whose buckets cannot be listed
 * (its role cannot be assumed, or listing is refused) is reported in `notSwept`
 * and on stderr; the others are still judged.
 *
 * @throws LiveReadError when the sweep cannot start.
 */
export async function sweepLive(options: SweepOptions, build: LiveAwsFactory): Promise<Swept> {
  const { region, scope } = options;
  const aws = build(region, options.memberRoleName);
  try {
    const callerAccountId = await attempt(
      "look up the caller's account (STS GetCallerIdentity)",
      () => aws.callerAccountId(),
    );
    if (scope.kind === 'caller') {
      const account = await aws.account(callerAccountId);
      const buckets = await attempt(`list the buckets in ${region}`, () =>
        account.inventory.bucketNames(region),
      );
      const judged = await judgeAccount(callerAccountId, buckets, account, options);
      return {
        ...judged,
        callerAccountId,
        sweptAccounts: [callerAccountId],
        notSwept: [],
        leftOut: [],
      };
    }

    const { accountIds, leftOut } =
      scope.kind === 'listed'
        ? { accountIds: scope.accountIds, leftOut: [] }
        : await activeAccounts(aws, options.stderr);
    const outcomes = await inTurn(accountIds, ACCOUNT_CONCURRENCY, (accountId) =>
      sweepAccount(accountId, callerAccountId, aws, options),
    );

    const results: BucketTagsResult[] = [];
    const sweptAccounts: string[] = [];
    const notSwept: NotSwept[] = [];
    let unreadable = 0;
    outcomes.forEach((outcome, index) => {
      if (outcome.notSwept) {
        notSwept.push(outcome.notSwept);
        return;
      }
      const accountId = accountIds[index] as string;
      sweptAccounts.push(accountId);
      results.push(...outcome.judged.results.map((result) => ({ accountId, ...result })));
      unreadable += outcome.judged.unreadable;
    });
    return { results, unreadable, callerAccountId, sweptAccounts, notSwept, leftOut };
  } finally {
    aws.close();
  }
}

/** The organisation's ACTIVE accounts; the others are left out, and a note on stderr names them. */
async function activeAccounts(
  aws: LiveAws,
  stderr: (text: string) => void,
): Promise<{ accountIds: string[]; leftOut: OrganizationAccount[] }> {
  const all = await attempt(
    "list the organisation's accounts (Organizations ListAccounts; run it from the management account or a delegated administrator)",
    () => aws.organizationAccounts(),
  );
  const leftOut = all.filter((account) => account.state !== 'ACTIVE');
  if (leftOut.length > 0) {
    const one = leftOut.length === 1;
    const named = leftOut.map((account) => `${account.accountId} (${account.state})`).join(', ');
    stderr(
      `note: ${leftOut.length} account${one ? '' : 's'} of the organisation ${one ? 'is' : 'are'} not ACTIVE and ${one ? 'is' : 'are'} left out: ${inert(named, MAX_MESSAGE)}.\n`,
    );
  }
  const accountIds = all
    .filter((account) => account.state === 'ACTIVE')
    .map((account) => account.accountId);
  return { accountIds, leftOut };
}

type AccountOutcome =
  | { readonly notSwept: NotSwept; readonly judged?: undefined }
  | {
      readonly notSwept?: undefined;
      readonly judged: { results: BucketTagsResult[]; unreadable: number };
    };

/**
 * One account of a multi-account sweep: its buckets judged, or why they could not
 * be listed (reported on stderr at once).
 */
async function sweepAccount(
  accountId: string,
  callerAccountId: string,
  aws: LiveAws,
  options: SweepOptions,
): Promise<AccountOutcome> {
  const roleArn =
    accountId === callerAccountId
      ? null
      : memberRoleArn(
          {
            roleName: options.memberRoleName,
            centralAccountId: callerAccountId,
            partition: partitionOfRegion(options.region),
          },
          accountId,
        );
  let account: AccountAws;
  let buckets: string[];
  try {
    account = await aws.account(accountId);
    buckets = await account.inventory.bucketNames(options.region);
  } catch (error) {
    const notSwept = { accountId, roleArn, error: notSweptReason(error, options.region, roleArn) };
    options.stderr(
      `bucket-classification: account ${accountId} not swept: ${inert(notSwept.error, MAX_MESSAGE)}\n`,
    );
    return { notSwept };
  }
  return { judged: await judgeAccount(accountId, buckets, account, options) };
}

/** Why an account's buckets could not be listed, naming the role (or the caller's credentials). */
function notSweptReason(error: unknown, region: string, roleArn: string | null): string {
  // The role could not be assumed: its message names the role and STS's error.
  if (error instanceof MemberRoleError) return error.message;
  const { name, message } = error as Error;
  const as = roleArn === null ? "with the caller's credentials" : `as ${roleArn}`;
  return `could not list the buckets in ${region} ${as}: ${name}: ${message}`;
}

/** The buckets of one account, judged with that account as theirs. */
async function judgeAccount(
  accountId: string,
  buckets: readonly string[],
  aws: AccountAws,
  options: SweepOptions,
): Promise<{ results: BucketTagsResult[]; unreadable: number }> {
  const reads = await readBucketTags(buckets, aws.tagSource, TAG_READ_CONCURRENCY);
  // Only topics in the bucket's own account can be looked up, as in the Config rule.
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
  return { results, unreadable: reads.filter((read) => 'error' in read).length };
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

/** Runs `work` on every item, at most `concurrency` at a time; the outcomes in the items' order. */
async function inTurn<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const outcomes: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      outcomes[index] = await work(items[index] as T);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
  );
  return outcomes;
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

/**
 * The real adapters: the SDK's default credentials and endpoints, clients in
 * `region`. Member accounts are reached through `memberRoleName` (STS `AssumeRole`,
 * one session per account), with a client of each kind per account.
 */
export function awsAdapters(region: string, memberRoleName: string): LiveAws {
  const clients: Array<{ destroy(): void }> = [];
  const track = <C extends { destroy(): void }>(client: C): C => {
    clients.push(client);
    return client;
  };
  const sts = track(new STSClient({ region }));
  const caller = new StsCallerAccount(sts);
  let callerAccount: Promise<string> | undefined;
  const callerAccountId = () => {
    callerAccount ??= caller.accountId();
    return callerAccount;
  };

  const build = (credentials: CredentialsProvider | undefined): AccountAws => {
    const withCredentials = credentials ? { credentials } : {};
    const s3 = track(new S3Client({ region, ...withCredentials }));
    return {
      inventory: new S3BucketInventory(s3),
      // No cache: one sweep reads each bucket once.
      tagSource: new S3TagSource(s3, 0),
      topics: new SnsTopicDirectory((topicRegion) =>
        track(new SNSClient({ region: topicRegion, ...withCredentials })),
      ),
    };
  };
  let accounts: PerAccount<AccountAws> | undefined;

  return {
    callerAccountId,
    organizationAccounts: () =>
      new OrganizationsAccountList(track(new OrganizationsClient({ region }))).accounts(),
    async account(accountId) {
      const centralAccountId = await callerAccountId();
      accounts ??= new PerAccount(
        new StsMemberRoles(
          { roleName: memberRoleName, centralAccountId, partition: partitionOfRegion(region) },
          TAGS_SESSION_NAME,
          sts,
        ),
        build,
      );
      return accounts.for(accountId);
    },
    close() {
      for (const client of clients) client.destroy();
    },
  };
}
