/**
 * The AWS Config fixtures under `test/events/config/` (see its README), loaded afresh on
 * every call so a test may change what it gets, for the Config rule's parser and handler tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ConfigurationItem } from '@aws-sdk/client-config-service';
import { isJsonObject, type JsonObject, REPO_ROOT } from './fixtures';

const CONFIG_EVENTS_DIR = path.join(REPO_ROOT, 'test', 'events', 'config');

/** The Lambda events in `test/events/config/`. */
export type ConfigEventName =
  | 'change-compliant.json'
  | 'change-deleted-not-recorded.json'
  | 'change-deleted.json'
  | 'change-invalid-values.json'
  | 'change-left-scope.json'
  | 'change-missing-topic.json'
  | 'change-no-tags.json'
  | 'change-tags-only-in-supplementary.json'
  | 'oversized.json'
  | 'periodic.json'
  | 'snapshot-delivery.json';

export const CONFIG_EVENT_NAMES: readonly ConfigEventName[] = [
  'change-compliant.json',
  'change-deleted-not-recorded.json',
  'change-deleted.json',
  'change-invalid-values.json',
  'change-left-scope.json',
  'change-missing-topic.json',
  'change-no-tags.json',
  'change-tags-only-in-supplementary.json',
  'oversized.json',
  'periodic.json',
  'snapshot-delivery.json',
];

/** A Lambda event as Config sends it: `invokingEvent` is JSON text. */
export interface RawConfigEvent extends JsonObject {
  invokingEvent: string;
}

/** A GetResourceConfigHistory item whose tags map a test may read or replace. */
export type HistoryItem = ConfigurationItem & { tags: Record<string, string> };

/** A fresh copy of a Lambda event fixture. */
export function loadConfigEvent(name: ConfigEventName): RawConfigEvent {
  const value: unknown = JSON.parse(readFileSync(path.join(CONFIG_EVENTS_DIR, name), 'utf8'));
  if (!isJsonObject(value) || typeof value.invokingEvent !== 'string') {
    throw new Error(`${name}: expected a Lambda event whose invokingEvent is JSON text`);
  }
  return value as RawConfigEvent;
}

/**
 * A fresh copy of `history-s3-item.json` as the SDK returns it: the file holds the
 * timestamps as ISO text (it is the SDK's output after `JSON.stringify`); the SDK gives `Date`s.
 */
export function loadHistoryItem(): HistoryItem {
  const raw = JSON.parse(
    readFileSync(path.join(CONFIG_EVENTS_DIR, 'history-s3-item.json'), 'utf8'),
  );
  for (const field of [
    'configurationItemCaptureTime',
    'resourceCreationTime',
    'configurationItemDeliveryTime',
  ]) {
    raw[field] = new Date(raw[field]);
  }
  return raw;
}

/** What a bucket-change event is about. */
export interface BucketChange {
  readonly bucket: string;
  readonly accountId: string;
  readonly region: string;
  readonly tags: Record<string, string>;
  readonly captureTime: Date;
  readonly status?: string;
}

/**
 * A `Config Configuration Item Change` event on EventBridge for a bucket: the
 * configuration item of `change-compliant.json`, for this bucket, with these tags
 * (in the tags map and the tagging configuration) and capture time.
 */
export function bucketChangeEvent(change: BucketChange): JsonObject {
  const detail = JSON.parse(loadConfigEvent('change-compliant.json').invokingEvent);
  const item = detail.configurationItem;
  Object.assign(item, {
    resourceId: change.bucket,
    resourceName: change.bucket,
    ARN: `arn:aws:s3:::${change.bucket}`,
    awsAccountId: change.accountId,
    awsRegion: change.region,
    configurationItemCaptureTime: change.captureTime.toISOString(),
    configurationItemStatus: change.status ?? 'OK',
    tags: { ...change.tags },
  });
  item.configuration.name = change.bucket;
  item.supplementaryConfiguration.BucketTaggingConfiguration = {
    tagSets: [{ tags: { ...change.tags } }],
  };
  detail.notificationCreationTime = change.captureTime.toISOString();
  return {
    version: '0',
    id: `${change.bucket}-${change.captureTime.getTime()}`,
    'detail-type': 'Config Configuration Item Change',
    source: 'aws.config',
    account: change.accountId,
    time: change.captureTime.toISOString(),
    region: change.region,
    resources: [`arn:aws:s3:::${change.bucket}`],
    detail,
  };
}

/**
 * An `OversizedConfigurationItemChangeNotification` on EventBridge: the summary of
 * `oversized.json` for this bucket, status and capture time (the item itself is not in it).
 */
export function oversizedBucketChangeEvent(
  change: Omit<BucketChange, 'tags'> & { readonly resourceType?: string },
): JsonObject {
  const detail = JSON.parse(loadConfigEvent('oversized.json').invokingEvent);
  Object.assign(detail.configurationItemSummary, {
    resourceType: change.resourceType ?? 'AWS::S3::Bucket',
    resourceId: change.bucket,
    resourceName: change.bucket,
    ARN: `arn:aws:s3:::${change.bucket}`,
    awsAccountId: change.accountId,
    awsRegion: change.region,
    configurationItemCaptureTime: change.captureTime.toISOString(),
    configurationItemStatus: change.status ?? 'OK',
  });
  return {
    version: '0',
    id: `${change.bucket}-oversized-${change.captureTime.getTime()}`,
    'detail-type': 'Config Configuration Item Change',
    source: 'aws.config',
    account: change.accountId,
    time: change.captureTime.toISOString(),
    region: change.region,
    resources: [`arn:aws:s3:::${change.bucket}`],
    detail,
  };
}

/** What a compliance-change event says. */
export interface ComplianceChange {
  readonly ruleName: string;
  readonly bucket: string;
  readonly accountId: string;
  readonly region: string;
  readonly compliance: 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';
  readonly previous?: string;
  readonly annotation: string;
  readonly recordedAt: Date;
}

/** A fresh copy of `eventbridge-compliance-change.json`, as EventBridge delivers it. */
export function loadComplianceChangeEvent(): JsonObject & { detail: JsonObject } {
  return readComplianceChange();
}

function readComplianceChange() {
  return JSON.parse(
    readFileSync(path.join(CONFIG_EVENTS_DIR, 'eventbridge-compliance-change.json'), 'utf8'),
  );
}

/** `eventbridge-compliance-change.json`, about this bucket, rule and result. */
export function complianceChangeEvent(change: ComplianceChange): JsonObject {
  const event = readComplianceChange();
  const { detail } = event;
  Object.assign(detail, {
    resourceId: change.bucket,
    awsRegion: change.region,
    awsAccountId: change.accountId,
    configRuleName: change.ruleName,
  });
  Object.assign(detail.newEvaluationResult, {
    complianceType: change.compliance,
    annotation: change.annotation,
    resultRecordedTime: change.recordedAt.toISOString(),
  });
  detail.newEvaluationResult.evaluationResultIdentifier.evaluationResultQualifier = {
    configRuleName: change.ruleName,
    resourceType: 'AWS::S3::Bucket',
    resourceId: change.bucket,
  };
  if (change.previous === undefined) delete detail.oldEvaluationResult;
  else detail.oldEvaluationResult.complianceType = change.previous;
  return {
    ...event,
    id: `${change.bucket}-${change.recordedAt.getTime()}`,
    account: change.accountId,
    region: change.region,
  };
}
