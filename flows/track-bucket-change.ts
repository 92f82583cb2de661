import type { ConfigItemSource } from '../lib/config-history';
import {
  BUCKET_RESOURCE_TYPE,
  type BucketItem,
  type ComplianceChangeEvent,
  detailTypeOf,
  isApplicable,
  parseComplianceChangeEvent,
  parseConfigItemChangeEvent,
} from '../lib/config-rule-event';
import { isPermanentTagReadError, type TagSource } from '../lib/s3-tag-source';
import type { BucketChangeSettings } from '../lib/settings';
import { routeAlert } from '../rules/alert-route';
import {
  assessBucket,
  type BucketState,
  bucketDeleted,
  currentDeclaration,
  type Declaration,
  declarationTags,
  describeDeclarationChange,
  emptyState,
  sameDeclaration,
  type WaiverLookup,
  withOpenSince,
} from '../rules/bucket-state';
import type { BucketTags } from '../rules/finding';
import { decideNotice, type NoticeDecision } from '../rules/notice-decision';
import { composeTagsNotice, type TagCompliance, tagsNoticeDue } from '../rules/tags-notice';
import { teamOf } from '../rules/team';
import {
  type BucketChange,
  type LedgerFlowDependencies,
  noticeContextOf,
  type PendingNotice,
  saveBucketChange,
  sendPendingNotice,
} from './bucket-notice';
import { type Delivery, deliverNotice } from './deliver-notice';

export const CONFIG_ITEM_CHANGE = 'Config Configuration Item Change';
export const COMPLIANCE_CHANGE = 'Config Rules Compliance Change';

export interface BucketChangeDependencies extends LedgerFlowDependencies<BucketChangeSettings> {
  /** Configuration items too large for their event. */
  readonly history: ConfigItemSource;
  /** The bucket's tags now, to route a tag notice. */
  readonly tags: TagSource;
}

export type BucketChangeOutcome =
  | { readonly outcome: 'ignored'; readonly reason: string }
  /** A bucket's declaration (or existence) changed; re-judged against what it is known to hold. */
  | {
      readonly outcome: 'declaration';
      readonly bucket: string;
      readonly changed: boolean;
      readonly notice?: { readonly kind: string; readonly topics: readonly string[] };
    }
  /** The tag rule's result for a bucket changed. */
  | {
      readonly outcome: 'tags';
      readonly bucket: string;
      readonly compliance: string;
      /** Whether the ledger took the result (false: seen before, or older). */
      readonly changed?: boolean;
      readonly notice?: { readonly topics: readonly string[] };
    };

/**
 * What happens when a bucket changes, as AWS Config reports it on EventBridge:
 *
 * - `Config Configuration Item Change`: the downgrade guard. The bucket's new
 *   tags become its declaration in the ledger at once, and the bucket is judged
 *   again against every type it is known to hold, without waiting for Macie to
 *   scan it again. Lowering the level below what it holds notifies; raising it so
 *   that everything is allowed resolves. A deleted bucket resolves too.
 * - `Config Rules Compliance Change` of the tag rule: the team hears once when
 *   its bucket turns NON_COMPLIANT or back, on the topic its tags name (when that
 *   is a valid topic); central security hears every one.
 */
export function createBucketChangeTracker(deps: BucketChangeDependencies) {
  const { settings, policy, logger } = deps;
  const keys = settings.tagKeys;
  const noticeContext = noticeContextOf(deps);
  const { clock, newId } = noticeContext;

  async function onConfigurationChange(event: unknown): Promise<BucketChangeOutcome> {
    const { message } = parseConfigItemChangeEvent(event);
    let item: BucketItem | undefined;
    if (message.kind === 'change') {
      item = message.item;
    } else if (message.kind === 'oversized') {
      const { summary } = message;
      if (summary.resourceType !== BUCKET_RESOURCE_TYPE) {
        return { outcome: 'ignored', reason: `not a bucket (${summary.resourceType})` };
      }
      if (!isApplicable(summary.status)) {
        return onDeleted(summary.awsAccountId, summary.resourceId, summary.captureTime);
      }
      item = await deps.history.itemAt(
        summary.resourceType,
        summary.resourceId,
        summary.captureTime,
      );
      if (!item) {
        throw new Error(
          `GetResourceConfigHistory returned no item for ${summary.resourceId} at ${summary.captureTime.toISOString()}`,
        );
      }
    } else {
      return { outcome: 'ignored', reason: `not a configuration change (${message.kind})` };
    }
    if (item.resourceType !== BUCKET_RESOURCE_TYPE) {
      return { outcome: 'ignored', reason: `not a bucket (${item.resourceType})` };
    }
    if (!isApplicable(item.status))
      return onDeleted(item.awsAccountId, item.resourceId, item.captureTime);
    if (item.tagsUnreadable !== undefined) {
      logger.warn('tags in the configuration item unreadable', {
        bucket: item.resourceId,
        problem: item.tagsUnreadable,
      });
      return { outcome: 'ignored', reason: `tags unreadable: ${item.tagsUnreadable}` };
    }
    const declaration: Declaration = {
      tags: declarationTags(item.tags, keys),
      source: 'tag-change',
      readAt: item.captureTime.toISOString(),
    };
    return redeclare(item, declaration);
  }

  async function redeclare(
    item: BucketItem,
    declaration: Declaration,
  ): Promise<BucketChangeOutcome> {
    const now = clock();
    const bucket = item.resourceId;
    const waiverFor = deps.waivers(item.awsAccountId, bucket, now);
    let skipped: 'unchanged' | 'older' | undefined;
    const saved = await saveBucketChange(
      noticeContext,
      { accountId: item.awsAccountId, bucket },
      (stored) => {
        const base =
          stored?.state ??
          emptyState({
            accountId: item.awsAccountId,
            bucket,
            region: item.awsRegion,
            partition: partitionOf(item.awsRegion),
          });
        skipped = sameDeclaration(base.declaration, declaration)
          ? 'unchanged'
          : currentDeclaration(base.declaration, declaration) !== declaration
            ? 'older'
            : undefined;
        if (skipped) return undefined;
        return rejudge({ ...base, declaration }, waiverFor, now, (decision) => [
          ...describeDeclarationChange(base.declaration, declaration, keys),
          ...decision.changes,
        ]);
      },
      now,
    );
    if (saved.kind !== 'saved') {
      if (skipped === 'older') {
        logger.info('configuration change older than the recorded declaration', { bucket });
        return { outcome: 'ignored', reason: 'older than the declaration the ledger holds' };
      }
      return { outcome: 'declaration', bucket, changed: false };
    }
    return notifyChange(bucket, saved.notice);
  }

  /**
   * Judges a bucket again after a change that came without a finding. Such a
   * change is news only when it changes the verdict, so it never sends a reminder.
   */
  function rejudge(
    state: BucketState,
    waiverFor: WaiverLookup,
    now: Date,
    changes: (decision: NoticeDecision) => string[],
  ): BucketChange {
    const assessment = assessBucket(state, policy, keys, waiverFor);
    const next = withOpenSince(state, assessment, now);
    const decision = decideNotice(next.lastNotice, assessment, { now, reminderAfterMs: Infinity });
    return {
      state: next,
      assessment,
      decision: decision && { kind: decision.kind, changes: changes(decision) },
    };
  }

  async function onDeleted(
    accountId: string,
    bucket: string,
    at: Date,
  ): Promise<BucketChangeOutcome> {
    const now = clock();
    const waiverFor = deps.waivers(accountId, bucket, now);
    const saved = await saveBucketChange(
      noticeContext,
      { accountId, bucket },
      (stored) => {
        if (!stored || Object.keys(stored.state.types).length === 0) return undefined;
        return rejudge(bucketDeleted(stored.state, at.toISOString()), waiverFor, now, () => [
          'the bucket was deleted',
        ]);
      },
      now,
    );
    if (saved.kind !== 'saved') return { outcome: 'declaration', bucket, changed: false };
    return notifyChange(bucket, saved.notice);
  }

  /** Sends the notice a saved change of the bucket's declaration or existence decided on. */
  async function notifyChange(
    bucket: string,
    notice: PendingNotice | undefined,
  ): Promise<BucketChangeOutcome> {
    if (!notice) {
      logger.info('bucket change recorded', { bucket });
      return { outcome: 'declaration', bucket, changed: true };
    }
    const delivery = await sendPendingNotice(noticeContext, notice, { kind: 'tag-change' });
    logger.info('bucket change notified', {
      bucket,
      notice: notice.decision.kind,
      topics: delivery.topics,
    });
    return {
      outcome: 'declaration',
      bucket,
      changed: true,
      notice: { kind: notice.decision.kind, topics: delivery.topics },
    };
  }

  async function onComplianceChange(event: unknown): Promise<BucketChangeOutcome> {
    const change = parseComplianceChangeEvent(event);
    if (change.configRuleName !== settings.configRuleName) {
      return { outcome: 'ignored', reason: `another rule (${change.configRuleName})` };
    }
    if (change.resourceType !== BUCKET_RESOURCE_TYPE) {
      return { outcome: 'ignored', reason: `not a bucket (${change.resourceType})` };
    }
    if (change.compliance !== 'COMPLIANT' && change.compliance !== 'NON_COMPLIANT') {
      return { outcome: 'ignored', reason: `not news (${change.compliance})` };
    }
    const compliance: TagCompliance = change.compliance;
    const bucket = change.resourceId;
    const recordedAt = change.recordedAt.toISOString();
    const { tags, tagsUnreadable } = await currentTags(change);

    const now = clock();
    const waiverFor = deps.waivers(change.awsAccountId, bucket, now);
    const route = routeAlert(tags, keys, change.awsAccountId, settings, tagsUnreadable);
    let pending: { id: string; previous: string | undefined } | undefined;
    const saved = await saveBucketChange(
      noticeContext,
      { accountId: change.awsAccountId, bucket },
      (stored) => {
        const base =
          stored?.state ??
          emptyState({
            accountId: change.awsAccountId,
            bucket,
            region: change.awsRegion,
            partition: partitionOf(change.awsRegion),
          });
        const recorded = base.tagCompliance;
        if (recorded && recorded.at >= recordedAt) {
          // The same change again (or an older one): finish a notice left pending.
          const unsent = recorded.at === recordedAt && recorded.notice?.delivery === 'pending';
          pending =
            unsent && recorded.notice
              ? { id: recorded.notice.id, previous: change.previousCompliance }
              : undefined;
          return undefined;
        }
        const previous = recorded?.compliance ?? change.previousCompliance;
        pending = tagsNoticeDue(previous, compliance) ? { id: newId(), previous } : undefined;
        const state: BucketState = {
          ...base,
          tagCompliance: {
            compliance,
            annotation: change.annotation,
            at: recordedAt,
            ...(pending
              ? { notice: { id: pending.id, delivery: 'pending', topicArn: route.topicArn } }
              : {}),
          },
        };
        return {
          state,
          assessment: assessBucket(state, policy, keys, waiverFor),
          decision: undefined,
        };
      },
      now,
    );
    const sending = pending;
    if (!sending) return { outcome: 'tags', bucket, compliance, changed: saved.kind === 'saved' };
    const delivery = await deliverNotice(
      noticeContext,
      route,
      (r) =>
        composeTagsNotice({
          bucket,
          accountId: change.awsAccountId,
          region: change.awsRegion,
          compliance,
          previous: sending.previous,
          annotation: change.annotation,
          recordedAt,
          team: teamOf(tags, keys),
          route: r,
          keys,
          levels: policy.levels,
        }),
      true,
    );
    await markTagsNoticeSent(change.awsAccountId, bucket, sending.id, delivery, now);
    logger.info('tag notice sent', { bucket, compliance, topics: delivery.topics });
    return { outcome: 'tags', bucket, compliance, notice: { topics: delivery.topics } };
  }

  /** Marks a tag notice sent; a failure here must not fail the invocation (a retry would send it again). */
  async function markTagsNoticeSent(
    accountId: string,
    bucket: string,
    id: string,
    delivery: Delivery,
    now: Date,
  ): Promise<void> {
    try {
      await saveBucketChange(
        noticeContext,
        { accountId, bucket },
        (stored) => {
          const record = stored?.state.tagCompliance;
          if (!stored || !record?.notice || record.notice.id !== id) return undefined;
          const state: BucketState = {
            ...stored.state,
            tagCompliance: {
              ...record,
              notice: {
                ...record.notice,
                delivery: 'sent',
                topicArn: delivery.topicArn,
                messageId: delivery.messageId,
              },
            },
          };
          return {
            state,
            assessment: assessBucket(state, policy, keys, deps.waivers(accountId, bucket, now)),
            decision: undefined,
          };
        },
        now,
      );
    } catch (error) {
      logger.error('tag notice sent but not marked sent in the ledger', {
        bucket,
        error: (error as Error).name,
      });
    }
  }

  /**
   * The bucket's tags now, to reach its team; unreadable ones leave central security
   * only, and the notice says why (not that the topic tag is missing).
   */
  async function currentTags(
    change: ComplianceChangeEvent,
  ): Promise<{ tags: BucketTags; tagsUnreadable?: string }> {
    try {
      return {
        tags: declarationTags(await deps.tags.tagsOf(change.resourceId, change.awsAccountId), keys),
      };
    } catch (error) {
      if (!isPermanentTagReadError(error)) throw error;
      logger.warn('bucket tags unreadable', { bucket: change.resourceId, error: error.name });
      return { tags: {}, tagsUnreadable: error.name };
    }
  }

  return async function trackBucketChange(event: unknown): Promise<BucketChangeOutcome> {
    const detailType = detailTypeOf(event);
    switch (detailType) {
      case CONFIG_ITEM_CHANGE:
        return onConfigurationChange(event);
      case COMPLIANCE_CHANGE:
        return onComplianceChange(event);
      default:
        logger.warn('event not handled', { detailType });
        return {
          outcome: 'ignored',
          reason: `not a Config change event (${detailType ?? 'no detail-type'})`,
        };
    }
  };
}

/** The partition of a region: aws-cn and aws-us-gov regions have their own. */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
