import {
  type BucketChangeDependencies,
  type BucketChangeOutcome,
  createBucketChangeTracker,
} from '../flows/track-bucket-change';
import { ConfigHistoryItemSource } from '../lib/config-history';
import { S3TagSource } from '../lib/s3-tag-source';
import { bucketChangeSettings } from '../lib/settings';
import { ledgerCollaborators } from './ledger-collaborators';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): BucketChangeDependencies {
  const settings = bucketChangeSettings();
  return {
    settings,
    ...ledgerCollaborators(settings, 'trackBucketChanges'),
    history: new ConfigHistoryItemSource(),
    // No cache: a tag notice must reach the topic the tags name now.
    tags: new S3TagSource(undefined, 0),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const track = createBucketChangeTracker(fromEnvironment());

/** Lambda entry point for EventBridge events from AWS Config about buckets. */
export const handler = (event: unknown): Promise<BucketChangeOutcome> => track(event);
