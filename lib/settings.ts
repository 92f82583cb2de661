import { type TagKeySettings, tagKeysFromEnv } from './tag-keys';

/** The role every member account holds for the central side (deploy/member-account.yaml). */
export const DEFAULT_MEMBER_ROLE_NAME = 'BucketClassificationMember';

/** The tag a team's topic carries to accept notices (see `rules/topic-opt-in.ts`). */
export interface TopicOptInSettings {
  readonly key: string;
  readonly value: string;
}

export const DEFAULT_TOPIC_OPT_IN: TopicOptInSettings = {
  key: 'AcceptsClassificationAlerts',
  value: 'true',
};

/** A handler setting that is missing or malformed; the message names the variable. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export interface FindingHandlerSettings {
  /** Central security topic: fallback and unclassified alerts. */
  readonly securityTopicArn: string;
  readonly metricsNamespace: string;
  readonly tagKeys: TagKeySettings;
  /**
   * Accounts whose topics may receive alerts. Empty means only the bucket's own
   * account.
   */
  readonly allowedTopicAccounts: readonly string[];
  /** Policy file; `undefined` for the policy shipped with the code. */
  readonly policyFile: string | undefined;
  /** Waiver file; `undefined` for the one shipped with the code. */
  readonly waiversFile: string | undefined;
  /** The violation ledger's DynamoDB table. */
  readonly ledgerTable: string;
  /** Open violations are recalled to the team after this long without a notice. */
  readonly reminderAfterMs: number;
  /** The tag a team's topic must carry before anything is published to it. */
  readonly topicOptIn: TopicOptInSettings;
  /**
   * The function's CloudWatch Logs group, where unprocessable events are logged
   * whole (Lambda sets `AWS_LAMBDA_LOG_GROUP_NAME`); `undefined` outside Lambda.
   */
  readonly logGroupName?: string | undefined;
  /**
   * The account the functions run in (`CENTRAL_ACCOUNT_ID`, else the central
   * topic's). Without an organisation, only its buckets' own topics are theirs to
   * publish to.
   */
  readonly centralAccountId: string;
  /** The organisation whose member accounts are covered; `undefined` for one account. */
  readonly organization: OrganizationSettings | undefined;
}

export const DEFAULT_METRICS_NAMESPACE = 'DataClassification';

const TOPIC_ARN = /^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/;
const ACCOUNT_ID = /^\d{12}$/;
const NAMESPACE = /^[A-Za-z0-9.\-_/#:]{1,255}$/;

/**
 * Reads the settings of `validateFinding` once, at cold start. The names match
 * `environment:` in serverless.yml.
 *
 * @throws SettingsError naming the variable that is missing or malformed.
 */
export function findingHandlerSettings(
  env: NodeJS.ProcessEnv = process.env,
): FindingHandlerSettings {
  return ledgerFunctionSettings(env);
}

/**
 * The settings of `summarizeLedger` (the daily digest, the notices due without a
 * finding, the bucket metrics): the same names, defaults and checks as
 * `validateFinding`, so both judge and route a bucket alike.
 */
export type SummarizeLedgerSettings = FindingHandlerSettings;

/**
 * Reads the settings of `summarizeLedger` once, at cold start.
 *
 * @throws SettingsError naming the variable that is missing or malformed.
 */
export function summarizeLedgerSettings(
  env: NodeJS.ProcessEnv = process.env,
): SummarizeLedgerSettings {
  return ledgerFunctionSettings(env);
}

/** The settings every function that works on the violation ledger reads. */
function ledgerFunctionSettings(env: NodeJS.ProcessEnv): FindingHandlerSettings {
  const securityTopicArn = required(env, 'SECURITY_TOPIC_ARN');
  if (!TOPIC_ARN.test(securityTopicArn)) {
    throw new SettingsError(
      `SECURITY_TOPIC_ARN must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); got "${securityTopicArn}"`,
    );
  }
  const metricsNamespace = optional(env, 'METRICS_NAMESPACE') ?? DEFAULT_METRICS_NAMESPACE;
  if (!NAMESPACE.test(metricsNamespace) || metricsNamespace.startsWith('AWS/')) {
    throw new SettingsError(
      `METRICS_NAMESPACE must be 1-255 letters, digits or . - _ / # : and not start with AWS/; got "${metricsNamespace}"`,
    );
  }
  return {
    securityTopicArn,
    metricsNamespace,
    tagKeys: tagKeysFromEnv(env),
    allowedTopicAccounts: accountList(env, 'ALLOWED_TOPIC_ACCOUNTS'),
    policyFile: optional(env, 'POLICY_FILE'),
    waiversFile: optional(env, 'WAIVERS_FILE'),
    ledgerTable: tableName(env, 'LEDGER_TABLE'),
    reminderAfterMs: hours(env, 'REMINDER_AFTER_HOURS', DEFAULT_REMINDER_AFTER_HOURS) * 3_600_000,
    topicOptIn: topicOptInFromEnv(env),
    logGroupName: optional(env, 'AWS_LAMBDA_LOG_GROUP_NAME'),
    ...centralAndOrganization(env, securityTopicArn.split(':')[4]),
  };
}

/** The central account and the organisation, as both kinds of function read them. */
function centralAndOrganization(
  env: NodeJS.ProcessEnv,
  centralAccountFallback: string | undefined,
): { centralAccountId: string; organization: OrganizationSettings | undefined } {
  const organization = organizationFromEnv(env, centralAccountFallback);
  const centralAccountId =
    organization?.centralAccountId ?? optional(env, 'CENTRAL_ACCOUNT_ID') ?? centralAccountFallback;
  if (centralAccountId === undefined) {
    throw new SettingsError('CENTRAL_ACCOUNT_ID is required but not set');
  }
  return { centralAccountId, organization };
}

// SNS tag keys and values: letters, digits, spaces and _ . : / = + - @ (keys 1-128
// characters, values up to 256); keys starting with `aws:` are reserved for AWS.
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;

/**
 * The opt-in tag a team's topic must carry (`TOPIC_OPT_IN_TAG_KEY`, default
 * `AcceptsClassificationAlerts`; `TOPIC_OPT_IN_TAG_VALUE`, default `true`). The
 * value is compared exactly (case-sensitive), as IAM compares it.
 *
 * @throws SettingsError naming the variable that is not a valid SNS tag key or value.
 */
export function topicOptInFromEnv(env: NodeJS.ProcessEnv = process.env): TopicOptInSettings {
  const key = optional(env, 'TOPIC_OPT_IN_TAG_KEY') ?? DEFAULT_TOPIC_OPT_IN.key;
  if (key.length > 128 || !TAG_TEXT.test(key) || key.toLowerCase().startsWith('aws:')) {
    throw new SettingsError(
      `TOPIC_OPT_IN_TAG_KEY must be an SNS tag key (1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:); got "${key}"`,
    );
  }
  const value = optional(env, 'TOPIC_OPT_IN_TAG_VALUE') ?? DEFAULT_TOPIC_OPT_IN.value;
  if (value.length > 256 || !TAG_TEXT.test(value)) {
    throw new SettingsError(
      `TOPIC_OPT_IN_TAG_VALUE must be an SNS tag value (1-256 letters, digits, spaces or _ . : / = + - @); got "${value}"`,
    );
  }
  return { key, value };
}

export const DEFAULT_REMINDER_AFTER_HOURS = 24;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** A DynamoDB table name (required). */
function tableName(env: NodeJS.ProcessEnv, name: string): string {
  return parseTableName(required(env, name), name);
}

/**
 * A DynamoDB table name: 3-255 letters, digits, `_`, `.` or `-`.
 *
 * @param source names the setting or option in the error message.
 * @throws SettingsError when it is not one.
 */
export function parseTableName(text: string, source: string): string {
  const value = text.trim();
  if (!TABLE_NAME.test(value)) {
    throw new SettingsError(
      `${source} must be a DynamoDB table name (3-255 letters, digits, _ . -); got "${value}"`,
    );
  }
  return value;
}

/** A whole number of hours from 1 to 8760 (a year). */
function hours(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = optional(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 8760) {
    throw new SettingsError(
      `${name} must be a whole number of hours from 1 to 8760; got "${text}"`,
    );
  }
  return value;
}

export interface BucketChangeSettings extends FindingHandlerSettings {
  /** The tag rule whose compliance changes teams hear about. */
  readonly configRuleName: string;
}

/**
 * Reads the settings of `trackBucketChanges` once, at cold start: those of
 * `validateFinding` (the same ledger, policy, waivers and routing) and the name of
 * the tag rule.
 *
 * @throws SettingsError naming the variable that is missing or malformed.
 */
export function bucketChangeSettings(env: NodeJS.ProcessEnv = process.env): BucketChangeSettings {
  return { ...findingHandlerSettings(env), configRuleName: required(env, 'CONFIG_RULE_NAME') };
}

export interface TagRuleSettings {
  readonly tagKeys: TagKeySettings;
  readonly allowedTopicAccounts: readonly string[];
  readonly policyFile: string | undefined;
  /** The rule's region: a periodic run judges the buckets of this region. */
  readonly region: string;
  /** How many buckets' tags a periodic run reads at once. */
  readonly tagReadConcurrency: number;
  /** The function itself (set by Lambda): a sweep that runs out of time hands the rest to it. */
  readonly functionName: string;
  /** A sweep hands the rest over when less time than this is left. */
  readonly sweepSafetyMarginMs: number;
  /** The tag a team's topic must carry to receive notices. */
  readonly topicOptIn: TopicOptInSettings;
  /**
   * The organisation whose member accounts' rules invoke the function; `undefined`
   * when the rule covers only the function's own account.
   */
  readonly organization: OrganizationSettings | undefined;
}

export const DEFAULT_TAG_READ_CONCURRENCY = 8;
export const DEFAULT_SWEEP_SAFETY_MARGIN_SECONDS = 60;
/** Lambda's longest timeout, 15 minutes. */
const MAX_SWEEP_SAFETY_MARGIN_SECONDS = 900;

/**
 * Reads the settings of `checkBucketTags` once, at cold start: the same tag keys,
 * allowed topic accounts and policy as `validateFinding`, so both judge a bucket
 * alike.
 *
 * @throws SettingsError naming the variable that is missing or malformed.
 */
export function tagRuleSettings(env: NodeJS.ProcessEnv = process.env): TagRuleSettings {
  const concurrency = optional(env, 'TAG_READ_CONCURRENCY');
  const tagReadConcurrency =
    concurrency === undefined ? DEFAULT_TAG_READ_CONCURRENCY : Number(concurrency);
  if (!Number.isInteger(tagReadConcurrency) || tagReadConcurrency < 1 || tagReadConcurrency > 64) {
    throw new SettingsError(
      `TAG_READ_CONCURRENCY must be an integer from 1 to 64; got "${concurrency}"`,
    );
  }
  return {
    tagKeys: tagKeysFromEnv(env),
    allowedTopicAccounts: accountList(env, 'ALLOWED_TOPIC_ACCOUNTS'),
    policyFile: optional(env, 'POLICY_FILE'),
    region: required(env, 'AWS_REGION'),
    tagReadConcurrency,
    functionName: required(env, 'AWS_LAMBDA_FUNCTION_NAME'),
    sweepSafetyMarginMs: sweepSafetyMarginSeconds(env) * 1000,
    topicOptIn: topicOptInFromEnv(env),
    organization: organizationFromEnv(env),
  };
}

/** `SWEEP_SAFETY_MARGIN_SECONDS`: a whole number of seconds from 1 to 900. */
function sweepSafetyMarginSeconds(env: NodeJS.ProcessEnv): number {
  const name = 'SWEEP_SAFETY_MARGIN_SECONDS';
  const text = optional(env, name);
  if (text === undefined) return DEFAULT_SWEEP_SAFETY_MARGIN_SECONDS;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_SWEEP_SAFETY_MARGIN_SECONDS) {
    throw new SettingsError(
      `${name} must be a whole number of seconds from 1 to ${MAX_SWEEP_SAFETY_MARGIN_SECONDS}; got "${text}"`,
    );
  }
  return value;
}

/** An organisation deployment: member accounts reached through the member role. */
export interface OrganizationSettings {
  /** `ORGANIZATION_ID`, `o-` and 10 to 32 lowercase letters or digits. */
  readonly organizationId: string;
  /** `MEMBER_ROLE_NAME`: the role every member account holds for the central side. */
  readonly memberRoleName: string;
  /** `CENTRAL_ACCOUNT_ID`: the account the functions run in, which needs no role. */
  readonly centralAccountId: string;
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
// IAM role names: 1-64 letters, digits and + = , . @ _ -.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * The organisation settings, or `undefined` for a deployment that covers one account
 * (no `ORGANIZATION_ID`).
 *
 * @param centralAccountFallback the account to assume the functions run in when
 *   `CENTRAL_ACCOUNT_ID` is not set (the central topic's account, for example).
 * @throws SettingsError naming the variable that is missing or malformed.
 */
export function organizationFromEnv(
  env: NodeJS.ProcessEnv,
  centralAccountFallback?: string,
): OrganizationSettings | undefined {
  const memberRoleName = parseRoleName(
    optional(env, 'MEMBER_ROLE_NAME') ?? DEFAULT_MEMBER_ROLE_NAME,
    'MEMBER_ROLE_NAME',
  );
  const organizationId = optional(env, 'ORGANIZATION_ID');
  const central = optional(env, 'CENTRAL_ACCOUNT_ID');
  if (central !== undefined && !ACCOUNT_ID.test(central)) {
    throw new SettingsError(`CENTRAL_ACCOUNT_ID must be a 12-digit account ID; got "${central}"`);
  }
  if (organizationId === undefined) return undefined;
  if (!ORGANIZATION_ID.test(organizationId)) {
    throw new SettingsError(
      `ORGANIZATION_ID must be an organization ID (o- and 10-32 lowercase letters or digits); got "${organizationId}"`,
    );
  }
  const centralAccountId = central ?? centralAccountFallback;
  if (centralAccountId === undefined) {
    throw new SettingsError('CENTRAL_ACCOUNT_ID is required when ORGANIZATION_ID is set');
  }
  return { organizationId, memberRoleName, centralAccountId };
}

/**
 * An IAM role name: 1-64 letters, digits or + = , . @ _ -.
 *
 * @param source names the setting or option in the error message.
 * @throws SettingsError when it is not one.
 */
export function parseRoleName(text: string, source: string): string {
  const value = text.trim();
  if (!ROLE_NAME.test(value)) {
    throw new SettingsError(
      `${source} must be an IAM role name (1-64 letters, digits or + = , . @ _ -); got "${value}"`,
    );
  }
  return value;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = optional(env, name);
  if (value === undefined) throw new SettingsError(`${name} is required but not set`);
  return value;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function accountList(env: NodeJS.ProcessEnv, name: string): string[] {
  return parseAccountList(optional(env, name) ?? '', name);
}

/**
 * A comma-separated list of 12-digit account IDs; blanks are skipped.
 *
 * @param source names the setting or option in the error message.
 * @throws SettingsError listing what is not an account ID.
 */
export function parseAccountList(text: string, source: string): string[] {
  const accounts = text
    .split(',')
    .map((account) => account.trim())
    .filter(Boolean);
  const bad = accounts.filter((account) => !ACCOUNT_ID.test(account));
  if (bad.length > 0) {
    throw new SettingsError(
      `${source} must be a comma-separated list of 12-digit account IDs; not an account ID: ${bad.map((b) => `"${b}"`).join(', ')}`,
    );
  }
  return accounts;
}
