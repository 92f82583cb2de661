import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { LedgerLookupError, resolveBucketByHand } from '../flows/resolve-bucket';
import { type WaiversOf, waiversFrom } from '../flows/waivers';
import { DynamoDbLedger, type Ledger } from '../lib/dynamodb-ledger';
import {
  DEFAULT_REMINDER_AFTER_HOURS,
  parseAccountList,
  parseTableName,
  type TopicOptInSettings,
  topicOptInFromEnv,
} from '../lib/settings';
import { type AlertPublisher, SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { SnsTopicDirectory, type TopicTagReader } from '../lib/sns-topic-directory';
import { StsCallerAccount } from '../lib/sts-caller-account';
import { tagKeysFromEnv } from '../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import { DEFAULT_WAIVERS_FILE, loadWaivers } from '../policies/load-waivers';
import { type Policy, type Severity, severityRank } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import { assessBucket, type BucketState, type BucketVerdict } from '../rules/bucket-state';
import type { TagKeys } from '../rules/finding';
import { EXIT_OK, EXIT_USAGE } from './check-command';
import { csvCell, FORMATS, type Format, formatTable } from './report';
import { UsageError } from './usage-error';

/** The AWS pieces the `ledger` commands work through. */
export interface LedgerAws {
  readonly ledger: Ledger<BucketState>;
  readonly publisher: AlertPublisher;
  /** Team topics' tags: the resolved notice goes to a team topic only when it opted in. */
  readonly topicTags: TopicTagReader;
  /** Who the caller is (STS `GetCallerIdentity`): the default `--by`. */
  callerIdentity(): Promise<string>;
  /** Releases the clients' connections. */
  close(): void;
}

export interface LedgerDeps {
  readonly ledgerAws: (table: string, region: string | undefined) => LedgerAws;
  readonly clock: () => Date;
}

interface CommonOptions {
  readonly table: string;
  readonly region: string | undefined;
  readonly policy: Policy;
  readonly waivers: WaiversOf;
  readonly tagKeys: TagKeys;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface LedgerShowOptions extends CommonOptions {
  readonly team: string | undefined;
  readonly bucket: string | undefined;
  readonly format: Format;
}

export interface LedgerResolveOptions extends CommonOptions {
  readonly bucket: string;
  readonly accountId: string | undefined;
  readonly reason: string;
  readonly by: string | undefined;
  readonly notify: boolean;
  readonly securityTopicArn: string;
  readonly allowedTopicAccounts: readonly string[];
  /** The tag a team topic must carry (`TOPIC_OPT_IN_TAG_KEY` / `TOPIC_OPT_IN_TAG_VALUE`). */
  readonly topicOptIn: TopicOptInSettings;
}

/** The flags both `ledger` subcommands share, as parsed from the command line. */
export interface LedgerFlags {
  readonly table: string | undefined;
  readonly region: string | undefined;
  readonly policy: string | undefined;
  /** The waivers file; default `WAIVERS_FILE`, else the one shipped with the code. */
  readonly waivers?: string | undefined;
}
const ACCOUNT_ID = /^\d{12}$/;
const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/;

function commonOptions(
  command: string,
  flags: LedgerFlags,
  env: NodeJS.ProcessEnv,
  io: Pick<CommonOptions, 'stdout' | 'stderr'>,
): CommonOptions {
  const table = flags.table ?? env.LEDGER_TABLE?.trim();
  if (!table) {
    throw new UsageError(`${command} needs --table NAME or LEDGER_TABLE (the ledger's table)`);
  }
  return {
    table: usage(() =>
      parseTableName(table, flags.table === undefined ? 'LEDGER_TABLE' : '--table'),
    ),
    region: flags.region?.trim() || env.AWS_REGION?.trim() || undefined,
    policy: loadPolicy(flags.policy ?? env.POLICY_FILE?.trim() ?? DEFAULT_POLICY_FILE),
    waivers: waiversFrom(
      loadWaivers(flags.waivers ?? (env.WAIVERS_FILE?.trim() || DEFAULT_WAIVERS_FILE)),
    ),
    tagKeys: tagKeysFromEnv(env),
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

/**
 * The options of `ledger show`; the table from `--table`, else `LEDGER_TABLE`.
 *
 * @throws UsageError for no table or a bad format; PolicyError for a bad policy.
 */
export function ledgerShowOptions(
  flags: LedgerFlags & {
    readonly team: string | undefined;
    readonly bucket: string | undefined;
    readonly format: string;
  },
  env: NodeJS.ProcessEnv,
  io: Pick<CommonOptions, 'stdout' | 'stderr'>,
): LedgerShowOptions {
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(
      `--format must be one of ${FORMATS.join(', ')}; got "${inert(flags.format)}"`,
    );
  }
  return {
    ...commonOptions('ledger show', flags, env, io),
    team: flags.team,
    bucket: flags.bucket,
    format: flags.format as Format,
  };
}

/**
 * The options of `ledger resolve`.
 *
 * @throws UsageError for no bucket, reason or table, a bad account, or (when
 *   the notice is to be sent) no central security topic.
 */
export function ledgerResolveOptions(
  flags: LedgerFlags & {
    readonly bucket: string | undefined;
    readonly account: string | undefined;
    readonly reason: string | undefined;
    readonly by: string | undefined;
    readonly notify: boolean;
  },
  env: NodeJS.ProcessEnv,
  io: Pick<CommonOptions, 'stdout' | 'stderr'>,
): LedgerResolveOptions {
  if (flags.bucket === undefined) throw new UsageError('ledger resolve needs a bucket name');
  const reason = flags.reason?.trim();
  if (!reason) throw new UsageError('ledger resolve needs --reason TEXT: why it is resolved');
  if (flags.account !== undefined && !ACCOUNT_ID.test(flags.account)) {
    throw new UsageError(`--account must be a 12-digit account ID; got "${inert(flags.account)}"`);
  }
  if (flags.by !== undefined && flags.by.trim() === '') {
    throw new UsageError('--by needs a name');
  }
  const securityTopicArn = env.SECURITY_TOPIC_ARN?.trim() ?? '';
  if (flags.notify && !TOPIC_ARN.test(securityTopicArn)) {
    throw new UsageError(
      'ledger resolve sends the resolved notice, and needs SECURITY_TOPIC_ARN (the central security topic, for buckets whose team topic cannot be used); set it, or pass --no-notify',
    );
  }
  return {
    ...commonOptions('ledger resolve', flags, env, io),
    bucket: flags.bucket,
    accountId: flags.account,
    reason,
    by: flags.by?.trim(),
    notify: flags.notify,
    securityTopicArn,
    allowedTopicAccounts: usage(() =>
      parseAccountList(env.ALLOWED_TOPIC_ACCOUNTS ?? '', 'ALLOWED_TOPIC_ACCOUNTS'),
    ),
    topicOptIn: usage(() => topicOptInFromEnv(env)),
  };
}

/** One bucket of the ledger as `ledger show` prints it. */
export interface LedgerRow {
  readonly bucket: string;
  readonly accountId: string;
  readonly team: string;
  readonly verdict: BucketVerdict;
  readonly severity: Severity | null;
  readonly openTypes: readonly { readonly type: string; readonly count: number }[];
  readonly findings: number;
  readonly openSince: string | null;
  readonly lastNotice: {
    readonly kind: string;
    readonly at: string;
    readonly delivery: string;
  } | null;
}

/**
 * Prints one row per bucket of the ledger, judged now by the policy: the worst
 * first. Exit 0; 2 when the table cannot be read.
 */
export async function runLedgerShow(
  options: LedgerShowOptions,
  deps: LedgerDeps = defaultDeps,
): Promise<number> {
  const aws = deps.ledgerAws(options.table, options.region);
  const rows: LedgerRow[] = [];
  try {
    const now = deps.clock();
    for await (const { state } of aws.ledger.buckets()) {
      if (options.bucket !== undefined && state.bucket !== options.bucket) continue;
      const assessment = assessBucket(
        state,
        options.policy,
        options.tagKeys,
        options.waivers(state.accountId, state.bucket, now),
      );
      if (options.team !== undefined && assessment.team !== options.team) continue;
      rows.push({
        bucket: state.bucket,
        accountId: state.accountId,
        team: assessment.team,
        verdict: assessment.verdict,
        severity: assessment.severity ?? null,
        openTypes: assessment.violations.map((v) => ({ type: v.type, count: v.count })),
        findings: state.findings,
        openSince: state.openSince ?? null,
        lastNotice: state.lastNotice
          ? {
              kind: state.lastNotice.kind,
              at: state.lastNotice.at,
              delivery: state.lastNotice.delivery,
            }
          : null,
      });
    }
  } catch (error) {
    options.stderr(`bucket-classification: ${awsFailure('read', options.table, error)}\n`);
    return EXIT_USAGE;
  } finally {
    aws.close();
  }
  rows.sort(
    (a, b) =>
      rank(b.severity) - rank(a.severity) ||
      compare(a.bucket, b.bucket) ||
      compare(a.accountId, b.accountId),
  );
  options.stdout(showReport(options.format, rows));
  return EXIT_OK;
}

/**
 * Records a resolution by hand and, unless `--no-notify`, tells the team.
 * Exit 0; 2 when the bucket is not in the ledger (or ambiguous), or AWS fails.
 */
export async function runLedgerResolve(
  options: LedgerResolveOptions,
  deps: LedgerDeps = defaultDeps,
): Promise<number> {
  const aws = deps.ledgerAws(options.table, options.region);
  try {
    const by = options.by ?? (await aws.callerIdentity());
    const outcome = await resolveBucketByHand(
      {
        settings: {
          securityTopicArn: options.securityTopicArn,
          allowedTopicAccounts: options.allowedTopicAccounts,
          tagKeys: options.tagKeys,
          topicOptIn: options.topicOptIn,
        },
        policy: options.policy,
        ledger: aws.ledger,
        publisher: aws.publisher,
        topicTags: aws.topicTags,
        logger: new Logger({ logLevel: 'SILENT' }),
        newId: () => crypto.randomUUID(),
        pause: (attempt) => new Promise((resolve) => setTimeout(resolve, 50 * attempt)),
        waivers: options.waivers,
        reminderAfterMs: DEFAULT_REMINDER_AFTER_HOURS * 3_600_000,
        clock: deps.clock,
      },
      {
        bucket: options.bucket,
        accountId: options.accountId,
        by,
        reason: options.reason,
        notify: options.notify,
      },
    );
    const name = `${inert(outcome.bucket)} (account ${outcome.accountId})`;
    if (outcome.outcome === 'nothing-open') {
      options.stdout(`Nothing to resolve: bucket ${name} has no open violations.\n`);
      return EXIT_OK;
    }
    const told =
      outcome.notice === 'sent'
        ? `The resolved notice went to ${outcome.topics.join(', ')}.`
        : outcome.notice === 'withheld'
          ? 'No notice was sent (--no-notify); none will be sent for this resolution.'
          : 'No notice was sent: the team had not been told of open violations.';
    options.stdout(
      `Resolved bucket ${name}: ${outcome.types.map((text) => inert(text)).join(', ')} no longer open, by ${inert(by)}: ${inert(options.reason)}\n${told}\n`,
    );
    return EXIT_OK;
  } catch (error) {
    const message =
      error instanceof LedgerLookupError
        ? error.message
        : awsFailure('update', options.table, error);
    options.stderr(`bucket-classification: ${inert(message, MAX_MESSAGE)}\n`);
    return EXIT_USAGE;
  } finally {
    aws.close();
  }
}

/** The real adapters: the SDK's default credentials and endpoints. */
export function awsLedger(table: string, region: string | undefined): LedgerAws {
  const config = region === undefined ? {} : { region };
  const dynamodb = new DynamoDBClient(config);
  const sts = new STSClient(config);
  const sns: SNSClient[] = [];
  const snsClient = (topicRegion: string): SNSClient => {
    const client = new SNSClient({ region: topicRegion });
    sns.push(client);
    return client;
  };
  return {
    ledger: new DynamoDbLedger<BucketState>(table, dynamodb),
    publisher: new SnsAlertPublisher(snsClient),
    topicTags: new SnsTopicDirectory(snsClient),
    callerIdentity: () => new StsCallerAccount(sts).identity(),
    close() {
      for (const client of [dynamodb, sts, ...sns]) client.destroy();
    },
  };
}

const defaultDeps: LedgerDeps = { ledgerAws: awsLedger, clock: () => new Date() };

function showReport(format: Format, rows: readonly LedgerRow[]): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ buckets: rows, summary: summaryOf(rows) }, null, 2)}\n`;
    case 'csv':
      return [
        'bucket,account,team,verdict,severity,open_types,findings,open_since,last_notice',
        ...rows.map((row) => cells(row, '|').map(csvCell).join(',')),
      ]
        .map((line) => `${line}\n`)
        .join('');
    case 'table':
      return `${formatTable([
        [
          'BUCKET',
          'ACCOUNT',
          'TEAM',
          'VERDICT',
          'SEVERITY',
          'OPEN TYPES',
          'FINDINGS',
          'OPEN SINCE',
          'LAST NOTICE',
        ],
        ...rows.map((row) => cells(row, ', ')),
      ])}\n${totals(rows)}\n`;
  }
}

/** The cells of a row; `formatTable` and `csvCell` make them inert. */
function cells(row: LedgerRow, separator: string): string[] {
  return [
    row.bucket,
    row.accountId,
    row.team,
    row.verdict,
    row.severity ?? '-',
    row.openTypes.map((t) => `${t.type}:${t.count}`).join(separator) || '-',
    String(row.findings),
    row.openSince ?? '-',
    row.lastNotice
      ? `${row.lastNotice.kind} ${row.lastNotice.at}${row.lastNotice.delivery === 'sent' ? '' : ` (${row.lastNotice.delivery})`}`
      : '-',
  ];
}

function summaryOf(rows: readonly LedgerRow[]) {
  const count = (verdict: BucketVerdict) => rows.filter((r) => r.verdict === verdict).length;
  return {
    buckets: rows.length,
    violation: count('violation'),
    unclassified: count('unclassified'),
    clear: count('clear'),
  };
}

function totals(rows: readonly LedgerRow[]): string {
  const { buckets, violation, unclassified, clear } = summaryOf(rows);
  return `${buckets} bucket${buckets === 1 ? '' : 's'}: ${violation} in violation, ${unclassified} unclassified, ${clear} clear.`;
}

function awsFailure(action: string, table: string, error: unknown): string {
  const { name, message } = error as Error;
  return inert(`could not ${action} the ledger table ${table}: ${name}: ${message}`, MAX_MESSAGE);
}

function usage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function rank(severity: Severity | null): number {
  return severity === null ? -1 : severityRank(severity);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
