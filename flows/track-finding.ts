import type { MetricCount, MetricsSink } from '../lib/cloudwatch-metrics';
import { FindingParseError } from '../lib/errors';
import { type Finding, parseFinding, tagsOfFinding } from '../lib/macie-finding';
import { isPermanentTagReadError, type TagSource, tagReadFailure } from '../lib/s3-tag-source';
import type { FindingHandlerSettings } from '../lib/settings';
import type { Severity } from '../policies/policy';
import { type Alert, type AlertFinding, composeAlert } from '../rules/alert';
import { type FallbackReason, routeAlert } from '../rules/alert-route';
import {
  assessBucket,
  type BucketState,
  type Declaration,
  declarationTags,
  emptyState,
  fitRecordedTypes,
  recordFinding,
  typeDemand,
  type WaiverLookup,
  withOpenSince,
} from '../rules/bucket-state';
import { decideNotice } from '../rules/notice-decision';
import { evaluateFinding, ignoreReason, judgeDetections } from '../rules/verdict';
import {
  type LedgerFlowDependencies,
  noticeContextOf,
  recordedNotice,
  saveBucketChange,
  sendPendingNotice,
} from './bucket-notice';
import { deliverNotice } from './deliver-notice';
import { recordMetricsOnce } from './record-metrics';
import { reportUnprocessable } from './unprocessable-event';

/** Metric names; the dimensions are part of the contract (see README). */
export const VIOLATIONS_METRIC = 'ClassificationViolations';
export const WAIVED_METRIC = 'WaivedViolations';
export const UNROUTABLE_METRIC = 'UnroutableAlerts';
export { UNPROCESSABLE_METRIC } from './unprocessable-event';

/** An event the validator cannot judge may hide a violation: central security should look soon. */
const UNPROCESSABLE_SEVERITY: Severity = 'High';

export interface FindingTrackerDependencies extends LedgerFlowDependencies<FindingHandlerSettings> {
  readonly metrics: MetricsSink;
  readonly tags: TagSource;
}

/** What became of one event; returned to Lambda so tests and logs can see it. */
export type TrackingOutcome =
  | { readonly outcome: 'ignored'; readonly reason: string }
  | { readonly outcome: 'unprocessable'; readonly reason: string }
  /**
   * A Macie sample: alerted on its own, kept out of the ledger and the metrics;
   * `fallback` says why the alert went to central security instead of the team.
   */
  | {
      readonly outcome: 'sample';
      readonly severity: string;
      readonly topics: readonly string[];
      readonly fallback?: FallbackReason;
    }
  /** Recorded in the ledger; `notice` when the change deserved one. */
  | {
      readonly outcome: 'recorded';
      readonly verdict: 'compliant' | 'violation' | 'unclassified' | 'waived';
      readonly severity?: Severity;
      readonly notice?: { readonly kind: string; readonly topics: readonly string[] };
    }
  /** Recorded before: nothing changed, except finishing what that invocation left undone. */
  | {
      readonly outcome: 'duplicate';
      readonly redelivered: boolean;
      readonly metricsRecorded: boolean;
    };

type MacieEvent = unknown;

/**
 * What happens to a Macie finding: it is parsed, recorded in the bucket's ledger
 * entry, judged with every type the bucket is known to hold against its latest
 * declaration, and notified only when the bucket's state changed in a way the
 * team must hear. Every violating finding is counted in the metrics.
 *
 * Side effects run in an order that never repeats a notice: the ledger write
 * (with the finding's marker and the pending notice) comes first and only one
 * invocation wins it; the notice is published after; the metrics last. A retry
 * of the same finding finds its marker and only finishes what was left undone.
 */
export function createFindingTracker(deps: FindingTrackerDependencies) {
  const { settings, policy, ledger, logger } = deps;
  const keys = settings.tagKeys;
  const noticeContext = noticeContextOf(deps);
  const { clock } = noticeContext;
  const demand = typeDemand(policy);

  const recordMetrics = (findingId: string, counts: readonly MetricCount[]) =>
    recordMetricsOnce(deps.metrics, ledger, logger, findingId, counts);

  return async function track(event: MacieEvent): Promise<TrackingOutcome> {
    let finding: Finding;
    try {
      ({ finding } = parseFinding(event));
    } catch (error) {
      if (!(error instanceof FindingParseError)) throw error;
      return unprocessable(error.message, event);
    }

    const bucket = finding.resourcesAffected.s3Bucket.name;
    const context = { findingId: finding.id, bucket, findingType: finding.type };
    const ignored = ignoreReason(finding);
    if (ignored !== undefined) {
      logger.info('finding ignored', { ...context, reason: ignored });
      return { outcome: 'ignored', reason: ignored };
    }

    const now = clock();
    const { declaration, tagsUnreadable } = await readDeclaration(finding, now);
    if (finding.sample) return alertSample(finding, declaration?.tags ?? {}, tagsUnreadable);

    const where = {
      accountId: finding.accountId,
      bucket,
      region: finding.region,
      partition: finding.partition,
    };
    const waiverFor = deps.waivers(finding.accountId, bucket, now);
    const saved = await saveBucketChange(
      noticeContext,
      where,
      (stored) => {
        const before = stored?.state ?? emptyState(where);
        const recorded = fitRecordedTypes(recordFinding(before, finding, declaration, now), demand);
        if ((recorded.typesLeftOut ?? 0) > (before.typesLeftOut ?? 0)) {
          logger.warn('ledger entry full: least demanding types left out', {
            ...context,
            leftOut: (recorded.typesLeftOut ?? 0) - (before.typesLeftOut ?? 0),
            kept: Object.keys(recorded.types).length,
          });
        }
        const assessment = assessBucket(recorded, policy, keys, waiverFor);
        const state = withOpenSince(recorded, assessment, now);
        const decision = decideNotice(state.lastNotice, assessment, {
          now,
          reminderAfterMs: settings.reminderAfterMs,
        });
        return { state, assessment, decision, tagsUnreadable };
      },
      now,
      { id: finding.id },
    );
    if (saved.kind === 'duplicate') return finishDuplicate(finding);
    if (saved.kind === 'unchanged') throw new Error('a finding always changes its bucket');

    let delivered:
      | { kind: string; topics: readonly string[]; fallback?: FallbackReason }
      | undefined;
    if (saved.notice) {
      const facts = alertFacts(finding, tagsUnreadable);
      const delivery = await sendPendingNotice(noticeContext, saved.notice, {
        kind: 'finding',
        finding: facts,
      });
      delivered = {
        kind: saved.notice.decision.kind,
        topics: delivery.topics,
        ...(delivery.fallbackReason ? { fallback: delivery.fallbackReason } : {}),
      };
    }

    // The finding's own verdict, by the declaration the bucket is judged by now.
    const judged = judgeFinding(finding, saved.state, waiverFor);
    const counts: MetricCount[] = [];
    if (judged.verdict === 'violation' || judged.verdict === 'unclassified') {
      counts.push({
        name: VIOLATIONS_METRIC,
        dimensions: { Team: judged.team, Severity: judged.severity },
        count: 1,
      });
    } else if (judged.verdict === 'waived') {
      counts.push({ name: WAIVED_METRIC, dimensions: { Team: judged.team }, count: 1 });
    }
    if (delivered?.fallback) {
      counts.push({
        name: UNROUTABLE_METRIC,
        dimensions: { Reason: delivered.fallback },
        count: 1,
      });
    }
    logger.info('finding recorded', {
      ...context,
      verdict: judged.verdict,
      bucketVerdict: saved.assessment.verdict,
      team: saved.assessment.team,
      ...(delivered ? { notice: delivered.kind, topics: delivered.topics } : {}),
    });
    await recordMetrics(finding.id, counts);
    return {
      outcome: 'recorded',
      verdict: judged.verdict,
      ...(judged.verdict === 'compliant' || judged.verdict === 'waived'
        ? {}
        : { severity: judged.severity }),
      ...(delivered ? { notice: { kind: delivered.kind, topics: delivered.topics } } : {}),
    };
  };

  /** The tags in the finding, else the bucket's tags read now; unreadable ones say why. */
  async function readDeclaration(
    finding: Finding,
    now: Date,
  ): Promise<{ declaration?: Declaration; tagsUnreadable?: string }> {
    const snapshot = tagsOfFinding(finding);
    if (snapshot !== undefined) {
      const createdAt = Date.parse(finding.createdAt ?? '');
      return {
        declaration: {
          tags: declarationTags(snapshot, keys),
          source: 'finding',
          readAt: Number.isNaN(createdAt) ? now.toISOString() : new Date(createdAt).toISOString(),
        },
      };
    }
    const bucket = finding.resourcesAffected.s3Bucket.name;
    try {
      const tags = await deps.tags.tagsOf(bucket, finding.accountId);
      return {
        declaration: {
          tags: declarationTags(tags, keys),
          source: 'live',
          readAt: now.toISOString(),
        },
      };
    } catch (error) {
      // Retrying cannot help (another account's bucket, a denying bucket policy, a
      // deleted bucket): judge by what the ledger knows, and say why.
      if (!isPermanentTagReadError(error)) throw error;
      logger.warn('bucket tags unreadable', { findingId: finding.id, bucket, error: error.name });
      return { tagsUnreadable: tagReadFailure(error) };
    }
  }

  /**
   * The finding was recorded before (a repeated delivery, or a retry after a
   * failure). Finish what its first invocation left undone: a notice still
   * pending, counts still owed to CloudWatch.
   */
  async function finishDuplicate(finding: Finding): Promise<TrackingOutcome> {
    const marker = await ledger.finding(finding.id);
    let redelivered = false;
    if (marker?.noticeId) {
      const stored = await ledger.bucket(marker.accountId, marker.bucket);
      const last = stored?.state.lastNotice;
      if (stored && last?.id === marker.noticeId && last.delivery === 'pending') {
        const { state } = stored;
        const waiverFor = deps.waivers(state.accountId, state.bucket, clock());
        const assessment = assessBucket(state, policy, keys, waiverFor);
        const pending = recordedNotice(noticeContext, state, assessment);
        if (pending) {
          await sendPendingNotice(noticeContext, pending, {
            kind: 'finding',
            finding: alertFacts(finding, undefined),
          });
          redelivered = true;
        }
      }
    }
    const owed = marker?.pendingMetrics ?? [];
    if (owed.length > 0)
      await recordMetricsOnce(deps.metrics, ledger, logger, finding.id, owed, true);
    logger.info('finding recorded before', {
      findingId: finding.id,
      redelivered,
      metrics: owed.length,
    });
    return { outcome: 'duplicate', redelivered, metricsRecorded: owed.length > 0 };
  }

  /** Judges the finding by the bucket's current declaration, with the waivers in force. */
  function judgeFinding(finding: Finding, state: BucketState, waiverFor: WaiverLookup) {
    const tags = state.declaration?.tags ?? {};
    const verdict = evaluateFinding(finding, tags, policy, keys);
    if (verdict.kind === 'ignored' || verdict.kind === 'compliant') {
      return {
        verdict: 'compliant' as const,
        team: verdict.kind === 'compliant' ? verdict.team : '',
      };
    }
    const notAllowed = verdict.kind === 'violation' ? verdict.violations : verdict.detections;
    const unwaived = notAllowed.filter((d) => waiverFor(d.type)?.status !== 'active');
    if (unwaived.length === 0) return { verdict: 'waived' as const, team: verdict.team };
    if (unwaived.length === notAllowed.length) {
      return { verdict: verdict.kind, team: verdict.team, severity: verdict.severity };
    }
    const rest = judgeDetections(unwaived, tags, policy, keys, verdict);
    return rest.kind === 'compliant'
      ? { verdict: 'waived' as const, team: verdict.team }
      : { verdict: rest.kind, team: verdict.team, severity: rest.severity };
  }

  /** A Macie sample finding alerts on its own, marked as a sample, and stays out of the ledger. */
  async function alertSample(
    finding: Finding,
    tags: Readonly<Record<string, string>>,
    tagsUnreadable: string | undefined,
  ): Promise<TrackingOutcome> {
    const verdict = evaluateFinding(finding, tags, policy, keys);
    if (verdict.kind === 'ignored' || verdict.kind === 'compliant') {
      return { outcome: 'sample', severity: '-', topics: [] };
    }
    const facts = alertFacts(finding, tagsUnreadable);
    const route = routeAlert(tags, keys, finding.accountId, settings, tagsUnreadable);
    const delivery = await deliverNotice(
      noticeContext,
      route,
      (r): Alert => composeAlert(facts, verdict, r, policy.levels),
      verdict.kind === 'unclassified',
    );
    logger.info('sample finding alerted', { findingId: finding.id, topics: delivery.topics });
    return {
      outcome: 'sample',
      severity: verdict.severity,
      topics: delivery.topics,
      ...(delivery.fallbackReason ? { fallback: delivery.fallbackReason } : {}),
    };
  }

  async function unprocessable(reason: string, event: unknown): Promise<TrackingOutcome> {
    await reportUnprocessable(
      {
        channel: noticeContext,
        metrics: deps.metrics,
        logger,
        logGroupName: settings.logGroupName,
      },
      reason,
      event,
      UNPROCESSABLE_SEVERITY,
    );
    return { outcome: 'unprocessable', reason };
  }
}

function alertFacts(finding: Finding, tagsUnreadable: string | undefined): AlertFinding {
  return {
    id: finding.id,
    type: finding.type,
    accountId: finding.accountId,
    region: finding.region,
    partition: finding.partition,
    bucket: finding.resourcesAffected.s3Bucket.name,
    objectKey: finding.resourcesAffected.s3Object?.key,
    createdAt: finding.createdAt,
    sample: finding.sample,
    tagsUnreadable,
  };
}
