import type { MetricCount } from '../../lib/cloudwatch-metrics';
import type { FindingMarker, Ledger, SaveResult, StoredBucket } from '../../lib/dynamodb-ledger';
import type { BucketState } from '../../rules/bucket-state';

/** What DynamoDB keeps of a value: no `undefined`, no shared references. */
function stored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The ledger port in memory, with the DynamoDB adapter's semantics: versioned
 * conditional writes, one marker per finding. For unit tests of the flows; the
 * adapter itself is tested against moto.
 */
export class MemoryLedger implements Ledger<BucketState> {
  readonly entries = new Map<string, StoredBucket<BucketState>>();
  readonly markers = new Map<string, FindingMarker>();
  /** Runs before each write is checked: lets a test interleave another writer. */
  beforeSave: (() => Promise<void>) | undefined;
  /** Thrown by `noticeDelivered`, when set. */
  deliveredFailure: Error | undefined;
  saves = 0;
  conflicts = 0;

  async bucket(accountId: string, bucket: string): Promise<StoredBucket<BucketState> | undefined> {
    const entry = this.entries.get(`${accountId}#${bucket}`);
    return entry && stored(entry);
  }

  async save(
    state: BucketState,
    expectedVersion: number | undefined,
    finding?: { readonly id: string; readonly noticeId?: string },
  ): Promise<SaveResult> {
    await this.beforeSave?.();
    const key = `${state.accountId}#${state.bucket}`;
    if (finding && this.markers.has(finding.id)) return 'duplicate';
    if (this.entries.get(key)?.version !== expectedVersion) {
      this.conflicts++;
      return 'conflict';
    }
    this.saves++;
    this.entries.set(key, { state: stored(state), version: (expectedVersion ?? 0) + 1 });
    if (finding) {
      this.markers.set(finding.id, {
        findingId: finding.id,
        accountId: state.accountId,
        bucket: state.bucket,
        at: new Date().toISOString(),
        ...(finding.noticeId ? { noticeId: finding.noticeId } : {}),
      });
    }
    return 'committed';
  }

  async finding(findingId: string): Promise<FindingMarker | undefined> {
    const marker = this.markers.get(findingId);
    return marker && stored(marker);
  }

  async noticeDelivered(
    accountId: string,
    bucket: string,
    noticeId: string,
    delivery: { readonly topicArn: string; readonly messageId: string },
  ): Promise<boolean> {
    if (this.deliveredFailure) throw this.deliveredFailure;
    const key = `${accountId}#${bucket}`;
    const entry = this.entries.get(key);
    const last = entry?.state.lastNotice;
    if (!entry || last?.id !== noticeId) return false;
    this.entries.set(key, {
      state: { ...entry.state, lastNotice: { ...last, delivery: 'sent', ...delivery } },
      version: entry.version + 1,
    });
    return true;
  }

  async setPendingMetrics(findingId: string, counts: readonly MetricCount[]): Promise<void> {
    const marker = this.markers.get(findingId);
    if (!marker) throw new Error(`no marker for ${findingId}`);
    const { pendingMetrics: _, ...rest } = marker;
    this.markers.set(
      findingId,
      counts.length > 0 ? { ...rest, pendingMetrics: stored(counts) } : rest,
    );
  }

  async *buckets(): AsyncIterable<StoredBucket<BucketState>> {
    for (const entry of this.entries.values()) yield stored(entry);
  }

  /** The stored state of a bucket (test helper). */
  state(accountId: string, bucket: string): BucketState | undefined {
    return this.entries.get(`${accountId}#${bucket}`)?.state;
  }
}
