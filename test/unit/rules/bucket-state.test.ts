import { loadPolicy } from '../../../policies/load-policy';
import { assessBucket, type BucketState, type RecordedType } from '../../../rules/bucket-state';
import { KEYS } from './finding-builder';

const policy = loadPolicy();

function recorded(type: string, count: number): RecordedType {
  return {
    type,
    category: 'PERSONAL_INFORMATION',
    custom: false,
    count,
    findings: 1,
    firstSeen: '2025-06-01T00:00:00.000Z',
    lastSeen: '2025-06-01T00:00:00.000Z',
    examples: ['exports/people.csv'],
  };
}

function bucket(tags: Record<string, string>): BucketState {
  return {
    accountId: '111122223333',
    bucket: 'acme-hr-records',
    region: 'us-east-1',
    partition: 'aws',
    declaration: { tags, source: 'live', readAt: '2025-06-01T00:00:00.000Z' },
    types: {
      USA_SOCIAL_SECURITY_NUMBER: recorded('USA_SOCIAL_SECURITY_NUMBER', 7),
      NAME: recorded('NAME', 3),
    },
    publiclyAccessible: false,
    findings: 1,
    findingsSinceNotice: 1,
  };
}

describe('assessBucket', () => {
  describe('an unclassified bucket', () => {
    it('lists every recorded type with the level it needs', () => {
      const assessment = assessBucket(
        bucket({ Team: 'people-ops' }),
        policy,
        KEYS,
        () => undefined,
      );

      expect(assessment.verdict).toBe('unclassified');
      expect(
        assessment.violations.map(({ type, requiredLevel, count }) => [type, requiredLevel, count]),
      ).toEqual([
        ['USA_SOCIAL_SECURITY_NUMBER', 'Restricted', 7],
        ['NAME', 'Confidential', 3],
      ]);
    });

    it('is as severe as the same data in a bucket tagged Public', () => {
      const untagged = assessBucket(bucket({ Team: 'people-ops' }), policy, KEYS, () => undefined);
      const tagged = assessBucket(
        bucket({ DataClassification: 'Public', Team: 'people-ops' }),
        policy,
        KEYS,
        () => undefined,
      );

      expect(tagged.severity).toBe('Critical');
      expect(untagged.severity).toBe('Critical');
    });

    it('is as severe as the same data in a bucket tagged with a value that is not a level', () => {
      const assessment = assessBucket(
        bucket({ DataClassification: 'Top Secret', Team: 'people-ops' }),
        policy,
        KEYS,
        () => undefined,
      );

      expect(assessment.severity).toBe('Critical');
    });
  });
});
