import type { CheckResult } from '../../../bin/check-result';
import {
  compareJudgements,
  createPolicyDiff,
  newAtOrAbove,
  type PolicyDiff,
} from '../../../bin/policy-diff';
import type { Severity } from '../../../policies/policy';

/** A judged finding; `severity: null` is compliant. */
function judged(
  severity: Severity | null,
  overrides: Partial<CheckResult> & { types?: Array<[string, string]> } = {},
): CheckResult {
  const { types = [['USA_SOCIAL_SECURITY_NUMBER', 'Restricted']], ...rest } = overrides;
  const violations =
    severity === null
      ? []
      : types.map(([type, requiredLevel]) => ({
          type,
          category: 'PERSONAL_INFORMATION',
          requiredLevel,
          count: 1,
        }));
  return {
    findingId: 'f-1',
    findingType: 'SensitiveData:S3Object/Personal',
    bucket: 'acme-hr',
    accountId: '111122223333',
    region: 'eu-west-1',
    objectKey: 'staff.csv',
    declaredLevel: 'Internal',
    verdict: severity === null ? 'compliant' : 'violation',
    severity,
    team: 'people',
    sample: false,
    publiclyAccessible: false,
    reason: null,
    violations,
    detected: violations,
    source: 'findings.jsonl:1',
    ...rest,
  };
}

function diffOf(...pairs: Array<[CheckResult, CheckResult]>): PolicyDiff {
  const diff = createPolicyDiff();
  for (const [old, next] of pairs) diff.add(old, next);
  return diff.finish();
}

describe('compareJudgements', () => {
  it.each([
    [null, 'Medium', 'new'],
    ['High', null, 'gone'],
    ['Medium', 'High', 'raised'],
    ['Critical', 'Low', 'lowered'],
    ['High', 'High', undefined],
    [null, null, undefined],
  ] as const)('%s -> %s is %s', (old, next, change) => {
    expect(compareJudgements({ severity: old }, { severity: next })).toBe(change);
  });
});

describe('createPolicyDiff', () => {
  it('lists a violation that appears, with the types at fault under the new policy', () => {
    const diff = diffOf([
      judged(null),
      judged('High', {
        types: [
          ['EMAIL_ADDRESS', 'Restricted'],
          ['AWS_CREDENTIALS', 'forbidden'],
        ],
      }),
    ]);

    expect(diff.changes).toEqual([
      {
        change: 'new',
        team: 'people',
        bucket: 'acme-hr',
        objectKey: 'staff.csv',
        findingId: 'f-1',
        source: 'findings.jsonl:1',
        sample: false,
        oldVerdict: 'compliant',
        newVerdict: 'violation',
        oldSeverity: null,
        newSeverity: 'High',
        types: ['EMAIL_ADDRESS (needs Restricted)', 'AWS_CREDENTIALS (forbidden)'],
      },
    ]);
  });

  it('lists a violation that disappears, with the types the old policy faulted', () => {
    const diff = diffOf([
      judged('Medium', { types: [['CREDIT_CARD_NUMBER', 'Restricted']] }),
      judged(null),
    ]);

    expect(diff.changes).toMatchObject([
      {
        change: 'gone',
        oldSeverity: 'Medium',
        newSeverity: null,
        types: ['CREDIT_CARD_NUMBER (needs Restricted)'],
      },
    ]);
  });

  it('lists severity changes old -> new, and leaves out findings judged alike', () => {
    const diff = diffOf(
      [judged('Medium', { findingId: 'up' }), judged('High', { findingId: 'up' })],
      [judged('Critical', { findingId: 'down' }), judged('Low', { findingId: 'down' })],
      [judged('High', { findingId: 'same' }), judged('High', { findingId: 'same' })],
      [judged(null, { findingId: 'clean' }), judged(null, { findingId: 'clean' })],
    );

    expect(diff.changes.map((c) => [c.findingId, c.change, c.oldSeverity, c.newSeverity])).toEqual([
      ['up', 'raised', 'Medium', 'High'],
      ['down', 'lowered', 'Critical', 'Low'],
    ]);
  });

  it('counts by team and in total', () => {
    const diff = diffOf(
      [judged(null, { team: 'sales' }), judged('Medium', { team: 'sales' })],
      [judged('Medium', { team: 'people' }), judged('High', { team: 'people' })],
      [judged('Medium', { team: 'payments' }), judged(null, { team: 'payments' })],
      [judged('Critical', { team: 'platform' }), judged('Critical', { team: 'platform' })],
      [judged(null, { team: 'analytics' }), judged(null, { team: 'analytics' })],
      [judged('High', { team: 'people' }), judged('Low', { team: 'people' })],
    );

    expect(diff.teams).toEqual([
      {
        team: 'payments',
        findings: 1,
        oldViolations: 1,
        newViolations: 0,
        new: 0,
        gone: 1,
        raised: 0,
        lowered: 0,
      },
      {
        team: 'people',
        findings: 2,
        oldViolations: 2,
        newViolations: 2,
        new: 0,
        gone: 0,
        raised: 1,
        lowered: 1,
      },
      {
        team: 'platform',
        findings: 1,
        oldViolations: 1,
        newViolations: 1,
        new: 0,
        gone: 0,
        raised: 0,
        lowered: 0,
      },
      {
        team: 'sales',
        findings: 1,
        oldViolations: 0,
        newViolations: 1,
        new: 1,
        gone: 0,
        raised: 0,
        lowered: 0,
      },
    ]);
    expect(diff.totals).toEqual({
      findings: 6,
      oldViolations: 4,
      newViolations: 4,
      new: 1,
      gone: 1,
      raised: 1,
      lowered: 1,
    });
  });

  it('orders changes by team, then new, raised, lowered, gone, then bucket', () => {
    const diff = diffOf(
      [judged('High', { team: 'b', bucket: 'z' }), judged(null, { team: 'b', bucket: 'z' })],
      [judged(null, { team: 'b', bucket: 'y' }), judged('Low', { team: 'b', bucket: 'y' })],
      [judged(null, { team: 'b', bucket: 'x' }), judged('Low', { team: 'b', bucket: 'x' })],
      [judged('Low', { team: 'a', bucket: 'w' }), judged('High', { team: 'a', bucket: 'w' })],
    );

    expect(diff.changes.map((c) => `${c.team}/${c.change}/${c.bucket}`)).toEqual([
      'a/raised/w',
      'b/new/x',
      'b/new/y',
      'b/gone/z',
    ]);
  });
});

describe('newAtOrAbove', () => {
  const diff = diffOf(
    [judged(null, { findingId: 'new-high' }), judged('High', { findingId: 'new-high' })],
    [judged(null, { findingId: 'new-medium' }), judged('Medium', { findingId: 'new-medium' })],
    [judged('Medium', { findingId: 'raised-high' }), judged('High', { findingId: 'raised-high' })],
    [
      judged('Low', { findingId: 'raised-medium' }),
      judged('Medium', { findingId: 'raised-medium' }),
    ],
    [judged('Critical', { findingId: 'lowered' }), judged('High', { findingId: 'lowered' })],
    [judged('Critical', { findingId: 'gone' }), judged(null, { findingId: 'gone' })],
    [
      judged(null, { findingId: 'sample', sample: true }),
      judged('Critical', { findingId: 'sample', sample: true }),
    ],
  );

  it('fails on a new violation or a raised severity at the threshold', () => {
    expect(newAtOrAbove(diff, 'High').map((c) => c.findingId)).toEqual(['new-high', 'raised-high']);
  });

  it('does not fail on what stays below it, nor on lowered, gone or sample findings', () => {
    expect(newAtOrAbove(diff, 'Critical')).toEqual([]);
  });

  it('counts everything new or raised at the lowest threshold', () => {
    expect(
      newAtOrAbove(diff, 'Medium')
        .map((c) => c.findingId)
        .sort(),
    ).toEqual(['new-high', 'new-medium', 'raised-high', 'raised-medium']);
  });
});
