import { byOperation, byService, tallyByKind } from '../../../bench/moto/call-tally';

describe('byService', () => {
  it('counts calls by the service before the colon', () => {
    expect(
      byService(['dynamodb:TransactWriteItems', 'sns:Publish', 'dynamodb:UpdateItem']),
    ).toEqual({ dynamodb: 2, sns: 1 });
  });

  it('gives nothing for no calls', () => {
    expect(byService([])).toEqual({});
  });
});

describe('byOperation', () => {
  it('counts each service:operation', () => {
    expect(byOperation(['s3:GetBucketTagging', 's3:GetBucketTagging', 's3:ListBuckets'])).toEqual({
      's3:GetBucketTagging': 2,
      's3:ListBuckets': 1,
    });
  });
});

describe('tallyByKind', () => {
  const units = [
    { kind: 'compliant', calls: ['dynamodb:TransactWriteItems'] },
    { kind: 'compliant', calls: ['dynamodb:TransactWriteItems', 'monitoring:PutMetricData'] },
    { kind: 'noTags', calls: ['s3:GetBucketTagging', 'dynamodb:TransactWriteItems'] },
    { kind: 'noTags', calls: ['s3:GetBucketTagging', 's3:GetBucketTagging'] },
  ];

  it('gives the most calls one unit of each kind made, and the mean', () => {
    const tally = tallyByKind(units);
    expect([tally.compliant?.max, tally.compliant?.mean, tally.compliant?.units]).toEqual([
      2, 1.5, 2,
    ]);
    expect([tally.noTags?.max, tally.noTags?.mean]).toEqual([2, 2]);
  });

  it('gives, per service, the most calls one unit made (not the sum)', () => {
    const tally = tallyByKind(units);
    expect(tally.noTags?.maxByService).toEqual({ s3: 2, dynamodb: 1 });
    expect(tally.compliant?.maxByService).toEqual({ dynamodb: 1, monitoring: 1 });
  });

  it('adds up every unit of a kind by operation', () => {
    expect(tallyByKind(units).compliant?.operations).toEqual({
      'dynamodb:TransactWriteItems': 2,
      'monitoring:PutMetricData': 1,
    });
  });

  it('counts a unit that made no call as zero', () => {
    const tally = tallyByKind([
      { kind: 'quiet', calls: [] },
      { kind: 'quiet', calls: ['sns:Publish'] },
    ]);
    expect([tally.quiet?.max, tally.quiet?.mean, tally.quiet?.maxByService]).toEqual([
      1,
      0.5,
      { sns: 1 },
    ]);
  });
});
