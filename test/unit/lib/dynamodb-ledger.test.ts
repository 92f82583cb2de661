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
});
