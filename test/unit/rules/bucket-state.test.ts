import { loadPolicy, parsePolicy } from '../../../policies/load-policy';
import {
  assessBucket,
  type BucketState,
  bucketDeleted,
  currentDeclaration,
  type Declaration,
  type DeclarationSource,
  declarationTags,
  describeDeclarationChange,
  emptyState,
  fitRecordedTypes,
  MAX_EXAMPLES,
  type RecordableFinding,
  type RecordedType,
  recordFinding,
  resolveByHand,
  sameDeclaration,
  typeDemand,
  typeKey,
  type WaiverLookup,
  type WaiverMatch,
  withOpenSince,
} from '../../../rules/bucket-state';
import { LENIENT_TWO_LEVEL_POLICY } from '../../support/policy-files';
import { declared, type Found, finding, KEYS } from './finding-builder';

const policy = loadPolicy();
const NOW = new Date('2025-05-21T00:00:00.000Z');
const HOUR = 3_600_000;
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const noWaivers: WaiverLookup = () => undefined;

const fresh = (): BucketState =>
  emptyState({
    accountId: '111122223333',
    bucket: 'team-a-bucket',
    region: 'us-east-1',
    partition: 'aws',
  });

/** A finding the ledger records: these detections, created at `at`, in object `key`. */
function found(
  options: {
    managed?: readonly Found[];
    custom?: readonly { name: string; count?: number }[];
    at?: string | null;
    key?: string | null;
    public?: boolean;
  } = {},
): RecordableFinding {
  const base = finding({
    managed: options.managed ?? [{ type: 'NAME', count: 1 }],
    custom: options.custom ?? [],
    effectivePermission: options.public ? 'PUBLIC' : 'NOT_PUBLIC',
  });
  return {
    ...base,
    createdAt: options.at === undefined ? '2025-05-20T09:00:00.000Z' : options.at,
    resourcesAffected: {
      ...base.resourcesAffected,
      s3Object: options.key === undefined ? { key: 'exports/people.csv' } : { key: options.key },
    },
  };
}

function declaration(
  tags: Record<string, string>,
  source: DeclarationSource = 'live',
  readAt = '2025-05-20T00:00:00.000Z',
): Declaration {
  return { tags, source, readAt };
}

/** A bucket declared at `level` that holds what `findings` reported. */
function holding(level: string | undefined, ...findings: RecordableFinding[]): BucketState {
  const tags: Record<string, string> =
    level === undefined ? {} : { DataClassification: level, SupportSNSTopic: TOPIC };
  let state: BucketState = { ...fresh(), declaration: declaration(tags) };
  for (const each of findings) state = recordFinding(state, each, undefined, NOW);
  return state;
}

function waiving(types: Record<string, WaiverMatch['status']>): WaiverLookup {
  return (type) => {
    const status = types[type];
    return status === undefined
      ? undefined
      : {
          status,
          waiver: {
            ticket: `SEC-${type.length}`,
            approver: 'ciso@example.com',
            reason: 'migration',
            expiresAt: '2025-06-30T23:59:59.999Z',
            source: 'policies/waivers.yaml:2',
          },
        };
  };
}

describe('recordFinding', () => {
  it('adds the counts of a type over findings and counts the findings', () => {
    const first = recordFinding(
      fresh(),
      found({ managed: [{ type: 'NAME', count: 3 }] }),
      undefined,
      NOW,
    );

    const second = recordFinding(
      first,
      found({ managed: [{ type: 'NAME', count: 4 }] }),
      undefined,
      NOW,
    );

    expect(second.types.NAME).toEqual(expect.objectContaining({ count: 7, findings: 2 }));
    expect(second.findings).toBe(2);
    expect(second.findingsSinceNotice).toBe(2);
  });

  it('keeps the earliest first seen and the latest last seen, whatever order findings arrive in', () => {
    const late = found({ at: '2025-05-20T12:00:00.000Z', key: 'b.csv' });
    const early = found({ at: '2025-05-19T08:00:00.000Z', key: 'a.csv' });

    const state = recordFinding(
      recordFinding(fresh(), late, undefined, NOW),
      early,
      undefined,
      NOW,
    );

    expect(state.types.NAME?.firstSeen).toBe('2025-05-19T08:00:00.000Z');
    expect(state.types.NAME?.lastSeen).toBe('2025-05-20T12:00:00.000Z');
    expect(state.lastFindingAt).toBe('2025-05-20T12:00:00.000Z');
  });

  it('dates a finding without a valid creation time by the clock', () => {
    const state = recordFinding(fresh(), found({ at: 'yesterday' }), undefined, NOW);

    expect(state.types.NAME?.firstSeen).toBe(NOW.toISOString());
    expect(state.lastFindingAt).toBe(NOW.toISOString());
  });

  it(`keeps at most ${MAX_EXAMPLES} example object keys per type`, () => {
    let state = fresh();
    for (let i = 0; i < MAX_EXAMPLES + 2; i++) {
      state = recordFinding(state, found({ key: `part-${i}.csv` }), undefined, NOW);
    }

    expect(state.types.NAME?.examples).toEqual([
      'part-0.csv',
      'part-1.csv',
      'part-2.csv',
      'part-3.csv',
      'part-4.csv',
    ]);
  });

  it('cuts an example object key at 256 characters', () => {
    const state = recordFinding(fresh(), found({ key: 'k'.repeat(1000) }), undefined, NOW);

    const [example] = state.types.NAME?.examples ?? [];
    expect(example).toHaveLength(256);
    expect(example).toBe(`${'k'.repeat(255)}…`);
  });

  it('does not keep the same example twice', () => {
    const once = recordFinding(fresh(), found({ key: 'same.csv' }), undefined, NOW);

    const twice = recordFinding(once, found({ key: 'same.csv' }), undefined, NOW);

    expect(twice.types.NAME?.examples).toEqual(['same.csv']);
  });

  it('keeps no example for a finding without an object key', () => {
    const state = recordFinding(fresh(), found({ key: null }), undefined, NOW);

    expect(state.types.NAME?.examples).toEqual([]);
  });

  it('keeps no example for an empty object key', () => {
    const state = recordFinding(fresh(), found({ key: '' }), undefined, NOW);

    expect(state.types.NAME?.examples).toEqual([]);
  });

  it('keeps an object key of exactly 256 characters whole, and cuts one of 257', () => {
    const whole = recordFinding(fresh(), found({ key: 'w'.repeat(256) }), undefined, NOW);
    const cut = recordFinding(fresh(), found({ key: 'c'.repeat(257) }), undefined, NOW);

    expect(whole.types.NAME?.examples).toEqual(['w'.repeat(256)]);
    expect(cut.types.NAME?.examples).toEqual([`${'c'.repeat(255)}…`]);
  });

  it('records a finding that names no object, with no example', () => {
    const noObject: RecordableFinding = {
      ...finding({ managed: [{ type: 'NAME', count: 2 }] }),
      createdAt: '2025-05-20T09:00:00.000Z',
    };
    const nullObject: RecordableFinding = {
      ...noObject,
      resourcesAffected: { ...noObject.resourcesAffected, s3Object: null },
    };

    const state = recordFinding(
      recordFinding(fresh(), noObject, undefined, NOW),
      nullObject,
      undefined,
      NOW,
    );

    expect(state.types.NAME).toEqual(
      expect.objectContaining({ count: 4, findings: 2, examples: [] }),
    );
  });

  it('counts a finding without a classification result, recording no type', () => {
    const { classificationDetails: _absent, ...withoutDetails } = found();
    const withNullDetails: RecordableFinding = { ...found(), classificationDetails: null };

    const state = recordFinding(
      recordFinding(fresh(), withoutDetails, undefined, NOW),
      withNullDetails,
      undefined,
      NOW,
    );

    expect(state.types).toEqual({});
    expect(state.findings).toBe(2);
    expect(state.lastFindingAt).toBe('2025-05-20T09:00:00.000Z');
  });

  it('takes the exposure from the newest finding only', () => {
    const newestPublic = recordFinding(
      fresh(),
      found({ at: '2025-05-20T12:00:00.000Z', public: true }),
      undefined,
      NOW,
    );

    const olderPrivate = recordFinding(
      newestPublic,
      found({ at: '2025-05-20T06:00:00.000Z', public: false }),
      undefined,
      NOW,
    );
    const newerPrivate = recordFinding(
      olderPrivate,
      found({ at: '2025-05-20T18:00:00.000Z', public: false }),
      undefined,
      NOW,
    );

    expect(olderPrivate.publiclyAccessible).toBe(true);
    expect(newerPrivate.publiclyAccessible).toBe(false);
  });

  it('keeps a custom identifier apart from a managed type of the same name', () => {
    const state = recordFinding(
      fresh(),
      found({ managed: [{ type: 'NAME', count: 2 }], custom: [{ name: 'NAME', count: 5 }] }),
      undefined,
      NOW,
    );

    expect(Object.keys(state.types).sort()).toEqual(['NAME', 'custom:NAME']);
    expect(state.types['custom:NAME']).toEqual(expect.objectContaining({ custom: true, count: 5 }));
    expect(state.types.NAME).toEqual(expect.objectContaining({ custom: false, count: 2 }));
    expect(typeKey({ type: 'NAME', custom: true })).toBe('custom:NAME');
  });

  it('judges by the newer declaration: the recorded one, or the one this finding brings', () => {
    const live = declaration(
      { DataClassification: 'Restricted' },
      'live',
      '2025-05-20T00:00:00.000Z',
    );
    const snapshot = declaration(
      { DataClassification: 'Public' },
      'finding',
      '2025-05-20T09:00:00.000Z',
    );

    const state = recordFinding({ ...fresh(), declaration: live }, found(), snapshot, NOW);

    expect(state.declaration).toBe(live);
  });

  it('takes the declaration a finding brings when none was recorded', () => {
    const snapshot = declaration(
      { DataClassification: 'Public' },
      'finding',
      '2025-05-20T09:00:00.000Z',
    );

    const state = recordFinding(fresh(), found(), snapshot, NOW);

    expect(state.declaration).toBe(snapshot);
  });

  it('replaces the recorded declaration with a newer one the finding brings', () => {
    const old = declaration(
      { DataClassification: 'Restricted' },
      'live',
      '2025-05-18T00:00:00.000Z',
    );
    const snapshot = declaration(
      { DataClassification: 'Public' },
      'finding',
      '2025-05-20T09:00:00.000Z',
    );

    const state = recordFinding({ ...fresh(), declaration: old }, found(), snapshot, NOW);

    expect(state.declaration).toBe(snapshot);
  });

  it('keeps no declaration when none was ever known', () => {
    const state = recordFinding(fresh(), found(), undefined, NOW);

    expect(state).not.toHaveProperty('declaration');
  });
});

describe('declarationTags', () => {
  it('keeps only the tags that carry a declaration', () => {
    const tags = { DataClassification: 'Internal', Team: 'a', CostCentre: '42', Owner: 'x' };

    expect(declarationTags(tags, KEYS)).toEqual({ DataClassification: 'Internal', Team: 'a' });
  });

  it('adds no entry for a declaration tag the bucket does not carry', () => {
    const kept = declarationTags({ DataClassification: 'Internal', Owner: 'x' }, KEYS);

    expect(Object.keys(kept)).toEqual(['DataClassification']);
    expect(kept).not.toHaveProperty('SupportSNSTopic');
    expect(kept).not.toHaveProperty('Team');
  });
});

describe('currentDeclaration', () => {
  const tagChange = declaration(
    { DataClassification: 'Restricted' },
    'tag-change',
    '2025-05-20T00:00:00.000Z',
  );
  const snapshotAt = (hoursAfter: number) =>
    declaration(
      { DataClassification: 'Public' },
      'finding',
      new Date(Date.parse(tagChange.readAt) + hoursAfter * HOUR).toISOString(),
    );

  it('prefers a tag change over a finding created within 24 hours after it', () => {
    expect(currentDeclaration(tagChange, snapshotAt(23))).toBe(tagChange);
  });

  it("takes the finding's snapshot once the finding is more than 24 hours newer", () => {
    const snapshot = snapshotAt(25);

    expect(currentDeclaration(tagChange, snapshot)).toBe(snapshot);
  });

  it('takes the newer of two tags read live or from a tag change', () => {
    const later = declaration({ DataClassification: 'Public' }, 'live', '2025-05-20T00:00:01.000Z');

    expect(currentDeclaration(tagChange, later)).toBe(later);
    expect(currentDeclaration(later, tagChange)).toBe(later);
  });

  it('takes the candidate when both hold from the same time', () => {
    const same = declaration({ DataClassification: 'Internal' }, 'live', tagChange.readAt);

    expect(currentDeclaration(tagChange, same)).toBe(same);
    expect(currentDeclaration(tagChange, snapshotAt(24))).toEqual(snapshotAt(24));
  });

  it('takes whichever exists when the other does not', () => {
    expect(currentDeclaration(undefined, tagChange)).toBe(tagChange);
    expect(currentDeclaration(tagChange, undefined)).toBe(tagChange);
    expect(currentDeclaration(undefined, undefined)).toBeUndefined();
  });
});

describe('sameDeclaration', () => {
  it('is true for the same tags read elsewhere and at another time', () => {
    const a = declaration(
      { DataClassification: 'Internal', Team: 'a' },
      'live',
      '2025-05-01T00:00:00Z',
    );
    const b = declaration(
      { Team: 'a', DataClassification: 'Internal' },
      'finding',
      '2025-05-02T00:00:00Z',
    );

    expect(sameDeclaration(a, b)).toBe(true);
  });

  it('is false when a value differs or a tag is missing on one side', () => {
    const a = declaration({ DataClassification: 'Internal', Team: 'a' });

    expect(sameDeclaration(a, declaration({ DataClassification: 'Internal', Team: 'b' }))).toBe(
      false,
    );
    expect(sameDeclaration(a, declaration({ DataClassification: 'Internal' }))).toBe(false);
  });

  it('is true for two absent declarations and false for one', () => {
    expect(sameDeclaration(undefined, undefined)).toBe(true);
    expect(sameDeclaration(declaration({}), undefined)).toBe(false);
  });

  it('is false when only the first declaration is absent', () => {
    expect(sameDeclaration(undefined, declaration({}))).toBe(false);
    expect(sameDeclaration(undefined, declaration({ DataClassification: 'Internal' }))).toBe(false);
  });
});

describe('describeDeclarationChange', () => {
  it('says which tag was set, removed or changed', () => {
    const before = declaration({ DataClassification: 'Restricted', Team: 'team-a' });
    const after = declaration({ DataClassification: 'Internal', SupportSNSTopic: TOPIC });

    expect(describeDeclarationChange(before, after, KEYS)).toEqual([
      'DataClassification changed from "Restricted" to "Internal"',
      `SupportSNSTopic was set to "${TOPIC}"`,
      'Team was removed (was "team-a")',
    ]);
  });

  it('says nothing of tags that did not change, nor of tags that carry no declaration', () => {
    const before = declaration({ DataClassification: 'Internal', Owner: 'x' });
    const after = declaration({ DataClassification: 'Internal', Owner: 'y' });

    expect(describeDeclarationChange(before, after, KEYS)).toEqual([]);
  });

  it('describes every tag as set for a bucket with no declaration before', () => {
    expect(
      describeDeclarationChange(undefined, declaration({ DataClassification: 'Public' }), KEYS),
    ).toEqual(['DataClassification was set to "Public"']);
  });
});

describe('assessBucket', () => {
  it('is clear when nothing was recorded', () => {
    const assessment = assessBucket(holding('Public'), policy, KEYS, noWaivers);

    expect(assessment).toEqual({
      verdict: 'clear',
      team: 'team-a-alerts',
      declaredLevel: 'Public',
      publiclyAccessible: false,
      violations: [],
      waived: [],
      waiverExpired: [],
    });
  });

  it('is clear when every recorded type is allowed at the declared level', () => {
    const state = holding(
      'Restricted',
      found({ managed: [{ type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' }] }),
    );

    expect(assessBucket(state, policy, KEYS, noWaivers).verdict).toBe('clear');
  });

  it('is a violation with the worst severity over the types not allowed', () => {
    const state = holding(
      'Internal',
      found({
        managed: [{ type: 'NAME', count: 2 }],
        at: '2025-05-19T00:00:00.000Z',
        key: 'a.csv',
      }),
      found({
        managed: [{ type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION', count: 3 }],
        key: 'b.csv',
      }),
    );

    const assessment = assessBucket(state, policy, KEYS, noWaivers);

    expect(assessment.verdict).toBe('violation');
    expect(assessment.severity).toBe('High');
    expect(assessment.violations).toEqual([
      {
        type: 'NAME',
        category: 'PERSONAL_INFORMATION',
        requiredLevel: 'Confidential',
        count: 2,
        findings: 1,
        examples: ['a.csv'],
        firstSeen: '2025-05-19T00:00:00.000Z',
        lastSeen: '2025-05-19T00:00:00.000Z',
      },
      {
        type: 'CREDIT_CARD_NUMBER',
        category: 'FINANCIAL_INFORMATION',
        requiredLevel: 'Restricted',
        count: 3,
        findings: 1,
        examples: ['b.csv'],
        firstSeen: '2025-05-20T09:00:00.000Z',
        lastSeen: '2025-05-20T09:00:00.000Z',
      },
    ]);
  });

  it('raises the severity of a publicly accessible bucket', () => {
    const state = holding('Internal', found({ public: true }));

    const assessment = assessBucket(state, policy, KEYS, noWaivers);

    expect(assessment).toEqual(
      expect.objectContaining({ severity: 'High', publiclyAccessible: true }),
    );
  });

  it('is unclassified, every recorded type open, when there is no declaration', () => {
    const state = recordFinding(fresh(), found(), undefined, NOW);

    const assessment = assessBucket(state, policy, KEYS, noWaivers);

    expect(assessment.verdict).toBe('unclassified');
    expect(assessment.severity).toBe('High');
    expect(assessment.violations.map((v) => v.type)).toEqual(['NAME']);
    expect(assessment).not.toHaveProperty('declaredLevel');
  });

  it('is unclassified when the classification tag names no level', () => {
    const state = holding('Top Secret', found());

    expect(assessBucket(state, policy, KEYS, noWaivers).verdict).toBe('unclassified');
  });

  it('lists waived types apart, and they do not raise the severity', () => {
    const state = holding(
      'Internal',
      found({
        managed: [
          { type: 'NAME' },
          { type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' },
        ],
      }),
    );

    const assessment = assessBucket(state, policy, KEYS, waiving({ CREDIT_CARD_NUMBER: 'active' }));

    expect(assessment.verdict).toBe('violation');
    expect(assessment.severity).toBe('Medium');
    expect(assessment.violations.map((v) => v.type)).toEqual(['NAME']);
    expect(assessment.waived).toEqual([
      expect.objectContaining({
        type: 'CREDIT_CARD_NUMBER',
        waiver: expect.objectContaining({ ticket: 'SEC-18' }),
      }),
    ]);
    expect(assessment.waiverExpired).toEqual([]);
  });

  it('still counts a type whose waiver expired as a violation, and lists it as expired', () => {
    const state = holding('Internal', found({ managed: [{ type: 'NAME' }] }));

    const assessment = assessBucket(state, policy, KEYS, waiving({ NAME: 'expired' }));

    expect(assessment.verdict).toBe('violation');
    expect(assessment.violations.map((v) => v.type)).toEqual(['NAME']);
    expect(assessment.waiverExpired.map((v) => v.type)).toEqual(['NAME']);
    expect(assessment.waived).toEqual([]);
  });

  it('is clear, with the waived types listed, when every type not allowed is waived', () => {
    const state = holding(
      'Public',
      found({ managed: [{ type: 'NAME' }, { type: 'EMAIL_ADDRESS' }] }),
    );

    const assessment = assessBucket(
      state,
      policy,
      KEYS,
      waiving({ NAME: 'active', EMAIL_ADDRESS: 'active' }),
    );

    expect(assessment.verdict).toBe('clear');
    expect(assessment).not.toHaveProperty('severity');
    expect(assessment.waived.map((v) => v.type)).toEqual(['EMAIL_ADDRESS', 'NAME']);
  });

  it('lists only the types the declared level does not allow', () => {
    const state = holding(
      'Confidential',
      found({
        managed: [
          { type: 'NAME' },
          { type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' },
        ],
      }),
    );

    const assessment = assessBucket(state, policy, KEYS, noWaivers);

    expect(assessment.verdict).toBe('violation');
    expect(assessment.violations.map((v) => v.type)).toEqual(['CREDIT_CARD_NUMBER']);
  });

  it('lists every recorded type of an unclassified bucket, even one the lowest level allows', () => {
    const lenient = parsePolicy(LENIENT_TWO_LEVEL_POLICY, 'lenient.yaml');
    const untagged = recordFinding(fresh(), found({ managed: [{ type: 'NAME' }] }), undefined, NOW);
    const atLowest = holding('A', found({ managed: [{ type: 'NAME' }] }));

    const assessment = assessBucket(untagged, lenient, KEYS, noWaivers);

    expect(assessment.verdict).toBe('unclassified');
    expect(assessment.severity).toBe('High');
    expect(assessment.violations.map((v) => [v.type, v.requiredLevel])).toEqual([['NAME', 'A']]);
    expect(assessBucket(atLowest, lenient, KEYS, noWaivers).verdict).toBe('clear');
  });

  it('describes a type the entry keeps under another key from its judgement alone', () => {
    // A custom identifier stored without its `custom:` prefix: the lookup by key misses.
    const state: BucketState = {
      ...fresh(),
      declaration: declaration(declared('Internal')),
      types: {
        'employee-id': {
          type: 'employee-id',
          category: 'CUSTOM_IDENTIFIER',
          custom: true,
          count: 4,
          findings: 2,
          firstSeen: '2025-05-19T00:00:00.000Z',
          lastSeen: '2025-05-20T00:00:00.000Z',
          examples: ['staff.csv'],
        },
      },
    };

    const assessment = assessBucket(state, policy, KEYS, noWaivers);

    expect(assessment.violations).toEqual([
      {
        type: 'employee-id',
        category: 'CUSTOM_IDENTIFIER',
        requiredLevel: 'Confidential',
        count: 4,
        findings: 1,
        examples: [],
        firstSeen: '',
        lastSeen: '',
      },
    ]);
  });
});

describe('withOpenSince', () => {
  const open = holding('Public', found());
  const openAssessment = assessBucket(open, policy, KEYS, noWaivers);

  it('marks when the bucket opened', () => {
    expect(withOpenSince(open, openAssessment, NOW).openSince).toBe(NOW.toISOString());
  });

  it('keeps the first time while it stays open', () => {
    const since = { ...open, openSince: '2025-05-01T00:00:00.000Z' };

    expect(withOpenSince(since, openAssessment, NOW).openSince).toBe('2025-05-01T00:00:00.000Z');
  });

  it('clears the time once the bucket is clear', () => {
    const since = { ...holding('Restricted', found()), openSince: '2025-05-01T00:00:00.000Z' };
    const clear = assessBucket(since, policy, KEYS, noWaivers);

    expect(withOpenSince(since, clear, NOW)).not.toHaveProperty('openSince');
  });
});

describe('resolveByHand', () => {
  it('removes the open types, keeps the allowed and waived ones, and records who and why', () => {
    const state = holding(
      'Internal',
      found({
        managed: [
          { type: 'NAME' },
          { type: 'CREDIT_CARD_NUMBER', category: 'FINANCIAL_INFORMATION' },
          { type: 'EMAIL_ADDRESS' },
        ],
        custom: [{ name: 'employee-id' }],
      }),
    );
    const lookup = waiving({ EMAIL_ADDRESS: 'active' });
    const assessment = assessBucket(state, policy, KEYS, lookup);

    const resolved = resolveByHand(state, assessment, {
      at: NOW.toISOString(),
      by: 'jane.doe@example.com',
      reason: 'objects deleted',
    });

    expect(Object.keys(resolved.types).sort()).toEqual(['EMAIL_ADDRESS']);
    expect(resolved.resolution).toEqual({
      at: NOW.toISOString(),
      by: 'jane.doe@example.com',
      reason: 'objects deleted',
      types: ['CREDIT_CARD_NUMBER', 'NAME', 'employee-id'],
    });
    expect(assessBucket(resolved, policy, KEYS, lookup).verdict).toBe('clear');
  });
});

describe('bucketDeleted', () => {
  it('forgets every recorded type and records the deletion by AWS Config', () => {
    const state = holding(
      'Public',
      found({ managed: [{ type: 'NAME' }, { type: 'EMAIL_ADDRESS' }] }),
    );

    const deleted = bucketDeleted(state, '2025-05-22T00:00:00.000Z');

    expect(deleted.types).toEqual({});
    expect(deleted.resolution).toEqual({
      at: '2025-05-22T00:00:00.000Z',
      by: 'AWS Config',
      reason: 'the bucket was deleted',
      types: ['EMAIL_ADDRESS', 'NAME'],
    });
    expect(deleted.findings).toBe(state.findings);
  });

  it('names the deleted types in order whatever order they were recorded in', () => {
    const state = holding(
      'Public',
      found({ managed: [{ type: 'PHONE_NUMBER' }], at: '2025-05-19T00:00:00.000Z' }),
      found({ managed: [{ type: 'NAME' }], at: '2025-05-19T01:00:00.000Z' }),
      found({ managed: [{ type: 'EMAIL_ADDRESS' }], at: '2025-05-19T02:00:00.000Z' }),
    );

    const deleted = bucketDeleted(state, '2025-05-22T00:00:00.000Z');

    expect(Object.keys(state.types)).toEqual(['PHONE_NUMBER', 'NAME', 'EMAIL_ADDRESS']);
    expect(deleted.resolution?.types).toEqual(['EMAIL_ADDRESS', 'NAME', 'PHONE_NUMBER']);
  });
});

function recordedPersonal(type: string, count: number): RecordedType {
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

function hrBucket(tags: Record<string, string>): BucketState {
  return {
    accountId: '111122223333',
    bucket: 'acme-hr-records',
    region: 'us-east-1',
    partition: 'aws',
    declaration: { tags, source: 'live', readAt: '2025-06-01T00:00:00.000Z' },
    types: {
      USA_SOCIAL_SECURITY_NUMBER: recordedPersonal('USA_SOCIAL_SECURITY_NUMBER', 7),
      NAME: recordedPersonal('NAME', 3),
    },
    publiclyAccessible: false,
    findings: 1,
    findingsSinceNotice: 1,
  };
}

describe('assessBucket of an unclassified bucket', () => {
  describe('judged as the lowest level would be', () => {
    it('lists every recorded type with the level it needs', () => {
      const assessment = assessBucket(
        hrBucket({ Team: 'people-ops' }),
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
      const untagged = assessBucket(
        hrBucket({ Team: 'people-ops' }),
        policy,
        KEYS,
        () => undefined,
      );
      const tagged = assessBucket(
        hrBucket({ DataClassification: 'Public', Team: 'people-ops' }),
        policy,
        KEYS,
        () => undefined,
      );

      expect(tagged.severity).toBe('Critical');
      expect(untagged.severity).toBe('Critical');
    });

    it('is as severe as the same data in a bucket tagged with a value that is not a level', () => {
      const assessment = assessBucket(
        hrBucket({ DataClassification: 'Top Secret', Team: 'people-ops' }),
        policy,
        KEYS,
        () => undefined,
      );

      expect(assessment.severity).toBe('Critical');
    });
  });
});

describe('fitRecordedTypes', () => {
  /** A bucket holding `n` types named T0000..., each with five long example keys. */
  function holding(n: number, extra: Record<string, RecordedType> = {}): BucketState {
    const types: Record<string, RecordedType> = { ...extra };
    for (let i = 0; i < n; i++) {
      const type = `T${String(i).padStart(4, '0')}`;
      types[type] = {
        type,
        category: 'PERSONAL_INFORMATION',
        custom: false,
        count: i + 1,
        findings: 1,
        firstSeen: '2025-05-20T09:00:00.000Z',
        lastSeen: '2025-05-20T09:00:00.000Z',
        examples: Array.from({ length: 5 }, (_, k) => `exports/${'k'.repeat(200)}-${i}-${k}.csv`),
      };
    }
    return { ...fresh(), types };
  }
  const bytes = (state: BucketState) => Buffer.byteLength(JSON.stringify(state.types));

  it('leaves an entry within the bound as it is', () => {
    const state = holding(10);

    expect(fitRecordedTypes(state, () => 0, 1_000_000)).toBe(state);
  });

  it('first keeps one example per type, when that is enough', () => {
    const state = holding(10);
    const bound = bytes(state) - 1;

    const fitted = fitRecordedTypes(state, () => 0, bound);

    expect(Object.keys(fitted.types)).toHaveLength(10);
    expect(Object.values(fitted.types).map((t) => t.examples.length)).toEqual(Array(10).fill(1));
    expect(fitted.typesLeftOut).toBeUndefined();
  });

  it('then leaves out the least demanding types, the fewest occurrences first, and counts them', () => {
    const forbidden: RecordedType = {
      type: 'AWS_CREDENTIALS',
      category: 'CREDENTIALS',
      custom: false,
      count: 1,
      findings: 1,
      firstSeen: '2025-05-20T09:00:00.000Z',
      lastSeen: '2025-05-20T09:00:00.000Z',
      examples: [],
    };
    const state = holding(4000, { AWS_CREDENTIALS: forbidden });
    const demand = (t: RecordedType) => (t.type === 'AWS_CREDENTIALS' ? 9 : 1);

    const fitted = fitRecordedTypes(state, demand, 200_000);

    expect(bytes(fitted)).toBeLessThanOrEqual(200_000);
    expect(fitted.types.AWS_CREDENTIALS).toEqual(forbidden);
    const kept = Object.keys(fitted.types).length;
    expect(kept + (fitted.typesLeftOut ?? 0)).toBe(4001);
    expect(fitted.typesLeftOut).toBeGreaterThan(0);
    // The types with the fewest occurrences (the lowest numbers) went first.
    expect(fitted.types.T0000).toBeUndefined();
    expect(fitted.types.T3999).toBeDefined();
  });

  it('adds to the count an entry already had', () => {
    const state = { ...holding(4000), typesLeftOut: 7 };

    const fitted = fitRecordedTypes(state, () => 0, 200_000);

    expect(Object.keys(fitted.types).length + (fitted.typesLeftOut ?? 0)).toBe(4007);
  });

  it('ranks by the policy: forbidden above every level, then the higher level', () => {
    const demand = typeDemand(policy);
    const of = (type: string, category: string) => ({
      type,
      category,
      custom: false,
      count: 1,
      findings: 1,
      firstSeen: '',
      lastSeen: '',
      examples: [],
    });

    expect(demand(of('AWS_CREDENTIALS', 'CREDENTIALS'))).toBe(4);
    expect(demand(of('USA_SOCIAL_SECURITY_NUMBER', 'PERSONAL_INFORMATION'))).toBe(3);
    expect(demand(of('NAME', 'PERSONAL_INFORMATION'))).toBe(2);
  });

  describe('at the edges of the bound', () => {
    /** A type with short fields, so an entry's bytes can be counted by hand. */
    const small = (type: string, count: number, examples: string[] = []): RecordedType => ({
      type,
      category: 'PERSONAL_INFORMATION',
      custom: false,
      count,
      findings: 1,
      firstSeen: '2025-05-20T09:00:00.000Z',
      lastSeen: '2025-05-20T09:00:00.000Z',
      examples,
    });
    const three = (): BucketState => ({
      ...fresh(),
      types: { A: small('A', 3), B: small('B', 2), C: small('C', 1) },
    });
    const twoWithExamples = (): BucketState => ({
      ...fresh(),
      types: {
        A: small('A', 3, ['a1.csv', 'a2.csv']),
        B: small('B', 2, ['b1.csv', 'b2.csv']),
      },
    });

    it('counts the bytes of the entries as their JSON', () => {
      // Each type is 175 bytes of JSON; with `"A":` and a comma, 180 in the entry.
      expect(bytes(three())).toBe(541);
      expect(bytes({ ...fresh(), types: { A: small('A', 3), B: small('B', 2) } })).toBe(361);
      expect(bytes(twoWithExamples())).toBe(395);
    });

    it('leaves an entry exactly at the bound as it is, every example kept', () => {
      const state = twoWithExamples();

      const fitted = fitRecordedTypes(state, () => 0, 395);

      expect(fitted).toBe(state);
      expect(fitted.types.A?.examples).toEqual(['a1.csv', 'a2.csv']);
    });

    it('keeps every type when one example each makes the entry exactly the bound', () => {
      // One example each: 377 bytes.
      const fitted = fitRecordedTypes(twoWithExamples(), () => 0, 377);

      expect(fitted.types).toEqual({
        A: small('A', 3, ['a1.csv']),
        B: small('B', 2, ['b1.csv']),
      });
      expect(fitted).not.toHaveProperty('typesLeftOut');
    });

    it('leaves a type out when one example each is still a byte over the bound', () => {
      const fitted = fitRecordedTypes(twoWithExamples(), () => 0, 376);

      expect(fitted.types).toEqual({ A: small('A', 3, ['a1.csv']) });
      expect(fitted.typesLeftOut).toBe(1);
    });

    it('stops leaving types out as soon as the rest is exactly the bound', () => {
      const fitted = fitRecordedTypes(three(), () => 0, 361);

      expect(fitted.types).toEqual({ A: small('A', 3), B: small('B', 2) });
      expect(fitted.typesLeftOut).toBe(1);
    });

    it('leaves out one more type when the rest is a byte over the bound', () => {
      const fitted = fitRecordedTypes(three(), () => 0, 360);

      expect(fitted.types).toEqual({ A: small('A', 3) });
      expect(fitted.typesLeftOut).toBe(2);
    });

    it('always keeps the most demanding type, even when it alone is over the bound', () => {
      const demand = (t: RecordedType) => (t.type === 'C' ? 9 : 1);

      const fitted = fitRecordedTypes(three(), demand, 10);

      expect(fitted.types).toEqual({ C: small('C', 1) });
      expect(fitted.typesLeftOut).toBe(2);
    });

    it.each([
      ['A', 'B', 'C'],
      ['A', 'C', 'B'],
      ['B', 'A', 'C'],
      ['B', 'C', 'A'],
      ['C', 'A', 'B'],
      ['C', 'B', 'A'],
    ])('between equals, leaves out the last type by name (recorded as %s, %s, %s)', (...order) => {
      const types: Record<string, RecordedType> = {};
      for (const type of order) types[type] = small(type, 1);

      const fitted = fitRecordedTypes({ ...fresh(), types }, () => 0, 361);

      expect(Object.keys(fitted.types).sort()).toEqual(['A', 'B']);
      expect(fitted.typesLeftOut).toBe(1);
    });

    it.each([
      ['NAME', 'custom:NAME'],
      ['custom:NAME', 'NAME'],
    ])(
      'between a managed and a custom type of the same name, leaves out the same one whatever the order (%s first)',
      (...order) => {
        const entries: Record<string, RecordedType> = {
          NAME: small('NAME', 2),
          'custom:NAME': { ...small('NAME', 2), custom: true },
        };
        const types: Record<string, RecordedType> = {};
        for (const key of order) types[key] = entries[key] as RecordedType;
        const bound = bytes({ ...fresh(), types: { NAME: small('NAME', 2) } });

        const fitted = fitRecordedTypes({ ...fresh(), types }, () => 0, bound);

        expect(Object.keys(fitted.types)).toEqual(['NAME']);
        expect(fitted.typesLeftOut).toBe(1);
      },
    );
  });
});
