import { Logger } from '@aws-lambda-powertools/logger';
import {
  type BucketChangeDependencies,
  type BucketChangeOutcome,
  createBucketChangeTracker,
} from '../flows/track-bucket-change';
import { waiversFrom } from '../flows/waivers';
import { ConfigHistoryItemSource } from '../lib/config-history';
import { DynamoDbLedger } from '../lib/dynamodb-ledger';
import { S3TagSource } from '../lib/s3-tag-source';
import { bucketChangeSettings } from '../lib/settings';
import { SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): BucketChangeDependencies {
  const settings = bucketChangeSettings();
  return {
    settings,
    policy: loadPolicy(settings.policyFile ?? DEFAULT_POLICY_FILE),
    waivers: waiversFrom(settings.waiversFile),
    ledger: new DynamoDbLedger(settings.ledgerTable),
    publisher: new SnsAlertPublisher(),
    history: new ConfigHistoryItemSource(),
    // No cache: a tag notice must reach the topic the tags name now.
    tags: new S3TagSource(undefined, 0),
    logger: new Logger({ serviceName: 'trackBucketChanges' }),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const track = createBucketChangeTracker(fromEnvironment());

/** Lambda entry point for EventBridge events from AWS Config about buckets. */
export const handler = (event: unknown): Promise<BucketChangeOutcome> => track(event);
