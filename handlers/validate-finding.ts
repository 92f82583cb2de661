import type { EventBridgeEvent } from 'aws-lambda';
import {
  createFindingTracker,
  type FindingTrackerDependencies,
  type TrackingOutcome,
} from '../flows/track-finding';
import { CloudWatchMetricsSink } from '../lib/cloudwatch-metrics';
import { findingHandlerSettings } from '../lib/settings';
import { bucketTagSources, ledgerCollaborators } from './ledger-collaborators';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): FindingTrackerDependencies {
  const settings = findingHandlerSettings();
  const collaborators = ledgerCollaborators(settings, 'validateFinding');
  return {
    settings,
    ...collaborators,
    metrics: new CloudWatchMetricsSink(settings.metricsNamespace),
    // A member account's bucket is read through its member role.
    tags: bucketTagSources(collaborators.access),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const track = createFindingTracker(fromEnvironment());

/** Lambda entry point for EventBridge "Macie Finding" events. */
export const handler = (
  event: EventBridgeEvent<'Macie Finding', unknown>,
): Promise<TrackingOutcome> => track(event);
