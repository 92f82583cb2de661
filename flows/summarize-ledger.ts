import type { MetricsSink } from '../lib/cloudwatch-metrics';
import type { StoredBucket } from '../lib/dynamodb-ledger';
import { type LedgerJob, parseLedgerJob } from '../lib/ledger-job';
import type { SummarizeLedgerSettings } from '../lib/settings';
import type { AlertRoute } from '../rules/alert-route';
import { assessBucket, type BucketState, withOpenSince } from '../rules/bucket-state';
import {
  type AssessedBucket,
  composeOverallDigest,
  composeTeamDigest,
  planDigests,
} from '../rules/digest';
import { ledgerMetrics } from '../rules/ledger-metrics';
import type { NoticeTrigger } from '../rules/notice';
import { decideNotice, type NoticeDecision } from '../rules/notice-decision';
import {
  type LedgerFlowDependencies,
  noticeContextOf,
  recordedNotice,
  routeNotice,
  saveBucketChange,
  sendPendingNotice,
} from './bucket-notice';
import { deliverNotice } from './deliver-notice';

/**
 * A notice recorded as pending by a daily run or a resolution by hand, and not
 * marked sent after this long, was lost with its invocation: the next run sends
 * it. (A notice decided for a finding is finished by that finding's retry.)
 * Longer than any invocation runs, so a run never sends a notice that another
 * invocation is still sending.
 */
export const PENDING_NOTICE_GRACE_MS = 30 * 60_000;

export interface LedgerSummaryDependencies extends LedgerFlowDependencies<SummarizeLedgerSettings> {
  readonly metrics: MetricsSink;
}

/** A notice the daily run sent about one bucket. */
export interface ScheduledNotice {
  readonly accountId: string;
  readonly bucket: string;
  readonly kind: NoticeDecision['kind'];
  readonly topics: readonly string[];
}

/** A digest the daily run sent. */
export interface SentDigest {
  /** `null` for central security's overall digest. */
  readonly team: string | null;
  readonly topicArn: string;
  readonly buckets: number;
}

export type SummaryOutcome =
  | {
      readonly job: 'digest';
      readonly buckets: number;
      readonly notices: readonly ScheduledNotice[];
      readonly digests: readonly SentDigest[];
    }
  | { readonly job: 'metrics'; readonly buckets: number; readonly datapoints: number };

/** Some deliveries of the daily run failed; the others were made. */
export class LedgerSummaryError extends Error {
  override readonly name = 'LedgerSummaryError';
}

/**
 * The ledger's scheduled jobs.
 *
 * `digest`: first, every bucket is judged again at the run's time; a change
 * that came without a finding (a waiver expired or was granted, the policy
 * changed) gets its notice, exactly once, as a finding's would: `violation`,
 * `escalation` or `resolved` (reminders come with findings; the digest covers
 * quiet buckets). Then each team with open violations, unclassified buckets or
 * waivers ending within seven days gets one digest per topic its buckets name;
 * buckets that cannot reach a team topic are listed in a digest to central
 * security, which also gets one overall digest.
 *
 * `metrics`: the ledger's state as CloudWatch gauges, `BucketsInViolation` by
 * team and severity and `UnclassifiedBuckets` by team.
 */
export function createLedgerSummary(deps: LedgerSummaryDependencies) {
  const { settings, policy, ledger, logger } = deps;
  const keys = settings.tagKeys;
  const context = noticeContextOf(deps);
  const { clock } = context;

  /** Runs the job a scheduled event names. */
  async function run(event: unknown): Promise<SummaryOutcome> {
    const job: LedgerJob = parseLedgerJob(event);
    return job === 'digest' ? digest() : metrics();
  }

  async function digest(): Promise<SummaryOutcome> {
    const now = clock();
    const assessed: AssessedBucket[] = [];
    const notices: ScheduledNotice[] = [];
    const failures: string[] = [];
    for await (const stored of ledger.buckets()) {
      try {
        const settled = await settle(stored, now);
        assessed.push(settled.bucket);
        if (settled.notice) notices.push(settled.notice);
      } catch (error) {
        // One bucket must not keep the others' notices and digests from going out.
        const { bucket } = stored.state;
        failures.push(`notice for bucket ${bucket}: ${(error as Error).message}`);
        logger.error('scheduled notice failed', { bucket, error: (error as Error).name });
        assessed.push(assess(stored.state, now));
      }
    }

    const digests: SentDigest[] = [];
    for (const plan of planDigests(assessed, now)) {
      try {
        const delivery = await deliverNotice(
          context,
          plan.route,
          (route) => composeTeamDigest(plan, route, now, policy.levels),
          false,
        );
        digests.push({
          team: plan.team,
          topicArn: delivery.topicArn,
          buckets: plan.buckets.length,
        });
      } catch (error) {
        failures.push(`digest for team ${plan.team}: ${(error as Error).message}`);
        logger.error('digest failed', { team: plan.team, error: (error as Error).name });
      }
    }
    const central: AlertRoute = { kind: 'team', topicArn: settings.securityTopicArn };
    try {
      const delivery = await deliverNotice(
        context,
        central,
        (route) => composeOverallDigest(assessed, route, now, policy.levels),
        false,
      );
      digests.push({ team: null, topicArn: delivery.topicArn, buckets: assessed.length });
    } catch (error) {
      failures.push(`overall digest: ${(error as Error).message}`);
      logger.error('overall digest failed', { error: (error as Error).name });
    }

    logger.info('daily digest', {
      buckets: assessed.length,
      notices: notices.length,
      digests: digests.length,
      failures: failures.length,
    });
    if (failures.length > 0) {
      throw new LedgerSummaryError(
        `${failures.length} deliveries of the daily run failed: ${failures.join('; ')}`,
      );
    }
    return { job: 'digest', buckets: assessed.length, notices, digests };
  }

  async function metrics(): Promise<SummaryOutcome> {
    const now = clock();
    const assessments = [];
    for await (const stored of ledger.buckets()) {
      assessments.push(assess(stored.state, now).assessment);
    }
    const counts = ledgerMetrics(assessments);
    await deps.metrics.record(counts);
    logger.info('bucket metrics', { buckets: assessments.length, datapoints: counts.length });
    return { job: 'metrics', buckets: assessments.length, datapoints: counts.length };
  }

  function assess(state: BucketState, now: Date): AssessedBucket {
    const waiverFor = deps.waivers(state.accountId, state.bucket, now);
    return {
      state,
      assessment: assessBucket(state, policy, keys, waiverFor),
      route: routeNotice(context, state),
    };
  }

  /**
   * Sends the notice a bucket's state is due without a finding, if any, and
   * returns the bucket as it stands after.
   */
  async function settle(
    stored: StoredBucket<BucketState>,
    now: Date,
  ): Promise<{ bucket: AssessedBucket; notice?: ScheduledNotice }> {
    const scanned = assess(stored.state, now);
    const last = stored.state.lastNotice;
    if (
      last?.delivery === 'pending' &&
      last.findingId === undefined &&
      now.getTime() - Date.parse(last.at) >= PENDING_NOTICE_GRACE_MS
    ) {
      return finishPending(stored.state, scanned);
    }
    const timing = { now, reminderAfterMs: settings.reminderAfterMs };
    if (!dueWithoutFinding(decideNotice(last, scanned.assessment, timing))) {
      return { bucket: scanned };
    }

    const { state: where } = stored;
    const waiverFor = deps.waivers(where.accountId, where.bucket, now);
    const saved = await saveBucketChange(
      context,
      where,
      (current) => {
        if (current === undefined) return undefined;
        const assessment = assessBucket(current.state, policy, keys, waiverFor);
        const state = withOpenSince(current.state, assessment, now);
        const decision = decideNotice(state.lastNotice, assessment, timing);
        return dueWithoutFinding(decision) ? { state, assessment, decision } : undefined;
      },
      now,
    );
    if (saved.kind !== 'saved' || saved.notice === undefined) return { bucket: scanned };
    const delivery = await sendPendingNotice(context, saved.notice, { kind: 'schedule' });
    logger.info('scheduled notice', {
      bucket: where.bucket,
      kind: saved.notice.decision.kind,
      topics: delivery.topics,
    });
    return {
      bucket: { state: saved.state, assessment: saved.assessment, route: saved.notice.route },
      notice: {
        accountId: where.accountId,
        bucket: where.bucket,
        kind: saved.notice.decision.kind,
        topics: delivery.topics,
      },
    };
  }

  /** Sends a notice a daily run or a resolution by hand recorded and then lost. */
  async function finishPending(
    state: BucketState,
    scanned: AssessedBucket,
  ): Promise<{ bucket: AssessedBucket; notice: ScheduledNotice }> {
    const pending = recordedNotice(context, state, scanned.assessment, scanned.route);
    if (!pending) throw new Error(`bucket ${state.bucket} has no notice to send`);
    const last = state.lastNotice as NonNullable<BucketState['lastNotice']>;
    const trigger: NoticeTrigger =
      last.kind === 'resolved' && state.resolution
        ? {
            kind: 'resolve',
            by: state.resolution.by,
            reason: state.resolution.reason,
            at: state.resolution.at,
          }
        : { kind: 'schedule' };
    const delivery = await sendPendingNotice(context, pending, trigger);
    logger.info('pending notice sent', { bucket: state.bucket, kind: pending.decision.kind });
    return {
      bucket: scanned,
      notice: {
        accountId: state.accountId,
        bucket: state.bucket,
        kind: pending.decision.kind,
        topics: delivery.topics,
      },
    };
  }

  return { run, digest, metrics };
}

/** Reminders come with findings; the digest covers quiet buckets. */
function dueWithoutFinding(
  decision: NoticeDecision | undefined,
): decision is NoticeDecision & { kind: 'violation' | 'escalation' | 'resolved' } {
  return decision !== undefined && decision.kind !== 'reminder';
}
