/**
 * Faults moto cannot produce on demand; the ledger's semantics are tested against moto in
 * test/integration/dynamodb-ledger.test.ts.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbLedger, type LedgerEntry } from '../../../lib/dynamodb-ledger';
import { awsError } from '../../support/aws-errors';

const entry: LedgerEntry = { accountId: '111122223333', bucket: 'team-a-ledger' };

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

describe('DynamoDbLedger faults', () => {
  const documents = mockClient(DynamoDBDocumentClient);
  const ledger = new DynamoDbLedger<LedgerEntry>(
    'ledger',
    new DynamoDBClient({ region: 'us-east-1' }),
    () => new Date('2025-05-21T00:00:00.000Z'),
  );
  beforeEach(() => documents.reset());
  afterAll(() => documents.restore());

  it('reads a transaction cancelled by a conflicting transaction as a conflict, to redo', async () => {
    documents.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));

    const result = await ledger.save(entry, 3, { id: 'finding-1' });

    expect(result).toBe('conflict');
  });

  it('rethrows a transaction cancelled for another reason', async () => {
    const error = cancelled('None', 'ProvisionedThroughputExceeded');
    documents.on(TransactWriteCommand).rejects(error);

    await expect(ledger.save(entry, 3, { id: 'finding-1' })).rejects.toBe(error);
  });

  it('rethrows an unexpected error of a transaction', async () => {
    const error = awsError('InternalServerError', 'try again', 'server');
    documents.on(TransactWriteCommand).rejects(error);

    await expect(ledger.save(entry, undefined, { id: 'finding-1' })).rejects.toBe(error);
  });

  it('rethrows an unexpected error of a plain write', async () => {
    const error = awsError('ResourceNotFoundException', 'Requested resource not found');
    documents.on(PutCommand).rejects(error);

    await expect(ledger.save(entry, undefined)).rejects.toBe(error);
  });

  it('rethrows an unexpected error when marking a notice delivered', async () => {
    const error = awsError('ProvisionedThroughputExceededException', 'slow down');
    documents.on(UpdateCommand).rejects(error);

    await expect(
      ledger.noticeDelivered(entry.accountId, entry.bucket, 'notice-1', {
        topicArn: 'arn:aws:sns:us-east-1:111122223333:team-a-alerts',
        messageId: 'm-1',
      }),
    ).rejects.toBe(error);
  });

  describe('the entry it last saw of a bucket', () => {
    const fresh = () =>
      new DynamoDbLedger<LedgerEntry>('ledger', new DynamoDBClient({ region: 'us-east-1' }));
    const seenEntry = (l: DynamoDbLedger<LedgerEntry>) => l.lastSeen(entry.accountId, entry.bucket);

    it('is the one it wrote, at the version it wrote', async () => {
      documents.on(TransactWriteCommand).resolves({});
      const ledger = fresh();

      await ledger.save(entry, 3, { id: 'finding-1' });

      expect(seenEntry(ledger)).toEqual({ state: entry, version: 4 });
    });

    it('is the stored one a refused write brought back', async () => {
      const refused = cancelled('None', 'ConditionalCheckFailed');
      (refused.CancellationReasons ?? [])[1] = {
        Code: 'ConditionalCheckFailed',
        Item: {
          pk: { S: 'BUCKET#111122223333#team-a-ledger' },
          version: { N: '7' },
          state: { M: { accountId: { S: '111122223333' }, bucket: { S: 'team-a-ledger' } } },
        },
      };
      documents.on(TransactWriteCommand).rejects(refused);
      const ledger = fresh();

      expect(await ledger.save(entry, undefined, { id: 'finding-1' })).toBe('conflict');
      expect(seenEntry(ledger)).toEqual({ state: entry, version: 7 });
    });

    it('is forgotten when a refused write brings nothing back, or a transaction conflicts', async () => {
      const ledger = fresh();
      documents.on(TransactWriteCommand).resolves({});
      await ledger.save(entry, 3, { id: 'finding-1' });

      documents.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
      expect(await ledger.save(entry, 4, { id: 'finding-2' })).toBe('conflict');
      expect(seenEntry(ledger)).toBeUndefined();

      documents.on(TransactWriteCommand).resolves({});
      await ledger.save(entry, 3, { id: 'finding-3' });
      documents.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
      expect(await ledger.save(entry, 4, { id: 'finding-4' })).toBe('conflict');
      expect(seenEntry(ledger)).toBeUndefined();
    });

    it('stays what it was when the finding was recorded before', async () => {
      const ledger = fresh();
      documents.on(TransactWriteCommand).resolves({});
      await ledger.save(entry, 3, { id: 'finding-1' });
      documents.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

      expect(await ledger.save(entry, 4, { id: 'finding-1' })).toBe('duplicate');
      expect(seenEntry(ledger)).toEqual({ state: entry, version: 4 });
    });

    it('is the marked entry after a notice is marked delivered', async () => {
      const ledger = fresh();
      documents.on(UpdateCommand).resolves({ Attributes: { state: entry, version: 9 } });

      await ledger.noticeDelivered(entry.accountId, entry.bucket, 'notice-1', {
        topicArn: 'arn:aws:sns:us-east-1:111122223333:team-a-alerts',
        messageId: 'm-1',
      });

      expect(seenEntry(ledger)).toEqual({ state: entry, version: 9 });
    });

    it('keeps the latest 1,000 buckets and forgets the least recently used', async () => {
      const ledger = fresh();
      documents.on(PutCommand).resolves({});
      for (let i = 0; i <= 1000; i++) await ledger.save({ ...entry, bucket: `b-${i}` }, undefined);

      expect(ledger.lastSeen(entry.accountId, 'b-0')).toBeUndefined();
      expect(ledger.lastSeen(entry.accountId, 'b-1')?.version).toBe(1);
      expect(ledger.lastSeen(entry.accountId, 'b-1000')?.version).toBe(1);
    });
  });
});
