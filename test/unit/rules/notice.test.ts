import { loadPolicy } from '../../../policies/load-policy';
import type { AlertFinding } from '../../../rules/alert';
import type { AlertRoute } from '../../../rules/alert-route';
import {
  assessBucket,
  type BucketAssessment,
  type BucketState,
  type DeclarationSource,
  type WaiverLookup,
} from '../../../rules/bucket-state';
import { composeNotice, NOTICE_SCHEMA, type NoticeInput } from '../../../rules/notice';
import type { NoticeDecision } from '../../../rules/notice-decision';
import { KEYS } from './finding-builder';

const policy = loadPolicy();
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:people-ops-alerts';
const CENTRAL = 'arn:aws:sns:eu-west-1:999988887777:central-security';
const teamRoute: AlertRoute = { kind: 'team', topicArn: TOPIC };
const BUCKET = 'acme-hr-records';

/** A bucket holding names and social security numbers, declared by `tags`. */
function state(
  options: {
    tags?: Record<string, string> | null;
    source?: DeclarationSource;
    examples?: string[];
  } = {},
): BucketState {
  const tags =
    options.tags === undefined
      ? { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'people-ops' }
      : options.tags;
  const recorded = (type: string, count: number) => ({
    type,
    category: 'PERSONAL_INFORMATION',
    custom: false,
    count,
    findings: 2,
    firstSeen: '2025-05-01T10:00:00.000Z',
    lastSeen: '2025-05-02T10:00:00.000Z',
    examples: options.examples ?? ['exports/2025/people.csv'],
  });
  return {
    accountId: '111122223333',
    bucket: BUCKET,
    region: 'eu-west-1',
    partition: 'aws',
    ...(tags === null
      ? {}
      : {
          declaration: {
            tags,
            source: options.source ?? 'finding',
            readAt: '2025-05-02T10:00:00.000Z',
          },
        }),
    types: {
      USA_SOCIAL_SECURITY_NUMBER: recorded('USA_SOCIAL_SECURITY_NUMBER', 7),
      NAME: recorded('NAME', 1),
    },
    publiclyAccessible: false,
    findings: 4,
    findingsSinceNotice: 3,
    lastNotice: {
      id: 'n-1',
      kind: 'violation',
      at: '2025-05-01T10:00:00.000Z',
      topicArn: TOPIC,
      delivery: 'sent',
      verdict: 'violation',
      severity: 'High',
      types: ['USA_SOCIAL_SECURITY_NUMBER'],
      publiclyAccessible: false,
    },
  };
}

function input(overrides: Partial<NoticeInput> & { waivers?: WaiverLookup } = {}): NoticeInput {
  const { waivers, ...rest } = overrides;
  const s = overrides.state ?? state();
  return {
    state: s,
    assessment: assessBucket(s, policy, KEYS, waivers ?? (() => undefined)),
    decision: { kind: 'violation', changes: [] },
    route: teamRoute,
    trigger: { kind: 'tag-change' },
    levels: policy.levels,
    keys: KEYS,
    ...rest,
  };
}

const decision = (kind: NoticeDecision['kind'], changes: string[] = []): NoticeDecision => ({
  kind,
  changes,
});

describe('composeNotice', () => {
  describe('summary and subject by kind', () => {
    it.each([
      [
        'violation',
        'S3 bucket acme-hr-records holds data its classification (Internal) does not allow.',
        '[High] Classification violation: acme-hr-records',
      ],
      [
        'escalation',
        'S3 bucket acme-hr-records holds data its classification (Internal) does not allow, and it got worse.',
        '[High] Classification violation escalated: acme-hr-records',
      ],
      [
        'reminder',
        'S3 bucket acme-hr-records still holds data its classification (Internal) does not allow.',
        '[High] Classification violation still open: acme-hr-records',
      ],
    ] as const)('a %s of a violation', (kind, summary, subject) => {
      const notice = composeNotice(input({ decision: decision(kind) }));

      expect(notice.document.summary).toBe(summary);
      expect(notice.subject).toBe(subject);
      expect(notice.text.startsWith(`${summary}\n`)).toBe(true);
    });

    it('a resolution, with the severity last told', () => {
      const s = state({ tags: { DataClassification: 'Restricted', SupportSNSTopic: TOPIC } });

      const notice = composeNotice(
        input({ state: s, decision: decision('resolved', ['no longer open: NAME']) }),
      );

      expect(notice.document.summary).toBe(
        'S3 bucket acme-hr-records no longer holds data its classification does not allow.',
      );
      expect(notice.subject).toBe('[High] Classification violation resolved: acme-hr-records');
      expect(notice.document.verdict).toBe('clear');
      expect(notice.text).toContain('Nothing to do.');
    });

    it('a resolution with no severity told before is Low', () => {
      const { lastNotice: _none, ...s } = state({ tags: { DataClassification: 'Restricted' } });

      expect(
        composeNotice(input({ state: s, decision: decision('resolved') })).document.severity,
      ).toBe('Low');
    });

    it('an unclassified bucket: the value found and the levels allowed', () => {
      const s = state({ tags: { DataClassification: 'Top Secret', SupportSNSTopic: TOPIC } });

      const notice = composeNotice(input({ state: s }));

      expect(notice.document.summary).toBe(
        'S3 bucket acme-hr-records holds sensitive data but declares no valid data classification.',
      );
      expect(notice.document.bucket).toEqual(
        expect.objectContaining({
          declaredLevel: null,
          classificationTag: 'Top Secret',
          allowedLevels: ['Public', 'Internal', 'Confidential', 'Restricted'],
        }),
      );
      expect(notice.text).toContain(
        'Declared level:  "Top Secret", which is not a level (levels: Public, Internal, Confidential, Restricted)',
      );
      expect(notice.text).toContain('Sensitive data found:');
      expect(notice.text).toContain(
        'What to do: tag the bucket with the level of data it may hold (one of Public, Internal, Confidential, Restricted).',
      );
    });

    it('an unclassified bucket without a classification tag says so', () => {
      const notice = composeNotice(input({ state: state({ tags: { SupportSNSTopic: TOPIC } }) }));

      expect(notice.document.bucket).not.toHaveProperty('classificationTag');
      expect(notice.text).toContain('Declared level:  no classification tag (levels:');
    });
  });

  it('keeps the subject under 100 characters for a long bucket name', () => {
    const s = { ...state(), bucket: 'b'.repeat(63) };

    const notice = composeNotice(input({ state: s, decision: decision('escalation') }));

    expect(notice.subject.length).toBeLessThanOrEqual(99);
    expect(notice.subject.startsWith('[High] Classification violation escalated: bbb')).toBe(true);
  });

  it('fits 4,000 open types in one SNS message, most severe first, and counts those left out', () => {
    const base = state({ examples: ['a/"quoted"/key.csv', `keys/${'ü'.repeat(200)}`] });
    const many = Object.fromEntries(
      Array.from({ length: 4000 }, (_, i) => {
        const type = `CUSTOM_${String(i).padStart(4, '0')}_${'"'.repeat(30)}`;
        const recorded = base.types.NAME;
        if (!recorded) throw new Error('the base state holds NAME');
        return [type, { ...recorded, type, count: 2 }];
      }),
    );
    const s = { ...base, types: { ...many, ...base.types } };

    const notice = composeNotice(input({ state: s }));

    const body = JSON.stringify({ default: JSON.stringify(notice.document), email: notice.text });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(262_144);
    expect(notice.document.violations[0]?.type).toBe('USA_SOCIAL_SECURITY_NUMBER');
    const listed = notice.document.violations.length;
    const notListed = notice.document.violationsNotListed;
    expect(listed).toBeGreaterThan(1);
    expect(listed + (notListed?.types ?? 0)).toBe(4002);
    expect(notice.text).toContain(
      `  …and ${notListed?.types} more types (${notListed?.occurrences} occurrences): bucket-classification ledger show lists them all`,
    );
  });

  describe('untrusted text', () => {
    it('cleans control characters out of object keys in the document and the text', () => {
      const notice = composeNotice(
        input({ state: state({ examples: ['evil\nSubject: phish\u0007.csv'] }) }),
      );

      expect(notice.document.violations[0]?.examples).toEqual(['evil?Subject: phish?.csv']);
      expect(notice.text).toContain('e.g. evil?Subject: phish?.csv');
      expect(notice.text).not.toContain('\u0007');
      expect(notice.text).not.toContain('evil\n');
    });

    it('cleans control characters out of tag keys and values, the team and the changes', () => {
      const s = state({
        tags: {
          DataClassification: 'Internal',
          SupportSNSTopic: TOPIC,
          Team: 'people\r\nops\u001b[31m',
        },
      });

      const notice = composeNotice(
        input({ state: s, decision: decision('escalation', ['Team changed from "a" to "b\nc"']) }),
      );

      expect(notice.document.team).toBe('people??ops?[31m');
      expect(notice.attributes.team).toBe('people??ops?[31m');
      expect(notice.document.declaration?.tags.Team).toBe('people??ops?[31m');
      expect(notice.document.changes).toEqual(['Team changed from "a" to "b?c"']);
      expect(notice.text).not.toContain('people\r');
      expect(notice.text).not.toContain('\u001b');
    });

    it('cleans who resolved a bucket and why', () => {
      const s = state({ tags: { DataClassification: 'Restricted' } });

      const notice = composeNotice(
        input({
          state: s,
          decision: decision('resolved'),
          trigger: {
            kind: 'resolve',
            by: 'jane\n',
            reason: 'deleted\tfiles',
            at: '2025-05-03T00:00:00.000Z',
          },
        }),
      );

      expect(notice.document.resolution).toEqual({
        by: 'jane?',
        reason: 'deleted?files',
        at: '2025-05-03T00:00:00.000Z',
      });
      expect(notice.text).toContain('Resolved by:     jane?: deleted?files');
    });
  });

  it.each([
    ['finding', "from the Macie finding's snapshot"],
    ['live', 'read from S3'],
    ['tag-change', 'from the tag change'],
    ['tag-rule', 'from the tag rule'],
  ] as const)('says the tags were read %s', (source, words) => {
    const notice = composeNotice(input({ state: state({ source }) }));

    expect(notice.document.declaration?.source).toBe(source);
    expect(notice.text).toContain(
      `Judged by tags:  DataClassification=Internal, SupportSNSTopic=${TOPIC}, Team=people-ops (${words}, 2025-05-02T10:00:00.000Z)`,
    );
  });

  it('says when the bucket was judged by no tags at all', () => {
    const notice = composeNotice(input({ state: state({ tags: {} }) }));

    expect(notice.text).toContain("Judged by tags:  none (from the Macie finding's snapshot");
  });

  it('gives the reason in the text when the notice went to central security instead', () => {
    const route: AlertRoute = {
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    };

    const notice = composeNotice(input({ route }));

    expect(notice.document.routing).toEqual({
      topicArn: CENTRAL,
      fallbackReason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    });
    expect(notice.text).toContain(
      'Sent to central security: the bucket has no SupportSNSTopic tag.',
    );
  });

  it('says nothing of central security when the team got it', () => {
    expect(composeNotice(input()).text).not.toContain('Sent to central security');
  });

  it('says the tags could not be read, and what to do, when no declaration is known', () => {
    const s = state({ tags: null });

    const notice = composeNotice(input({ state: s, tagsUnreadable: 'AccessDenied' }));

    expect(notice.document.summary).toBe(
      'S3 bucket acme-hr-records holds sensitive data, and its classification could not be read.',
    );
    expect(notice.document.bucket.tagsUnreadable).toBe('AccessDenied');
    expect(notice.document.declaration).toBeNull();
    expect(notice.text).toContain(
      "Declared level:  unknown: the bucket's tags could not be read (AccessDenied)",
    );
    expect(notice.text).toContain('s3:GetBucketTagging');
  });

  it('lists each open violation with what it needs, its counts, times and example objects', () => {
    const notice = composeNotice(input());

    expect(notice.document.violations).toEqual([
      {
        type: 'USA_SOCIAL_SECURITY_NUMBER',
        category: 'PERSONAL_INFORMATION',
        requiredLevel: 'Restricted',
        count: 7,
        findings: 2,
        firstSeen: '2025-05-01T10:00:00.000Z',
        lastSeen: '2025-05-02T10:00:00.000Z',
        examples: ['exports/2025/people.csv'],
      },
      expect.objectContaining({ type: 'NAME', requiredLevel: 'Confidential', count: 1 }),
    ]);
    expect(notice.text).toContain(
      '  - USA_SOCIAL_SECURITY_NUMBER (PERSONAL_INFORMATION): needs Restricted; 7 occurrences in 2 objects, 2025-05-01T10:00:00.000Z to 2025-05-02T10:00:00.000Z\n      e.g. exports/2025/people.csv',
    );
    expect(notice.text).toContain(
      '  - NAME (PERSONAL_INFORMATION): needs Confidential; 1 occurrence in 2 objects',
    );
    expect(notice.text).toContain('Not allowed at Internal:');
  });

  it('says a forbidden type is forbidden at every level', () => {
    const s = state();
    const assessment: BucketAssessment = {
      ...assessBucket(s, policy, KEYS, () => undefined),
      violations: [
        {
          type: 'AWS_CREDENTIALS',
          category: 'CREDENTIALS',
          requiredLevel: 'forbidden',
          count: 1,
          findings: 1,
          examples: [],
          firstSeen: 'a',
          lastSeen: 'b',
        },
      ],
    };

    const notice = composeNotice(input({ state: s, assessment }));

    expect(notice.text).toContain(
      '  - AWS_CREDENTIALS (CREDENTIALS): forbidden at every level; 1 occurrence in 1 object, a to b',
    );
    expect(notice.text).not.toContain('e.g.');
  });

  it('lists waived types and expired waivers with their tickets', () => {
    const waiver =
      (status: 'active' | 'expired'): WaiverLookup =>
      (type) => ({
        status,
        waiver: {
          ticket: `SEC-${type === 'NAME' ? 1 : 2}`,
          approver: 'ciso@example.com',
          reason: 'migration',
          expiresAt: '2025-06-30T23:59:59.999Z',
          source: 'policies/waivers.yaml:2',
        },
      });
    const active = composeNotice(
      input({ waivers: (type) => (type === 'NAME' ? waiver('active')(type) : undefined) }),
    );
    const expired = composeNotice(
      input({ waivers: (type) => (type === 'NAME' ? waiver('expired')(type) : undefined) }),
    );

    expect(active.document.waived).toEqual([
      {
        type: 'NAME',
        ticket: 'SEC-1',
        approver: 'ciso@example.com',
        expiresAt: '2025-06-30T23:59:59.999Z',
      },
    ]);
    expect(active.text).toContain('Waived:          NAME (SEC-1, until 2025-06-30T23:59:59.999Z)');
    expect(expired.document.waiverExpired.map((w) => w.type)).toEqual(['NAME']);
    expect(expired.text).toContain(
      'Waiver expired:  NAME (SEC-1, expired 2025-06-30T23:59:59.999Z)',
    );
  });

  it('lists what changed', () => {
    const notice = composeNotice(
      input({
        decision: decision('escalation', [
          'severity rose from Medium to High',
          'newly found: NAME',
        ]),
      }),
    );

    expect(notice.text).toContain(
      'What changed:\n  - severity rose from Medium to High\n  - newly found: NAME\n',
    );
  });

  it('counts the findings in all and since the last notice', () => {
    const notice = composeNotice(input());

    expect(notice.document.findings).toEqual({
      total: 4,
      sinceLastNotice: 3,
      lastNoticeAt: '2025-05-01T10:00:00.000Z',
    });
    expect(notice.text).toContain(
      'Findings:        4 in all; 3 since the last notice (2025-05-01T10:00:00.000Z)',
    );
  });

  it('names the finding that brought the notice, with a console link', () => {
    const finding: AlertFinding = {
      id: 'f-1',
      type: 'SensitiveData:S3Object/Personal',
      accountId: '111122223333',
      region: 'eu-west-1',
      partition: 'aws',
      bucket: BUCKET,
      objectKey: 'exports/\u0000x.csv',
      createdAt: '2025-05-02T10:00:00.000Z',
      sample: false,
    };

    const notice = composeNotice(input({ trigger: { kind: 'finding', finding } }));

    expect(notice.document.finding).toEqual(
      expect.objectContaining({
        id: 'f-1',
        objectKey: 'exports/?x.csv',
        createdAt: '2025-05-02T10:00:00.000Z',
      }),
    );
    expect(notice.text).toContain('Latest finding:  f-1 (SensitiveData:S3Object/Personal)');
    expect(notice.text).toContain('Object:          exports/?x.csv');
    expect(notice.text).toContain(`Macie console:   ${notice.document.finding?.consoleUrl}`);
  });

  it('says the bucket is public when it is', () => {
    const s = { ...state(), publiclyAccessible: true };

    const notice = composeNotice(input({ state: s }));

    expect(notice.document.bucket.publiclyAccessible).toBe(true);
    expect(notice.text).toContain(
      'Exposure:        the bucket is publicly accessible (severity raised)',
    );
  });

  it('carries the kind, severity, team and bucket as message attributes, and the schema', () => {
    const notice = composeNotice(input({ decision: decision('reminder') }));

    expect(notice.attributes).toEqual({
      severity: 'High',
      team: 'people-ops',
      bucket: BUCKET,
      kind: 'reminder',
      sample: 'false',
    });
    expect(notice.document.schema).toBe(NOTICE_SCHEMA);
    expect(notice.document.kind).toBe('reminder');
  });
});
