import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import {
  createFindingTracker,
  type FindingTrackerDependencies,
  type TrackingOutcome,
} from '../flows/track-finding';
import { waiversFrom } from '../flows/waivers';
import { CloudWatchMetricsSink } from '../lib/cloudwatch-metrics';
import { DynamoDbLedger } from '../lib/dynamodb-ledger';
import { S3TagSource } from '../lib/s3-tag-source';
import { findingHandlerSettings } from '../lib/settings';
import { SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): FindingTrackerDependencies {
  const settings = findingHandlerSettings();
  return {
    settings,
    policy: loadPolicy(settings.policyFile ?? DEFAULT_POLICY_FILE),
    waivers: waiversFrom(settings.waiversFile),
    ledger: new DynamoDbLedger(settings.ledgerTable),
    publisher: new SnsAlertPublisher(),
    metrics: new CloudWatchMetricsSink(settings.metricsNamespace),
    tags: new S3TagSource(),
    logger: new Logger({ serviceName: 'validateFinding' }),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const track = createFindingTracker(fromEnvironment());

/** Lambda entry point for EventBridge "Macie Finding" events. */
export const handler = (
  event: EventBridgeEvent<'Macie Finding', unknown>,
): Promise<TrackingOutcome> => track(event);
