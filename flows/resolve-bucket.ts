import type { StoredBucket } from '../lib/dynamodb-ledger';
import {
  assessBucket,
  type BucketState,
  resolveByHand,
  withOpenSince,
} from '../rules/bucket-state';
import { decideNotice, noticeRecord, withNotice } from '../rules/notice-decision';
import {
  type BucketNoticeContext,
  routeNotice,
  saveBucketChange,
  sendPendingNotice,
} from './bucket-notice';
import type { WaiversOf } from './waivers';

/** The bucket named is not in the ledger, or not only once. */
export class LedgerLookupError extends Error {
  override readonly name = 'LedgerLookupError';
}

export interface ResolveRequest {
  readonly bucket: string;
  /** Needed when the bucket's name is in the ledger for more than one account. */
  readonly accountId?: string | undefined;
  /** Who resolved it, and why. */
  readonly by: string;
  readonly reason: string;
  /** Send the `resolved` notice to the bucket's route (else record it as withheld). */
  readonly notify: boolean;
}

export type ResolveOutcome =
  | {
      readonly outcome: 'resolved';
      readonly accountId: string;
      readonly bucket: string;
      /** The open types removed from the record. */
      readonly types: readonly string[];
      /** `sent`: the team was told; `withheld`: it was not (`--no-notify`); `none`: it had not been told of open violations. */
      readonly notice: 'sent' | 'withheld' | 'none';
      readonly topics: readonly string[];
    }
  | { readonly outcome: 'nothing-open'; readonly accountId: string; readonly bucket: string };

export interface ResolveDependencies extends BucketNoticeContext {
  readonly waivers: WaiversOf;
  readonly reminderAfterMs: number;
  readonly clock: () => Date;
}

/**
 * Records a resolution by hand (`ledger resolve`): the bucket's open types are
 * removed from its record, with who and why, in a conditional write; the team
 * hears of it once, as of any resolution, unless `notify` is off (the notice is
 * then recorded as withheld, so no daily run sends it later).
 *
 * @throws LedgerLookupError when the bucket is not in the ledger, or is in it
 *   for several accounts and no account was named.
 */
export async function resolveBucketByHand(
  deps: ResolveDependencies,
  request: ResolveRequest,
): Promise<ResolveOutcome> {
  const { policy, settings } = deps;
  const found = await findBucket(deps, request);
  const where = { accountId: found.state.accountId, bucket: found.state.bucket };
  const now = deps.clock();
  const waiverFor = deps.waivers(where.accountId, where.bucket, now);
  let types: readonly string[] = [];
  let withheld = false;
  const saved = await saveBucketChange(
    deps,
    where,
    (current) => {
      if (current === undefined) {
        throw new LedgerLookupError(`bucket ${where.bucket} is no longer in the ledger`);
      }
      const before = assessBucket(current.state, policy, settings.tagKeys, waiverFor);
      if (before.violations.length === 0) return undefined;
      const resolved = resolveByHand(current.state, before, {
        at: now.toISOString(),
        by: request.by,
        reason: request.reason,
      });
      types = resolved.resolution?.types ?? [];
      const assessment = assessBucket(resolved, policy, settings.tagKeys, waiverFor);
      let state = withOpenSince(resolved, assessment, now);
      const decision = decideNotice(state.lastNotice, assessment, {
        now,
        reminderAfterMs: deps.reminderAfterMs,
      });
      const due = decision?.kind === 'resolved' ? decision : undefined;
      withheld = due !== undefined && !request.notify;
      if (due && withheld) {
        const record = noticeRecord(
          deps.newId(),
          due,
          assessment,
          routeNotice(deps, state).topicArn,
          now,
        );
        state = withNotice(state, { ...record, delivery: 'withheld' });
        return { state, assessment, decision: undefined };
      }
      return { state, assessment, decision: due };
    },
    now,
  );
  if (saved.kind !== 'saved') return { outcome: 'nothing-open', ...where };
  let topics: readonly string[] = [];
  if (saved.notice) {
    const delivery = await sendPendingNotice(deps, saved.notice, {
      kind: 'resolve',
      by: request.by,
      reason: request.reason,
      at: now.toISOString(),
    });
    topics = delivery.topics;
  }
  return {
    outcome: 'resolved',
    ...where,
    types,
    notice: saved.notice ? 'sent' : withheld ? 'withheld' : 'none',
    topics,
  };
}

async function findBucket(
  deps: ResolveDependencies,
  request: ResolveRequest,
): Promise<StoredBucket<BucketState>> {
  if (request.accountId !== undefined) {
    const stored = await deps.ledger.bucket(request.accountId, request.bucket);
    if (stored === undefined) {
      throw new LedgerLookupError(
        `bucket ${request.bucket} of account ${request.accountId} is not in the ledger`,
      );
    }
    return stored;
  }
  const matches: StoredBucket<BucketState>[] = [];
  for await (const stored of deps.ledger.buckets()) {
    if (stored.state.bucket === request.bucket) matches.push(stored);
  }
  const [only, ...others] = matches;
  if (only === undefined) {
    throw new LedgerLookupError(`bucket ${request.bucket} is not in the ledger`);
  }
  if (others.length > 0) {
    const accounts = matches.map((m) => m.state.accountId).sort();
    throw new LedgerLookupError(
      `bucket ${request.bucket} is in the ledger for accounts ${accounts.join(', ')}: name one with --account`,
    );
  }
  return only;
}
