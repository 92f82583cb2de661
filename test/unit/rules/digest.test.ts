import type { AlertRoute } from '../../../rules/alert-route';
import type { BucketAssessment, BucketState, WaivedViolation } from '../../../rules/bucket-state';
import {
  type AssessedBucket,
  composeOverallDigest,
  expiringWaivers,
  planDigests,
} from '../../../rules/digest';

const NOW = new Date('2025-06-01T06:00:00.000Z');
const CENTRAL: AlertRoute = {
  kind: 'team',
  topicArn: 'arn:aws:sns:us-east-1:999988887777:central',
};

function waived(type: string, expiresAt: string): WaivedViolation {
  return {
    type,
    category: 'FINANCIAL_INFORMATION',
    requiredLevel: 'Restricted',
    count: 1,
    findings: 1,
    examples: [],
    firstSeen: '2025-05-01T00:00:00.000Z',
    lastSeen: '2025-05-01T00:00:00.000Z',
    waiver: { ticket: 'SEC-1', approver: 'ciso', reason: 'r', expiresAt, source: 'w.yaml:1' },
  };
}

function clearBucket(bucket: string, waivers: WaivedViolation[]): AssessedBucket {
  const state = { accountId: '111122223333', bucket, region: 'us-east-1' } as BucketState;
  const assessment: BucketAssessment = {
    verdict: 'clear',
    team: 'team-a',
    violations: [],
    waived: waivers,
    waiverExpired: [],
    publiclyAccessible: false,
  };
  return { state, assessment, route: CENTRAL };
}

describe('the daily digest rules', () => {
  it('lists waivers that end within 7 days soonest first, and none already ended', () => {
    const buckets = [
      clearBucket('b', [waived('B_LATE', '2025-06-07T00:00:00.000Z')]),
      clearBucket('a', [
        waived('A_SOON', '2025-06-02T00:00:00.000Z'),
        waived('A_GONE', '2025-05-31T00:00:00.000Z'),
        waived('A_FAR', '2025-06-30T00:00:00.000Z'),
      ]),
    ];

    expect(expiringWaivers(buckets, NOW).map((w) => w.type)).toEqual(['A_SOON', 'B_LATE']);
  });

  it('plans a digest for a team whose only concern is a waiver ending soon', () => {
    const plans = planDigests([clearBucket('a', [waived('X', '2025-06-03T00:00:00.000Z')])], NOW);

    expect(plans.map((p) => [p.team, p.buckets.length])).toEqual([['team-a', 1]]);
  });

  it('says how many more teams there are in the overall digest beyond its cap', () => {
    const buckets = Array.from({ length: 205 }, (_, i) => {
      const bucket = clearBucket(`b-${i}`, [waived('X', '2025-06-03T00:00:00.000Z')]);
      return { ...bucket, assessment: { ...bucket.assessment, team: `team-${i}` } };
    });

    const digest = composeOverallDigest(buckets, CENTRAL, NOW);

    expect(digest.document.teams).toHaveLength(200);
    expect(digest.document.teamsNotListed).toBe(5);
    expect(digest.text).toContain('and 5 more teams');
  });
});
