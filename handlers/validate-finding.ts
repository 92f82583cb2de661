import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import {
  CloudWatchMetricsSink,
  type MetricCount,
  type MetricsSink,
} from '../lib/cloudwatch-metrics';
import { FindingParseError } from '../lib/errors';
import { type Finding, parseFinding, tagsOfFinding } from '../lib/macie-finding';
import { isPermanentTagReadError, S3TagSource, type TagSource } from '../lib/s3-tag-source';
import { type FindingHandlerSettings, findingHandlerSettings } from '../lib/settings';
import { type AlertPublisher, SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import type { Policy, Severity } from '../policies/policy';
import { type Alert, composeAlert, composeUnprocessableAlert } from '../rules/alert';
import { type AlertRoute, type FallbackReason, routeAlert } from '../rules/alert-route';
import { evaluateFinding, ignoreReason } from '../rules/verdict';

/** Metric names; the dimensions are part of the contract (see README). */
export const VIOLATIONS_METRIC = 'ClassificationViolations';
export const UNROUTABLE_METRIC = 'UnroutableAlerts';
export const UNPROCESSABLE_METRIC = 'UnprocessableEvents';
/** An event the validator cannot judge may hide a violation: central security should look soon. */
const UNPROCESSABLE_SEVERITY: Severity = 'High';

export interface FindingValidatorDependencies {
  readonly settings: FindingHandlerSettings;
  readonly policy: Policy;
  readonly publisher: AlertPublisher;
  readonly metrics: MetricsSink;
  readonly tags: TagSource;
  readonly logger: Logger;
}

/** What became of one event; returned to Lambda so tests and logs can see it. */
export type ValidationOutcome =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'compliant' }
  | { readonly outcome: 'alerted'; readonly severity: string; readonly topics: readonly string[] }
  | { readonly outcome: 'unprocessable'; readonly reason: string };

type MacieEvent = EventBridgeEvent<'Macie Finding', unknown>;

/**
 * The finding handler's work, with its collaborators passed in: parse the
 * event, judge the finding, alert the owning team (central security when the
 * team cannot be reached), count violations by team and severity.
 */
export function createFindingValidator(deps: FindingValidatorDependencies) {
  const { settings, policy, publisher, metrics, logger } = deps;
  const keys = settings.tagKeys;

  /** Publishes to central security; if even that is refused, the invocation fails. */
  const publishCentrally = async (alert: Alert): Promise<void> => {
    const result = await publisher.publish(settings.securityTopicArn, alert);
    if (result.kind === 'refused') {
      throw new Error(
        `SECURITY_TOPIC_ARN ${settings.securityTopicArn} refused the alert (${result.errorName})`,
      );
    }
  };

  return async function validate(event: MacieEvent | unknown): Promise<ValidationOutcome> {
    let finding: Finding;
    try {
      ({ finding } = parseFinding(event));
    } catch (error) {
      if (!(error instanceof FindingParseError)) throw error;
      logger.error('unprocessable event', { reason: error.message });
      await publishCentrally(
        composeUnprocessableAlert(
          error.message,
          safeStringify(event),
          settings.securityTopicArn,
          UNPROCESSABLE_SEVERITY,
        ),
      );
      await metrics.record([{ name: UNPROCESSABLE_METRIC, dimensions: {}, count: 1 }]);
      return { outcome: 'unprocessable', reason: error.message };
    }

    const bucket = finding.resourcesAffected.s3Bucket.name;
    const context = { findingId: finding.id, bucket, findingType: finding.type };
    const ignored = ignoreReason(finding);
    if (ignored !== undefined) {
      logger.info('finding ignored', { ...context, verdict: 'ignored', reason: ignored });
      return { outcome: 'ignored', reason: ignored };
    }

    let tags = tagsOfFinding(finding);
    let tagsUnreadable: string | undefined;
    if (tags === undefined) {
      try {
        tags = await deps.tags.tagsOf(bucket);
      } catch (error) {
        // Retrying cannot help (another account's bucket, a denying bucket policy, a
        // deleted bucket): judge without tags and tell central security why.
        if (!isPermanentTagReadError(error)) throw error;
        tags = {};
        tagsUnreadable = error.name;
        logger.warn('bucket tags unreadable', { ...context, error: error.name });
      }
    }
    const verdict = evaluateFinding(finding, tags, policy, keys);
    if (verdict.kind === 'ignored') return { outcome: 'ignored', reason: verdict.reason };
    if (verdict.kind === 'compliant') {
      logger.info('finding compliant', { ...context, verdict: 'compliant', team: verdict.team });
      return { outcome: 'compliant' };
    }

    const facts = {
      id: finding.id,
      type: finding.type,
      accountId: finding.accountId,
      region: finding.region,
      partition: finding.partition,
      bucket,
      objectKey: finding.resourcesAffected.s3Object?.key,
      createdAt: finding.createdAt,
      sample: finding.sample,
      tagsUnreadable,
    };
    const alertFor = (route: AlertRoute): Alert =>
      composeAlert(facts, verdict, route, policy.levels);
    const topics: string[] = [];
    const unroutable: FallbackReason[] = [];

    let route = routeAlert(tags, keys, finding.accountId, settings, tagsUnreadable);
    if (route.kind === 'team') {
      const result = await publisher.publish(route.topicArn, alertFor(route));
      if (result.kind === 'published') {
        topics.push(route.topicArn);
      } else {
        route = {
          kind: 'fallback',
          topicArn: settings.securityTopicArn,
          reason: 'PublishRefused',
          detail: `the team topic ${route.topicArn} refused the alert (${result.errorName})`,
        };
      }
    }
    if (route.kind === 'fallback') {
      unroutable.push(route.reason);
      await publishCentrally(alertFor(route));
      topics.push(settings.securityTopicArn);
    } else if (verdict.kind === 'unclassified') {
      // Central security hears of every unclassified bucket, even when the team was reached.
      await publishCentrally(alertFor(route));
      topics.push(settings.securityTopicArn);
    }

    logger.warn('finding alerted', {
      ...context,
      verdict: verdict.kind,
      severity: verdict.severity,
      team: verdict.team,
      sample: finding.sample,
      topics,
      ...(unroutable.length > 0 ? { fallbackReason: unroutable[0] } : {}),
    });
    if (!finding.sample) {
      const counts: MetricCount[] = [
        {
          name: VIOLATIONS_METRIC,
          dimensions: { Team: verdict.team, Severity: verdict.severity },
          count: 1,
        },
        ...unroutable.map((reason) => ({
          name: UNROUTABLE_METRIC,
          dimensions: { Reason: reason },
          count: 1,
        })),
      ];
      await metrics.record(counts);
    }
    return { outcome: 'alerted', severity: verdict.severity, topics };
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): FindingValidatorDependencies {
  const logger = new Logger({ serviceName: 'validateFinding' });
  const settings = findingHandlerSettings();
  return {
    settings,
    policy: loadPolicy(settings.policyFile ?? DEFAULT_POLICY_FILE),
    publisher: new SnsAlertPublisher(),
    metrics: new CloudWatchMetricsSink(settings.metricsNamespace),
    tags: new S3TagSource(),
    logger,
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it, before any event is taken.
const validate = createFindingValidator(fromEnvironment());

/** Lambda entry point for EventBridge "Macie Finding" events. */
export const handler = (event: MacieEvent): Promise<ValidationOutcome> => validate(event);
