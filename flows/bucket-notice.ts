import type { Logger } from '@aws-lambda-powertools/logger';
import type { Ledger, StoredBucket } from '../lib/dynamodb-ledger';
import type { AlertPublisher } from '../lib/sns-alert-publisher';
import type { TopicTagReader } from '../lib/sns-topic-directory';
import type { Policy } from '../policies/policy';
import { type AlertRoute, type RoutingPolicy, routeAlert } from '../rules/alert-route';
import type { BucketAssessment, BucketState } from '../rules/bucket-state';
import type { TagKeys } from '../rules/finding';
import { composeNotice, type NoticeTrigger } from '../rules/notice';
import { type NoticeDecision, noticeRecord, withNotice } from '../rules/notice-decision';
import type { OptInTag } from '../rules/topic-opt-in';
import { type Delivery, deliverNotice } from './deliver-notice';
import type { WaiversOf } from './waivers';

/** Concurrent writers of one bucket redo their change after a conflict; this many times at most. */
export const MAX_SAVE_ATTEMPTS = 25;

/** What saving a bucket's state with its notice needs. */
export interface BucketNoticeContext {
  readonly settings: RoutingPolicy & { readonly tagKeys: TagKeys; readonly topicOptIn: OptInTag };
  readonly policy: Policy;
  readonly ledger: Ledger<BucketState>;
  readonly publisher: AlertPublisher;
  /** Team topics' tags: nothing is published to a team topic that has not opted in. */
  readonly topicTags: TopicTagReader;
  readonly logger: Logger;
  readonly newId: () => string;
  /** Waits before redoing a change that lost a race. */
  readonly pause: (attempt: number) => Promise<void>;
}

/** What every flow that writes the ledger and sends notices is given. */
export interface LedgerFlowDependencies<
  Settings extends BucketNoticeContext['settings'] = BucketNoticeContext['settings'],
> {
  readonly settings: Settings;
  readonly policy: Policy;
  readonly waivers: WaiversOf;
  readonly ledger: Ledger<BucketState>;
  readonly publisher: AlertPublisher;
  readonly topicTags: TopicTagReader;
  readonly logger: Logger;
  /** The time; the wall clock unless a test gives another. */
  readonly clock?: () => Date;
  /** Ids for notices; random UUIDs unless a test gives others. */
  readonly newId?: () => string;
  /** Waits before redoing a change that lost a race; a short random wait by default. */
  readonly pause?: (attempt: number) => Promise<void>;
}

/** A flow's notice context and clock, with the defaults filled in. */
export function noticeContextOf(
  deps: LedgerFlowDependencies,
): BucketNoticeContext & { readonly clock: () => Date } {
  return {
    settings: deps.settings,
    policy: deps.policy,
    ledger: deps.ledger,
    publisher: deps.publisher,
    topicTags: deps.topicTags,
    logger: deps.logger,
    clock: deps.clock ?? (() => new Date()),
    newId: deps.newId ?? (() => crypto.randomUUID()),
    pause:
      deps.pause ??
      ((attempt: number) =>
        new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 20 * attempt))),
  };
}

/** A bucket's new state, judged, and the notice it deserves (if any). */
export interface BucketChange {
  readonly state: BucketState;
  readonly assessment: BucketAssessment;
  readonly decision: NoticeDecision | undefined;
  /** Why the bucket's tags could not be read, when they could not. */
  readonly tagsUnreadable?: string | undefined;
}

/** A notice recorded in the ledger as pending, to be published. */
export interface PendingNotice {
  readonly id: string;
  readonly decision: NoticeDecision;
  /** The state before the notice was recorded (its counts since the last notice). */
  readonly before: BucketState;
  readonly assessment: BucketAssessment;
  readonly route: AlertRoute;
  readonly tagsUnreadable?: string;
}

export type SavedChange =
  /** The finding was recorded before: nothing was written. */
  | { readonly kind: 'duplicate' }
  /** The change found nothing to write. */
  | { readonly kind: 'unchanged' }
  | {
      readonly kind: 'saved';
      readonly state: BucketState;
      readonly assessment: BucketAssessment;
      readonly notice?: PendingNotice;
    };

/** Where a bucket's notices go: its topic tag, else central security with the reason. */
export function routeNotice(
  context: Pick<BucketNoticeContext, 'settings'>,
  state: BucketState,
  tagsUnreadable?: string,
): AlertRoute {
  const { settings } = context;
  return routeAlert(
    state.declaration?.tags ?? {},
    settings.tagKeys,
    state.accountId,
    settings,
    tagsUnreadable,
  );
}

/**
 * Writes a change of a bucket's state, with the notice it deserves recorded as
 * pending in the same conditional write, so that only one writer ever decides
 * to send it. When another writer changed the bucket first, the change is read
 * and made again.
 *
 * @param change the new state from the stored one (`undefined`: not stored
 *   yet); `undefined` when there is nothing to write.
 * @param finding marks the finding recorded in the same write (see `Ledger.save`).
 */
export async function saveBucketChange(
  context: BucketNoticeContext,
  where: { readonly accountId: string; readonly bucket: string },
  change: (stored: StoredBucket<BucketState> | undefined) => BucketChange | undefined,
  now: Date,
  finding?: { readonly id: string },
): Promise<SavedChange> {
  const { ledger } = context;
  // A finding's change always writes, and the write is conditional: it may start
  // from the entry as this container last saw it, or, for a bucket it has not
  // seen, from none (a new bucket). Should that be out of date, the write is
  // refused and brings the stored entry back. Other changes may find nothing to
  // write, which only a fresh read can tell: they read first.
  const fromLastSeen = finding !== undefined && ledger.lastSeen !== undefined;
  for (let attempt = 1; ; attempt++) {
    const seen = fromLastSeen ? ledger.lastSeen?.(where.accountId, where.bucket) : undefined;
    const stored =
      seen ??
      (fromLastSeen && attempt === 1
        ? undefined
        : await ledger.bucket(where.accountId, where.bucket));
    const changed = change(stored);
    if (changed === undefined) return { kind: 'unchanged' };
    const { state, assessment, decision } = changed;
    // Unreadable tags matter only while no declaration is known.
    const tagsUnreadable = state.declaration ? undefined : changed.tagsUnreadable;
    let notice: PendingNotice | undefined;
    let toSave = state;
    if (decision) {
      const route = routeNotice(context, state, tagsUnreadable);
      notice = {
        id: context.newId(),
        decision,
        before: state,
        assessment,
        route,
        ...(tagsUnreadable === undefined ? {} : { tagsUnreadable }),
      };
      toSave = withNotice(
        state,
        noticeRecord(notice.id, decision, assessment, route.topicArn, now, finding?.id),
      );
    }
    const result = await ledger.save(
      toSave,
      stored?.version,
      finding && { id: finding.id, ...(notice ? { noticeId: notice.id } : {}) },
    );
    if (result === 'duplicate') return { kind: 'duplicate' };
    if (result === 'committed') {
      return { kind: 'saved', state: toSave, assessment, ...(notice ? { notice } : {}) };
    }
    if (attempt >= MAX_SAVE_ATTEMPTS) {
      throw new Error(
        `the ledger entry of bucket ${where.bucket} kept changing under ${MAX_SAVE_ATTEMPTS} attempts to write it`,
      );
    }
    await context.pause(attempt);
  }
}

/**
 * The pending notice a bucket's entry holds, rebuilt from its record to be sent
 * again by whoever finds it unsent (a retried finding, the daily run).
 */
export function recordedNotice(
  context: Pick<BucketNoticeContext, 'settings'>,
  state: BucketState,
  assessment: BucketAssessment,
  route: AlertRoute = routeNotice(context, state),
): PendingNotice | undefined {
  const last = state.lastNotice;
  if (!last) return undefined;
  return {
    id: last.id,
    decision: { kind: last.kind as NoticeDecision['kind'], changes: last.changes ?? [] },
    before: state,
    assessment,
    route,
  };
}

/**
 * Publishes a notice the ledger holds as pending, then marks it sent. Unclassified
 * buckets are central security's business too: their notices (but for
 * resolutions) also go there.
 */
export async function sendPendingNotice(
  context: BucketNoticeContext,
  notice: PendingNotice,
  trigger: NoticeTrigger,
): Promise<Delivery> {
  const { settings, policy } = context;
  const { before, assessment, decision, tagsUnreadable } = notice;
  const delivery = await deliverNotice(
    context,
    notice.route,
    (route) =>
      composeNotice({
        state: before,
        assessment,
        decision,
        route,
        trigger,
        levels: policy.levels,
        keys: settings.tagKeys,
        ...(tagsUnreadable === undefined ? {} : { tagsUnreadable }),
      }),
    copiesToCentral(assessment, decision),
  );
  await confirmDelivery(context, before, notice.id, delivery);
  return delivery;
}

/** Unclassified buckets are central security's business too, whoever else hears of them. */
function copiesToCentral(assessment: BucketAssessment, decision: NoticeDecision): boolean {
  return assessment.verdict === 'unclassified' && decision.kind !== 'resolved';
}

/** Marks the notice sent; a failure here must not fail the caller (a retry would send it again). */
async function confirmDelivery(
  context: BucketNoticeContext,
  state: BucketState,
  noticeId: string,
  delivery: Delivery,
): Promise<void> {
  try {
    await context.ledger.noticeDelivered(state.accountId, state.bucket, noticeId, {
      topicArn: delivery.topicArn,
      messageId: delivery.messageId,
    });
  } catch (error) {
    context.logger.error('notice sent but not marked sent in the ledger', {
      bucket: state.bucket,
      noticeId,
      error: (error as Error).name,
    });
  }
}
