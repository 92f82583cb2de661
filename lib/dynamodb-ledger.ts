import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { MetricCount } from './cloudwatch-metrics';

/** What the ledger needs to know of a bucket's state: which bucket it is. The rest is the flows'. */
export interface LedgerEntry {
  readonly accountId: string;
  readonly bucket: string;
}

/** A bucket's state as stored, with the version a conditional write must match. */
export interface StoredBucket<State extends LedgerEntry = LedgerEntry> {
  readonly state: State;
  readonly version: number;
}

/** That a finding was recorded, kept for {@link FINDING_MARKER_TTL_DAYS} days. */
export interface FindingMarker {
  readonly findingId: string;
  readonly accountId: string;
  readonly bucket: string;
  readonly at: string;
  /** The notice this finding's invocation decided to send, if any. */
  readonly noticeId?: string;
  /** Counts that could not be recorded in CloudWatch and are owed on a retry. */
  readonly pendingMetrics?: readonly MetricCount[];
}

/**
 * `committed`: written. `conflict`: another invocation changed the bucket first
 * (read it again and redo the change). `duplicate`: the finding was recorded
 * before; nothing was written.
 */
export type SaveResult = 'committed' | 'conflict' | 'duplicate';

/** Port: the violation ledger, one record per bucket and one marker per finding. */
export interface Ledger<State extends LedgerEntry = LedgerEntry> {
  bucket(accountId: string, bucket: string): Promise<StoredBucket<State> | undefined>;
  /**
   * The entry as this ledger instance last read, wrote or was refused it, without
   * a request; `undefined` when it has not seen the bucket (or forgot it). It may
   * be out of date: only a conditional write may rely on it (see `save`).
   */
  lastSeen?(accountId: string, bucket: string): StoredBucket<State> | undefined;
  /**
   * Writes a bucket's state if no one else wrote it since it was read at
   * `expectedVersion` (`undefined`: it was not stored yet). With `finding`, also
   * marks the finding recorded, in the same transaction, unless it already is.
   */
  save(
    state: State,
    expectedVersion: number | undefined,
    finding?: { readonly id: string; readonly noticeId?: string },
  ): Promise<SaveResult>;
  finding(findingId: string): Promise<FindingMarker | undefined>;
  /**
   * Records that SNS accepted a pending notice, as a new version of the bucket;
   * false when it is no longer the bucket's last.
   */
  noticeDelivered(
    accountId: string,
    bucket: string,
    noticeId: string,
    delivery: { readonly topicArn: string; readonly messageId: string },
  ): Promise<boolean>;
  /** Keeps counts owed to CloudWatch with the finding, or clears them (`[]`). */
  setPendingMetrics(findingId: string, counts: readonly MetricCount[]): Promise<void>;
  /** Every bucket in the ledger, read page by page. */
  buckets(): AsyncIterable<StoredBucket<State>>;
}

export const FINDING_MARKER_TTL_DAYS = 30;
/**
 * How many buckets' entries a ledger instance remembers (see `lastSeen`); the
 * least recently used are forgotten. A busy entry is under 3 KB.
 */
export const REMEMBERED_BUCKETS = 1000;
const BUCKET_PREFIX = 'BUCKET#';
const FINDING_PREFIX = 'FINDING#';

/** The ledger in one DynamoDB table keyed by `pk`, with TTL on `expiresAt`. */
export class DynamoDbLedger<State extends LedgerEntry> implements Ledger<State> {
  private readonly documents: DynamoDBDocumentClient;
  /** Entries by key, least recently used first. */
  private readonly seen = new Map<string, StoredBucket<State>>();

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async bucket(accountId: string, bucket: string): Promise<StoredBucket<State> | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: bucketKey(accountId, bucket) },
        ConsistentRead: true,
      }),
    );
    const stored = Item ? storedBucket<State>(Item) : undefined;
    this.remember(accountId, bucket, stored);
    return stored;
  }

  lastSeen(accountId: string, bucket: string): StoredBucket<State> | undefined {
    const key = bucketKey(accountId, bucket);
    const stored = this.seen.get(key);
    if (stored) this.remember(accountId, bucket, stored);
    return stored;
  }

  /** Keeps `stored` as the bucket's last seen entry; `undefined` forgets it. */
  private remember(
    accountId: string,
    bucket: string,
    stored: StoredBucket<State> | undefined,
  ): void {
    const key = bucketKey(accountId, bucket);
    this.seen.delete(key);
    if (stored === undefined) return;
    this.seen.set(key, stored);
    if (this.seen.size > REMEMBERED_BUCKETS) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  async save(
    state: State,
    expectedVersion: number | undefined,
    finding?: { readonly id: string; readonly noticeId?: string },
  ): Promise<SaveResult> {
    const version = (expectedVersion ?? 0) + 1;
    const put = {
      TableName: this.tableName,
      Item: bucketItem(state, version, this.clock()),
      ...versionCondition(expectedVersion),
    };
    const { accountId, bucket } = state;
    if (finding === undefined) {
      try {
        await this.documents.send(new PutCommand(put));
        this.remember(accountId, bucket, { state, version });
        return 'committed';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          this.remember(accountId, bucket, undefined);
          return 'conflict';
        }
        throw error;
      }
    }
    const now = this.clock();
    const marker = {
      pk: FINDING_PREFIX + finding.id,
      kind: 'finding',
      findingId: finding.id,
      accountId: state.accountId,
      bucket: state.bucket,
      at: now.toISOString(),
      noticeId: finding.noticeId,
      expiresAt: Math.floor(now.getTime() / 1000) + FINDING_MARKER_TTL_DAYS * 86_400,
    };
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: marker,
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // A refused write brings the stored entry back: the change can be redone
            // from it without reading it again.
            { Put: { ...put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
          ],
        }),
      );
      this.remember(accountId, bucket, { state, version });
      return 'committed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [markerReason, bucketReason] = error.CancellationReasons ?? [];
      if (markerReason?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (bucketReason?.Code === 'ConditionalCheckFailed') {
        // No entry came back when there is none (any more): the next attempt reads.
        const current = bucketReason.Item && storedBucket<State>(unmarshall(bucketReason.Item));
        this.remember(accountId, bucket, current);
        return 'conflict';
      }
      // Cancelled for another reason (a conflicting transaction in flight): redo it.
      if (error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')) {
        this.remember(accountId, bucket, undefined);
        return 'conflict';
      }
      throw error;
    }
  }

  async finding(findingId: string): Promise<FindingMarker | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: FINDING_PREFIX + findingId },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const marker = Item as FindingMarker & { pendingMetrics?: MetricCount[] };
    return {
      findingId: marker.findingId,
      accountId: marker.accountId,
      bucket: marker.bucket,
      at: marker.at,
      ...(marker.noticeId ? { noticeId: marker.noticeId } : {}),
      ...(marker.pendingMetrics?.length ? { pendingMetrics: marker.pendingMetrics } : {}),
    };
  }

  async noticeDelivered(
    accountId: string,
    bucket: string,
    noticeId: string,
    delivery: { readonly topicArn: string; readonly messageId: string },
  ): Promise<boolean> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: bucketKey(accountId, bucket) },
          ReturnValues: 'ALL_NEW',
          // A new version, so a save from a read taken before this mark conflicts
          // instead of writing the notice back as pending.
          UpdateExpression:
            'SET #state.lastNotice.delivery = :sent, #state.lastNotice.messageId = :messageId, #state.lastNotice.topicArn = :topic, #version = #version + :one, updatedAt = :now',
          ConditionExpression: '#state.lastNotice.id = :id',
          ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':messageId': delivery.messageId,
            ':topic': delivery.topicArn,
            ':id': noticeId,
            ':one': 1,
            ':now': this.clock().toISOString(),
          },
        }),
      );
      if (Attributes) this.remember(accountId, bucket, storedBucket<State>(Attributes));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async setPendingMetrics(findingId: string, counts: readonly MetricCount[]): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: FINDING_PREFIX + findingId },
        UpdateExpression: 'SET pendingMetrics = :counts',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':counts': counts },
      }),
    );
  }

  async *buckets(): AsyncIterable<StoredBucket<State>> {
    const pages = paginateScan(
      { client: this.documents },
      {
        TableName: this.tableName,
        FilterExpression: '#kind = :bucket',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':bucket': 'bucket' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) yield storedBucket<State>(item);
    }
  }
}

export function bucketKey(accountId: string, bucket: string): string {
  return `${BUCKET_PREFIX}${accountId}#${bucket}`;
}

function versionCondition(expected: number | undefined) {
  return expected === undefined
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expected },
      };
}

/** The stored item: the state, and its headline fields at the top level for reading by eye. */
function bucketItem(state: LedgerEntry, version: number, now: Date) {
  return {
    pk: bucketKey(state.accountId, state.bucket),
    kind: 'bucket',
    version,
    updatedAt: now.toISOString(),
    accountId: state.accountId,
    bucket: state.bucket,
    state,
  };
}

function storedBucket<State extends LedgerEntry>(
  item: Record<string, unknown>,
): StoredBucket<State> {
  return { state: item.state as State, version: Number(item.version) };
}
