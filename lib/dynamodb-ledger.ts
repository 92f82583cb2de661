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
  /** Records that SNS accepted a pending notice; false when it is no longer the bucket's last. */
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
const BUCKET_PREFIX = 'BUCKET#';
const FINDING_PREFIX = 'FINDING#';

/** The ledger in one DynamoDB table keyed by `pk`, with TTL on `expiresAt`. */
export class DynamoDbLedger<State extends LedgerEntry> implements Ledger<State> {
  private readonly documents: DynamoDBDocumentClient;

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
    return Item ? storedBucket<State>(Item) : undefined;
  }

  async save(
    state: State,
    expectedVersion: number | undefined,
    finding?: { readonly id: string; readonly noticeId?: string },
  ): Promise<SaveResult> {
    const put = {
      TableName: this.tableName,
      Item: bucketItem(state, (expectedVersion ?? 0) + 1, this.clock()),
      ...versionCondition(expectedVersion),
    };
    if (finding === undefined) {
      try {
        await this.documents.send(new PutCommand(put));
        return 'committed';
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return 'conflict';
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
            { Put: put },
          ],
        }),
      );
      return 'committed';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [markerReason, bucketReason] = error.CancellationReasons ?? [];
      if (markerReason?.Code === 'ConditionalCheckFailed') return 'duplicate';
      if (bucketReason?.Code === 'ConditionalCheckFailed') return 'conflict';
      // Cancelled for another reason (a conflicting transaction in flight): redo it.
      if (error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')) {
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
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: bucketKey(accountId, bucket) },
          UpdateExpression:
            'SET #state.lastNotice.delivery = :sent, #state.lastNotice.messageId = :messageId, #state.lastNotice.topicArn = :topic',
          ConditionExpression: '#state.lastNotice.id = :id',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':messageId': delivery.messageId,
            ':topic': delivery.topicArn,
            ':id': noticeId,
          },
        }),
      );
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
