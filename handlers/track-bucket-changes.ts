import {
  type BucketChangeDependencies,
  type BucketChangeOutcome,
  createBucketChangeTracker,
} from '../flows/track-bucket-change';
import { ConfigHistoryItemSource } from '../lib/config-history';
import { bucketChangeSettings } from '../lib/settings';
import { bucketTagSources, ledgerCollaborators } from './ledger-collaborators';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): BucketChangeDependencies {
  const settings = bucketChangeSettings();
  const collaborators = ledgerCollaborators(settings, 'trackBucketChanges');
  return {
    settings,
    ...collaborators,
    history: new ConfigHistoryItemSource(),
    // No cache: a tag notice must reach the topic the tags name now.
    tags: bucketTagSources(collaborators.access, 0),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const track = createBucketChangeTracker(fromEnvironment());

/** Lambda entry point for EventBridge events from AWS Config about buckets. */
export const handler = (event: unknown): Promise<BucketChangeOutcome> => track(event);
