import type { AlertRoute } from '../../../rules/alert-route';
import type { BucketAssessment, BucketState, WaivedViolation } from '../../../rules/bucket-state';
import {
  type AssessedBucket,
  composeOverallDigest,
  composeTeamDigest,
  expiringWaivers,
  planDigests,
} from '../../../rules/digest';
import { bytesOnTheWire } from '../../support/sns-bytes';

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

/** A bucket in violation holding `types` open types, the first `forbidden` ones forbidden. */
function openBucket(bucket: string, team: string, types: number, forbidden = 0): AssessedBucket {
  const state = {
    accountId: '111122223333',
    bucket,
    region: 'us-east-1',
    findings: types,
  } as BucketState;
  const violations = Array.from({ length: types }, (_, i) => ({
    type: `TYPE_${i}_"\\_${'é'.repeat(40)}`,
    category: i < forbidden ? 'CREDENTIALS' : 'PERSONAL_INFORMATION',
    requiredLevel: i < forbidden ? 'forbidden' : 'Confidential',
    count: 10,
    findings: 1,
    examples: [],
    firstSeen: '2025-05-01T00:00:00.000Z',
    lastSeen: '2025-05-01T00:00:00.000Z',
  }));
  const assessment: BucketAssessment = {
    verdict: 'violation',
    team,
    severity: 'High',
    declaredLevel: 'Internal',
    violations: violations.reverse(),
    waived: [],
    waiverExpired: [],
    publiclyAccessible: false,
  };
  return { state, assessment, route: CENTRAL };
}

describe('a digest bounded by the bytes SNS takes', () => {
  const LEVELS = ['Public', 'Internal', 'Confidential', 'Restricted'];

  it('fits a team of 10,000 open buckets in 262,144 bytes and counts the buckets not listed', () => {
    const buckets = Array.from({ length: 10_000 }, (_, i) =>
      openBucket(`bucket-${i}-${'x'.repeat(40)}`, 'team-a', 20),
    );
    const [plan] = planDigests(buckets, NOW);
    if (!plan) throw new Error('expected a digest plan');

    const digest = composeTeamDigest(plan, CENTRAL, NOW, LEVELS);

    expect(bytesOnTheWire(digest)).toBeLessThanOrEqual(262_144);
    expect(digest.document.totals.buckets).toBe(10_000);
    expect(digest.document.buckets.length + digest.document.bucketsNotListed).toBe(10_000);
    expect(digest.document.buckets.length).toBeGreaterThan(0);
    expect(digest.text).toContain(`and ${digest.document.bucketsNotListed} more buckets`);
  });

  it("lists a bucket's 10 most severe types and counts the rest", () => {
    const digest = composeOverallDigest([openBucket('b', 'team-a', 4000, 1)], CENTRAL, NOW, LEVELS);

    const [bucket] = digest.document.buckets;
    expect(bucket?.types).toHaveLength(10);
    expect(bucket?.types[0]?.requiredLevel).toBe('forbidden');
    expect(bucket?.typesNotListed).toEqual({ types: 3990, occurrences: 39_900 });
    expect(digest.text).toContain('…and 3990 more types (39900 occurrences)');
    expect(bytesOnTheWire(digest)).toBeLessThanOrEqual(262_144);
  });

  it('keeps the subject to printable ASCII when the team name is not', () => {
    const [plan] = planDigests([openBucket('b', 'Équipe 🚀\nFinance', 1)], NOW);
    if (!plan) throw new Error('expected a digest plan');

    const digest = composeTeamDigest(plan, CENTRAL, NOW, LEVELS);

    expect(digest.subject).toBe('[High] Daily digest for team ?quipe ??Finance');
  });
});
