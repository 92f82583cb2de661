import type { ConfigurationItem } from '@aws-sdk/client-config-service';
import { ConfigEventError } from './errors';
import * as z from './zod-mini';

/**
 * Schemas for what AWS Config hands a custom Lambda rule, and for the
 * configuration item `GetResourceConfigHistory` returns when a change
 * notification was too large to carry it.
 *
 * Config encodes twice: the Lambda event's `invokingEvent` and `ruleParameters`
 * are JSON strings, and supplementary configuration values may be JSON strings
 * inside those. Each is also accepted already parsed, so a replay tool or a test
 * that hands over objects is not refused. Unknown fields are tolerated and
 * dropped; missing or malformed required ones are errors naming their path.
 */

/** The Config resource type of an S3 bucket, the type the rule is scoped to. */
export const BUCKET_RESOURCE_TYPE = 'AWS::S3::Bucket';

/** The values of `configurationItemStatus` (Config API model `ConfigurationItemStatus`). */
export const ITEM_STATUSES = [
  'OK',
  'ResourceDiscovered',
  'ResourceNotRecorded',
  'ResourceDeleted',
  'ResourceDeletedNotRecorded',
] as const;

export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** What a rule needs to report on a resource, whether or not its configuration came along. */
export interface ItemSummary {
  /** E.g. `AWS::S3::Bucket`: the evaluation's ComplianceResourceType. */
  readonly resourceType: string;
  /** The bucket name for S3: the evaluation's ComplianceResourceId. */
  readonly resourceId: string;
  readonly awsAccountId: string;
  readonly awsRegion: string;
  /** `configurationItemCaptureTime`: the OrderingTimestamp of an evaluation of this item. */
  readonly captureTime: Date;
  /** `configurationItemStatus`; only some are judged (see {@link isApplicable}). */
  readonly status: ItemStatus;
}

/** One configuration item, normalised from the event shape or the API shape. */
export interface BucketItem extends ItemSummary {
  readonly resourceName?: string;
  /**
   * The resource's tags: the item's `tags` map, or, when that is empty, the
   * first tag set of `supplementaryConfiguration.BucketTaggingConfiguration`.
   * `{}` for an untagged or deleted bucket.
   */
  readonly tags: Record<string, string>;
  /**
   * Set when `tags` was empty and the bucket's tagging configuration could not
   * be read (`path: problem`). `tags` is then `{}`, so the bucket is judged as
   * untagged (NON_COMPLIANT); this says why, for the annotation and the log.
   */
  readonly tagsUnreadable?: string;
}

/** The `invokingEvent`, by its `messageType`. */
export type ConfigMessage =
  /** ConfigurationItemChangeNotification: the item is in the event. */
  | { readonly kind: 'change'; readonly item: BucketItem }
  /** OversizedConfigurationItemChangeNotification: fetch the item with GetResourceConfigHistory. */
  | { readonly kind: 'oversized'; readonly summary: ItemSummary }
  /** ScheduledNotification: a periodic run; the rule lists the resources itself. */
  | {
      readonly kind: 'scheduled';
      /** The OrderingTimestamp of every evaluation of a periodic run. */
      readonly notificationCreationTime: Date;
      readonly awsAccountId: string;
    }
  /** Any other type (e.g. ConfigurationSnapshotDeliveryCompleted): nothing to evaluate. */
  | { readonly kind: 'unsupported'; readonly messageType: string };

/** One invocation of the Config rule's Lambda function. */
export interface ConfigRuleInvocation {
  /** Passed back to PutEvaluations; `TESTMODE` by the RDK convention in tests. */
  readonly resultToken: string;
  /** The resource left the rule's scope: report NOT_APPLICABLE. `false` when absent. */
  readonly eventLeftScope: boolean;
  /** The rule's parameters as text; `{}` when the rule has none. */
  readonly ruleParameters: Record<string, string>;
  /** The account the rule runs in. */
  readonly accountId: string;
  readonly configRuleName?: string;
  readonly message: ConfigMessage;
}

const BUCKET_TAGGING = 'BucketTaggingConfiguration';

const text = z.string().check(z.minLength(1, 'must not be empty'));

const itemStatus = z.enum(ITEM_STATUSES);

/**
 * An ISO 8601 timestamp with a zone, as Config writes them
 * (`2016-02-17T01:36:34.043Z`). zod also checks the calendar: `Date` would
 * quietly roll `2021-02-30` over into March, and an OrderingTimestamp must not
 * be made up.
 */
const timestamp = z.transformed(
  z.iso.datetime({
    offset: true,
    error: (issue) =>
      issue.code === 'invalid_format'
        ? `not an ISO 8601 timestamp: ${quote(issue.input)}`
        : undefined,
  }),
  (value) => new Date(value),
);

/** The SDK returns a `Date`; a JSON copy of its output (a saved fixture) has the ISO text. */
const dateOrTimestamp = z.preprocess((value) => {
  if (!(value instanceof Date)) return value;
  return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
}, timestamp);

/** A tag map. A `null` value (never seen, but cheap to allow) reads as an empty value. */
const tagMap = z.transformed(
  z.nullish(
    z.record(
      z.string(),
      z.transformed(z.nullable(z.string()), (value) => value ?? ''),
    ),
  ),
  (tags) => tags ?? {},
);

/** Values are objects in events and JSON strings in the API shape; only the tagging one is read. */
const supplementaryConfiguration = z.transformed(
  z.nullish(z.record(z.string(), z.unknown())),
  (values) => values ?? {},
);

const bucketTagging = z.looseObject({
  tagSets: z.nullish(z.array(z.looseObject({ tags: tagMap }))),
});

const itemFields = {
  resourceType: text,
  resourceId: text,
  resourceName: z.nullish(z.string()),
  awsRegion: text,
  configurationItemStatus: itemStatus,
  tags: tagMap,
  supplementaryConfiguration,
};

/** `invokingEvent.configurationItem`. A deleted item has `configuration: null`, which is not read. */
const eventItem = z.transformed(
  z.looseObject({ ...itemFields, awsAccountId: text, configurationItemCaptureTime: timestamp }),
  (item) => bucketItem({ ...item, captureTime: item.configurationItemCaptureTime }, item),
);

/** A GetResourceConfigHistory item: `accountId`, not `awsAccountId`; a Date capture time. */
const historyItem = z.transformed(
  z.looseObject({ ...itemFields, accountId: text, configurationItemCaptureTime: dateOrTimestamp }),
  (item) =>
    bucketItem(
      { ...item, awsAccountId: item.accountId, captureTime: item.configurationItemCaptureTime },
      item,
    ),
);

const itemSummary = z.transformed(
  z.looseObject({
    resourceType: text,
    resourceId: text,
    awsAccountId: text,
    awsRegion: text,
    configurationItemCaptureTime: timestamp,
    configurationItemStatus: itemStatus,
  }),
  (summary): ItemSummary => ({
    resourceType: summary.resourceType,
    resourceId: summary.resourceId,
    awsAccountId: summary.awsAccountId,
    awsRegion: summary.awsRegion,
    captureTime: summary.configurationItemCaptureTime,
    status: summary.configurationItemStatus,
  }),
);

const changeNotification = z.transformed(
  z.looseObject({ configurationItem: eventItem }),
  ({ configurationItem }): ConfigMessage => ({ kind: 'change', item: configurationItem }),
);

/**
 * Only the summary is read: the Lambda example in the Developer Guide has no
 * `notificationCreationTime` or `recordVersion` here (the SNS form does), and
 * the OrderingTimestamp comes from the item's capture time anyway.
 */
const oversizedNotification = z.transformed(
  z.looseObject({ configurationItemSummary: itemSummary }),
  ({ configurationItemSummary }): ConfigMessage => ({
    kind: 'oversized',
    summary: configurationItemSummary,
  }),
);

const scheduledNotification = z.transformed(
  z.looseObject({ awsAccountId: text, notificationCreationTime: timestamp }),
  ({ awsAccountId, notificationCreationTime }): ConfigMessage => ({
    kind: 'scheduled',
    notificationCreationTime,
    awsAccountId,
  }),
);

/** A switch, not an object lookup: `messageType` is input, and `"constructor"` is a key of every object. */
function notificationSchema(messageType: string): z.ZodMiniType<ConfigMessage> | undefined {
  switch (messageType) {
    case 'ConfigurationItemChangeNotification':
      return changeNotification;
    case 'OversizedConfigurationItemChangeNotification':
      return oversizedNotification;
    case 'ScheduledNotification':
      return scheduledNotification;
    default:
      return undefined;
  }
}

const invokingEvent = z.transformed(
  z.looseObject({ messageType: text }),
  (event, ctx): ConfigMessage => {
    const schema = notificationSchema(event.messageType);
    if (schema === undefined) return { kind: 'unsupported', messageType: event.messageType };
    const parsed = schema.safeParse(event, { reportInput: true });
    if (parsed.success) return parsed.data;
    // Raised again here, so that their paths start with `invokingEvent`.
    for (const issue of parsed.error.issues) {
      z.addIssue(ctx, problemText(issue), [...issue.path]);
    }
    return z.NEVER;
  },
);

/**
 * Rule parameters are text (the console and PutConfigRule take strings), but a
 * CloudFormation `InputParameters` object may hold numbers or booleans, which
 * then arrive as JSON numbers and booleans: those are read as their text.
 * Anything nested means a misconfigured rule, and is refused rather than guessed.
 */
const ruleParameters = z.preprocess(
  (value, ctx) => {
    // Absent when the rule has no parameters; RDK's test event sends "".
    if (value === undefined || value === null) return {};
    if (typeof value === 'string' && value.trim() === '') return {};
    return fromJsonText(value, ctx);
  },
  z.record(
    z.string(),
    z.transformed(
      z.union([z.string(), z.number(), z.boolean()], {
        error: 'expected text (a number or boolean is read as its text)',
      }),
      String,
    ),
  ),
);

const invocation = z.looseObject({
  resultToken: text,
  accountId: text,
  configRuleName: z.nullish(z.string()),
  eventLeftScope: z.nullish(z.boolean()),
  ruleParameters,
  invokingEvent: z.preprocess(fromJsonText, invokingEvent),
});

/**
 * Parses the event AWS Config sends to a custom Lambda rule.
 *
 * @example
 * const { resultToken, message } = parseConfigRuleEvent(event);
 * if (message.kind === 'change' && isApplicable(message.item.status)) judge(message.item.tags);
 *
 * @throws ConfigEventError naming each problem as `path: problem`, e.g.
 *   `invokingEvent: not valid JSON` or
 *   `invokingEvent.configurationItem.resourceId: is required`.
 */
export function parseConfigRuleEvent(event: unknown): ConfigRuleInvocation {
  if (!isObject(event)) {
    throw new ConfigEventError(`expected an AWS Config rule event object, got ${describe(event)}`);
  }
  const parsed = invocation.safeParse(event, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigEventError('malformed AWS Config rule event', problemsOf(parsed.error));
  }
  const { resultToken, accountId, configRuleName, eventLeftScope } = parsed.data;
  return {
    resultToken,
    eventLeftScope: eventLeftScope ?? false,
    ruleParameters: parsed.data.ruleParameters,
    accountId,
    ...(configRuleName ? { configRuleName } : {}),
    message: parsed.data.invokingEvent,
  };
}

/** A change of a bucket's configuration as Config publishes it on EventBridge. */
export interface ConfigItemChangeEvent {
  /** The EventBridge event id; the same change delivered twice has the same id. */
  readonly eventId?: string;
  readonly message: ConfigMessage;
}

const envelope = z.looseObject({
  id: z.nullish(z.string()),
  source: z.literal('aws.config', { error: 'expected "aws.config"' }),
  'detail-type': text,
  detail: z.unknown(),
});

/**
 * Parses an EventBridge event of detail type `Config Configuration Item Change`:
 * its `detail` is what a Config rule receives as `invokingEvent` (a change, or an
 * oversized change whose item must be fetched), as an object.
 *
 * @throws ConfigEventError naming each problem as `path: problem`.
 */
export function parseConfigItemChangeEvent(event: unknown): ConfigItemChangeEvent {
  const outer = parseEnvelope(event, 'Config Configuration Item Change');
  const parsed = z.preprocess(fromJsonText, invokingEvent).safeParse(outer.detail, {
    reportInput: true,
  });
  if (!parsed.success) {
    throw new ConfigEventError(
      'malformed Config configuration item change',
      problemsOf(parsed.error, 'detail'),
    );
  }
  return { ...(outer.id ? { eventId: outer.id } : {}), message: parsed.data };
}

/** A rule's result for a resource changed (`Config Rules Compliance Change` on EventBridge). */
export interface ComplianceChangeEvent {
  readonly eventId?: string;
  readonly configRuleName: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly awsAccountId: string;
  readonly awsRegion: string;
  readonly compliance: string;
  readonly annotation: string;
  /** The previous result; absent for a resource's first evaluation. */
  readonly previousCompliance?: string;
  /** When Config recorded the new result: the order of changes. */
  readonly recordedAt: Date;
}

const evaluationResult = z.looseObject({
  complianceType: text,
  annotation: z.nullish(z.string()),
  resultRecordedTime: z.nullish(timestamp),
});

const complianceChange = z.looseObject({
  configRuleName: text,
  resourceType: text,
  resourceId: text,
  awsAccountId: text,
  awsRegion: text,
  newEvaluationResult: evaluationResult,
  oldEvaluationResult: z.nullish(evaluationResult),
  notificationCreationTime: z.nullish(timestamp),
});

/**
 * Parses an EventBridge event of detail type `Config Rules Compliance Change`.
 *
 * @throws ConfigEventError naming each problem as `path: problem`.
 */
export function parseComplianceChangeEvent(event: unknown): ComplianceChangeEvent {
  const outer = parseEnvelope(event, 'Config Rules Compliance Change');
  const parsed = complianceChange.safeParse(outer.detail, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigEventError(
      'malformed Config rules compliance change',
      problemsOf(parsed.error, 'detail'),
    );
  }
  const detail = parsed.data;
  const recordedAt =
    detail.newEvaluationResult.resultRecordedTime ?? detail.notificationCreationTime ?? undefined;
  if (recordedAt === undefined) {
    throw new ConfigEventError('malformed Config rules compliance change', [
      'detail.newEvaluationResult.resultRecordedTime: is required',
    ]);
  }
  return {
    ...(outer.id ? { eventId: outer.id } : {}),
    configRuleName: detail.configRuleName,
    resourceType: detail.resourceType,
    resourceId: detail.resourceId,
    awsAccountId: detail.awsAccountId,
    awsRegion: detail.awsRegion,
    compliance: detail.newEvaluationResult.complianceType,
    annotation: detail.newEvaluationResult.annotation ?? '',
    ...(detail.oldEvaluationResult
      ? { previousCompliance: detail.oldEvaluationResult.complianceType }
      : {}),
    recordedAt,
  };
}

function parseEnvelope(event: unknown, detailType: string) {
  if (!isObject(event)) {
    throw new ConfigEventError(`expected an EventBridge event object, got ${describe(event)}`);
  }
  const parsed = envelope.safeParse(event, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigEventError('malformed EventBridge event', problemsOf(parsed.error));
  }
  if (parsed.data['detail-type'] !== detailType) {
    throw new ConfigEventError(
      `expected detail-type "${detailType}", got ${quote(parsed.data['detail-type'])}`,
    );
  }
  return { id: parsed.data.id ?? undefined, detail: parsed.data.detail };
}

/** The detail type of an EventBridge event, if it has one: how the change handler picks a parser. */
export function detailTypeOf(event: unknown): string | undefined {
  if (!isObject(event)) return undefined;
  const type = event['detail-type'];
  return typeof type === 'string' ? type : undefined;
}

/**
 * Turns a `GetResourceConfigHistory` item (the API shape) into the item an
 * event would have carried: `accountId` becomes `awsAccountId`, and the
 * tagging configuration, a JSON string here, is read like the event's object.
 *
 * @throws ConfigEventError naming each missing or malformed field.
 */
export function bucketItemFromHistory(item: ConfigurationItem): BucketItem {
  if (!isObject(item)) {
    throw new ConfigEventError(`expected a configuration item object, got ${describe(item)}`);
  }
  const parsed = historyItem.safeParse(item, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigEventError(
      'malformed configuration item from GetResourceConfigHistory',
      problemsOf(parsed.error),
    );
  }
  return parsed.data;
}

/**
 * Is the item something to judge? Only `OK` and `ResourceDiscovered`. A deleted
 * or not-recorded item is NOT_APPLICABLE: that is what makes Config drop its
 * old result, where any other answer would stay on the bucket after it is gone.
 */
export function isApplicable(status: string): boolean {
  return status === 'OK' || status === 'ResourceDiscovered';
}

interface ItemFields {
  readonly resourceType: string;
  readonly resourceId: string;
  readonly resourceName?: string | null | undefined;
  readonly awsAccountId: string;
  readonly awsRegion: string;
  readonly captureTime: Date;
  readonly configurationItemStatus: ItemStatus;
}

interface TagSources {
  readonly tags: Record<string, string>;
  readonly supplementaryConfiguration: Record<string, unknown>;
}

function bucketItem(fields: ItemFields, sources: TagSources): BucketItem {
  return {
    resourceType: fields.resourceType,
    resourceId: fields.resourceId,
    ...(fields.resourceName ? { resourceName: fields.resourceName } : {}),
    awsAccountId: fields.awsAccountId,
    awsRegion: fields.awsRegion,
    captureTime: fields.captureTime,
    status: fields.configurationItemStatus,
    ...tagsOf(sources),
  };
}

/**
 * `tags` first; when it is empty, the tagging configuration: not every source
 * fills both (moto's aggregated items carry the tags only there). S3 keeps a
 * single tag set, so the first is the bucket's.
 *
 * A tagging configuration that cannot be read does not fail the invocation:
 * a failed invocation records nothing, so an earlier COMPLIANT result would
 * stay on a bucket whose tags nobody can read. A security check fails closed
 * instead: the bucket is judged untagged, and `tagsUnreadable` says why.
 */
function tagsOf({
  tags,
  supplementaryConfiguration,
}: TagSources): Pick<BucketItem, 'tags' | 'tagsUnreadable'> {
  if (Object.keys(tags).length > 0) return { tags };
  const tagging = supplementaryConfiguration[BUCKET_TAGGING];
  if (tagging === undefined || tagging === null) return { tags: {} };
  const parsed = z
    .preprocess(fromJsonText, bucketTagging)
    .safeParse(tagging, { reportInput: true });
  if (!parsed.success) {
    const where = `supplementaryConfiguration.${BUCKET_TAGGING}`;
    return { tags: {}, tagsUnreadable: problemsOf(parsed.error, where).join('; ') };
  }
  return { tags: parsed.data.tagSets?.[0]?.tags ?? {} };
}

/** JSON text parsed; any other value passed on for the schema to judge. */
function fromJsonText(value: unknown, ctx: z.core.ParsePayload): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    z.addIssue(ctx, 'not valid JSON');
    return z.NEVER;
  }
}

/** Each issue as `path: problem`, the path dotted with `[n]` for list items. */
function problemsOf(error: z.core.$ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.reduce<string>(
      (text, key) =>
        typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
      prefix,
    );
    return `${path || '(root)'}: ${problemText(issue)}`;
  });
}

/** Parsed with `reportInput`, so a missing field shows as an issue whose input is undefined. */
function problemText(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'custom' && issue.input === undefined) return 'is required';
  return issue.message.replace(/^Invalid input: /, '');
}

function quote(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 39)}…` : json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}
