/**
 * Whole notices, document and text, for the shapes a notice takes: every line
 * and field in its place, so a change to any of them is seen.
 */
import { loadPolicy } from '../../../policies/load-policy';
import type { AlertFinding } from '../../../rules/alert';
import { assessBucket, type BucketState, type WaiverLookup } from '../../../rules/bucket-state';
import { composeNotice, type NoticeInput } from '../../../rules/notice';
import { KEYS } from './finding-builder';

const policy = loadPolicy();
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:people-ops-alerts';

function recorded(type: string, category: string, count: number, examples: string[]) {
  return {
    type,
    category,
    custom: false,
    count,
    findings: 2,
    firstSeen: '2025-05-01T10:00:00.000Z',
    lastSeen: '2025-05-02T10:00:00.000Z',
    examples,
  };
}

/** A public bucket declared Internal, holding passports (waived), names, addresses and credentials. */
const STATE: BucketState = {
  accountId: '111122223333',
  bucket: 'acme-hr-records',
  region: 'eu-west-1',
  partition: 'aws',
  declaration: {
    tags: { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'people-ops' },
    source: 'live',
    readAt: '2025-05-02T11:00:00.000Z',
  },
  types: {
    USA_PASSPORT_NUMBER: recorded('USA_PASSPORT_NUMBER', 'PERSONAL_INFORMATION', 2, ['p.csv']),
    AWS_CREDENTIALS: recorded('AWS_CREDENTIALS', 'CREDENTIALS', 1, ['deploy/.env', 'ci/.env']),
    USA_SOCIAL_SECURITY_NUMBER: recorded(
      'USA_SOCIAL_SECURITY_NUMBER',
      'PERSONAL_INFORMATION',
      7,
      [],
    ),
    NAME: recorded('NAME', 'PERSONAL_INFORMATION', 1, ['people.csv']),
  },
  typesLeftOut: 3,
  publiclyAccessible: true,
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

const WAIVERS: WaiverLookup = (type) =>
  type === 'USA_PASSPORT_NUMBER' || type === 'NAME'
    ? {
        status: type === 'NAME' ? 'expired' : 'active',
        waiver: {
          ticket: type === 'NAME' ? 'SEC-1' : 'SEC-2',
          approver: 'ciso@example.com',
          reason: 'migration',
          expiresAt: '2025-06-30T23:59:59.999Z',
          source: 'policies/waivers.yaml:2',
        },
      }
    : undefined;

const FINDING: AlertFinding = {
  id: 'f-1',
  type: 'SensitiveData:S3Object/Multiple',
  accountId: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  bucket: 'acme-hr-records',
  objectKey: 'deploy/.env',
  createdAt: '2025-05-02T10:00:00.000Z',
  sample: false,
};

function input(overrides: Partial<NoticeInput> = {}): NoticeInput {
  const state = overrides.state ?? STATE;
  return {
    state,
    assessment: assessBucket(state, policy, KEYS, WAIVERS),
    decision: { kind: 'escalation', changes: ['newly found: AWS_CREDENTIALS'] },
    route: { kind: 'team', topicArn: TOPIC },
    trigger: { kind: 'finding', finding: FINDING },
    levels: policy.levels,
    keys: KEYS,
    ...overrides,
  };
}

const ROUTING = { topicArn: TOPIC };
const TAGS = { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'people-ops' };
const WAIVED = [
  {
    type: 'USA_PASSPORT_NUMBER',
    ticket: 'SEC-2',
    approver: 'ciso@example.com',
    expiresAt: '2025-06-30T23:59:59.999Z',
  },
];
const WAIVER_EXPIRED = [{ ...WAIVED[0], type: 'NAME', ticket: 'SEC-1' }];
const FIRST_LAST = {
  findings: 2,
  firstSeen: '2025-05-01T10:00:00.000Z',
  lastSeen: '2025-05-02T10:00:00.000Z',
};
const VIOLATIONS = [
  {
    type: 'AWS_CREDENTIALS',
    category: 'CREDENTIALS',
    requiredLevel: 'forbidden',
    count: 1,
    ...FIRST_LAST,
    examples: ['deploy/.env', 'ci/.env'],
  },
  {
    type: 'USA_SOCIAL_SECURITY_NUMBER',
    category: 'PERSONAL_INFORMATION',
    requiredLevel: 'Restricted',
    count: 7,
    ...FIRST_LAST,
    examples: [],
  },
  {
    type: 'NAME',
    category: 'PERSONAL_INFORMATION',
    requiredLevel: 'Confidential',
    count: 1,
    ...FIRST_LAST,
    examples: ['people.csv'],
  },
];
const VIOLATION_LINES = [
  '  - AWS_CREDENTIALS (CREDENTIALS): forbidden at every level; 1 occurrence in 2 objects, 2025-05-01T10:00:00.000Z to 2025-05-02T10:00:00.000Z',
  '      e.g. deploy/.env, ci/.env',
  '  - USA_SOCIAL_SECURITY_NUMBER (PERSONAL_INFORMATION): needs Restricted; 7 occurrences in 2 objects, 2025-05-01T10:00:00.000Z to 2025-05-02T10:00:00.000Z',
  '  - NAME (PERSONAL_INFORMATION): needs Confidential; 1 occurrence in 2 objects, 2025-05-01T10:00:00.000Z to 2025-05-02T10:00:00.000Z',
  '      e.g. people.csv',
];
const WAIVER_LINES = [
  'Waiver expired:  NAME (SEC-1, expired 2025-06-30T23:59:59.999Z)',
  'Waived:          USA_PASSPORT_NUMBER (SEC-2, until 2025-06-30T23:59:59.999Z)',
];
const CONSOLE =
  'https://eu-west-1.console.aws.amazon.com/macie/home?region=eu-west-1#findings?itemId=f-1';
const HEAR_AGAIN =
  'You will hear again only when this gets worse, as a reminder while it stays open, or when it is resolved.';

describe('a whole notice', () => {
  it('of a violation that got worse in a public bucket, brought by a finding', () => {
    const notice = composeNotice(input());

    expect(notice.document).toStrictEqual({
      schema: 'bucket-classification-validator/notice/v1',
      kind: 'escalation',
      verdict: 'violation',
      severity: 'Critical',
      team: 'people-ops',
      sample: false,
      summary:
        'S3 bucket acme-hr-records holds data its classification (Internal) does not allow, and it got worse.',
      changes: ['newly found: AWS_CREDENTIALS'],
      bucket: {
        name: 'acme-hr-records',
        accountId: '111122223333',
        region: 'eu-west-1',
        declaredLevel: 'Internal',
        publiclyAccessible: true,
      },
      declaration: { tags: TAGS, source: 'live', readAt: '2025-05-02T11:00:00.000Z' },
      violations: VIOLATIONS,
      typesLeftOut: 3,
      waived: WAIVED,
      waiverExpired: WAIVER_EXPIRED,
      findings: { total: 4, sinceLastNotice: 3, lastNoticeAt: '2025-05-01T10:00:00.000Z' },
      finding: {
        id: 'f-1',
        type: 'SensitiveData:S3Object/Multiple',
        objectKey: 'deploy/.env',
        createdAt: '2025-05-02T10:00:00.000Z',
        consoleUrl: CONSOLE,
      },
      routing: ROUTING,
    });
    expect(notice.text.split('\n')).toEqual([
      'S3 bucket acme-hr-records holds data its classification (Internal) does not allow, and it got worse.',
      '',
      'What changed:',
      '  - newly found: AWS_CREDENTIALS',
      '',
      'Severity:        Critical',
      'Bucket:          acme-hr-records (account 111122223333, eu-west-1)',
      'Declared level:  Internal',
      'Team:            people-ops',
      `Judged by tags:  DataClassification=Internal, SupportSNSTopic=${TOPIC}, Team=people-ops (read from S3, 2025-05-02T11:00:00.000Z)`,
      'Exposure:        the bucket is publicly accessible (severity raised)',
      '',
      'Not allowed at Internal:',
      ...VIOLATION_LINES,
      '  The ledger keeps a bounded number of types per bucket: 3 less demanding type(s) found here were left out.',
      '',
      ...WAIVER_LINES,
      '',
      'Findings:        4 in all; 3 since the last notice (2025-05-01T10:00:00.000Z)',
      'Latest finding:  f-1 (SensitiveData:S3Object/Multiple)',
      'Object:          deploy/.env',
      `Macie console:   ${CONSOLE}`,
      '',
      'What to do: remove the data or move it to a bucket declared at the level it needs. If the bucket is meant to hold such data, raise its classification tag to that level. Once the data is gone, central security can close this with `bucket-classification ledger resolve`.',
      '',
      HEAR_AGAIN,
    ]);
  });

  it('reminding of an unclassified bucket, on a schedule, with nothing changed', () => {
    const state: BucketState = {
      ...STATE,
      declaration: {
        tags: { DataClassification: 'Top Secret' },
        source: 'tag-change',
        readAt: '2025-05-02T12:00:00.000Z',
      },
      publiclyAccessible: false,
      typesLeftOut: 0,
    };

    const notice = composeNotice(
      input({ state, decision: { kind: 'reminder', changes: [] }, trigger: { kind: 'schedule' } }),
    );

    expect(notice.document).toStrictEqual({
      schema: 'bucket-classification-validator/notice/v1',
      kind: 'reminder',
      verdict: 'unclassified',
      severity: 'Critical',
      team: 'unassigned',
      sample: false,
      summary:
        'S3 bucket acme-hr-records still holds sensitive data but declares no valid data classification.',
      changes: [],
      bucket: {
        name: 'acme-hr-records',
        accountId: '111122223333',
        region: 'eu-west-1',
        declaredLevel: null,
        classificationTag: 'Top Secret',
        allowedLevels: ['Public', 'Internal', 'Confidential', 'Restricted'],
        publiclyAccessible: false,
      },
      declaration: {
        tags: { DataClassification: 'Top Secret' },
        source: 'tag-change',
        readAt: '2025-05-02T12:00:00.000Z',
      },
      violations: VIOLATIONS,
      waived: WAIVED,
      waiverExpired: WAIVER_EXPIRED,
      findings: { total: 4, sinceLastNotice: 3, lastNoticeAt: '2025-05-01T10:00:00.000Z' },
      routing: ROUTING,
    });
    expect(notice.text.split('\n')).toEqual([
      'S3 bucket acme-hr-records still holds sensitive data but declares no valid data classification.',
      '',
      'Severity:        Critical',
      'Bucket:          acme-hr-records (account 111122223333, eu-west-1)',
      'Declared level:  "Top Secret", which is not a level (levels: Public, Internal, Confidential, Restricted)',
      'Team:            unassigned',
      'Judged by tags:  DataClassification=Top Secret (from the tag change, 2025-05-02T12:00:00.000Z)',
      '',
      'Sensitive data found:',
      ...VIOLATION_LINES,
      '',
      ...WAIVER_LINES,
      '',
      'Findings:        4 in all; 3 since the last notice (2025-05-01T10:00:00.000Z)',
      '',
      'What to do: tag the bucket with the level of data it may hold (one of Public, Internal, Confidential, Restricted).',
      '',
      HEAR_AGAIN,
    ]);
  });

  it('of a resolution, with nothing open and nothing waived', () => {
    const { typesLeftOut: _left, lastNotice: _last, ...rest } = STATE;
    const state: BucketState = {
      ...rest,
      types: {},
      publiclyAccessible: false,
      findingsSinceNotice: 0,
    };

    const notice = composeNotice(
      input({
        state,
        decision: { kind: 'resolved', changes: ['no longer open: NAME'] },
        trigger: { kind: 'resolve', by: 'jane', reason: 'deleted', at: '2025-05-03T09:00:00.000Z' },
      }),
    );

    expect(notice.document).toStrictEqual({
      schema: 'bucket-classification-validator/notice/v1',
      kind: 'resolved',
      verdict: 'clear',
      severity: 'Low',
      team: 'people-ops',
      sample: false,
      summary: 'S3 bucket acme-hr-records no longer holds data its classification does not allow.',
      changes: ['no longer open: NAME'],
      bucket: {
        name: 'acme-hr-records',
        accountId: '111122223333',
        region: 'eu-west-1',
        declaredLevel: 'Internal',
        publiclyAccessible: false,
      },
      declaration: { tags: TAGS, source: 'live', readAt: '2025-05-02T11:00:00.000Z' },
      violations: [],
      waived: [],
      waiverExpired: [],
      findings: { total: 4, sinceLastNotice: 0, lastNoticeAt: null },
      resolution: { by: 'jane', reason: 'deleted', at: '2025-05-03T09:00:00.000Z' },
      routing: ROUTING,
    });
    expect(notice.text.split('\n')).toEqual([
      'S3 bucket acme-hr-records no longer holds data its classification does not allow.',
      '',
      'What changed:',
      '  - no longer open: NAME',
      '',
      'Severity:        Low',
      'Bucket:          acme-hr-records (account 111122223333, eu-west-1)',
      'Declared level:  Internal',
      'Team:            people-ops',
      `Judged by tags:  DataClassification=Internal, SupportSNSTopic=${TOPIC}, Team=people-ops (read from S3, 2025-05-02T11:00:00.000Z)`,
      '',
      'Findings:        4 in all; 0 since the last notice',
      'Resolved by:     jane: deleted',
      '',
      'Nothing to do.',
      '',
      'You will hear again if data its classification does not allow is found here again.',
    ]);
  });
});

it('names no object for a finding that names none', () => {
  const { objectKey: _key, ...finding } = FINDING;

  const notice = composeNotice(input({ trigger: { kind: 'finding', finding } }));

  expect(notice.document.finding?.objectKey).toBeNull();
  expect(notice.text).toContain(
    `Latest finding:  f-1 (SensitiveData:S3Object/Multiple)\nMacie console:   ${CONSOLE}\n`,
  );
});

describe('a notice with more waivers than fit', () => {
  /** `count` waived types with long names, and `expired` types whose waiver expired. */
  function waivedState(
    count: number,
    expired: number,
  ): { state: BucketState; waivers: WaiverLookup } {
    const types = Object.fromEntries([
      ...Array.from({ length: count }, (_, i) => {
        const type = `WAIVED_${String(i).padStart(4, '0')}_${'"'.repeat(40)}`;
        return [type, recorded(type, 'PERSONAL_INFORMATION', 1, [])];
      }),
      ...Array.from({ length: expired }, (_, i) => {
        const type = `EXPIRED_${i}`;
        return [type, recorded(type, 'PERSONAL_INFORMATION', 1, [])];
      }),
    ]);
    const waivers: WaiverLookup = (type) => ({
      status: type.startsWith('EXPIRED_') ? 'expired' : 'active',
      waiver: {
        ticket: 'SEC-9',
        approver: 'ciso@example.com',
        reason: 'migration',
        expiresAt: '2025-06-30T23:59:59.999Z',
        source: 'policies/waivers.yaml:2',
      },
    });
    return { state: { ...STATE, types, typesLeftOut: 0 }, waivers };
  }

  it.each([
    ['waived types', 3000, 2],
    ['expired waivers', 2, 3000],
  ])('lists as many %s as fit and counts the rest once', (_, waived, expired) => {
    const { state, waivers } = waivedState(waived, expired);

    const notice = composeNotice({
      ...input({ state }),
      assessment: assessBucket(state, policy, KEYS, waivers),
    });

    const { document } = notice;
    const listed = document.waived.length + document.waiverExpired.length;
    expect(listed).toBeLessThan(3002);
    expect(Math.min(document.waived.length, document.waiverExpired.length)).toBe(2);
    expect(document.waiversNotListed).toBe(3002 - listed);
    expect(notice.text).toContain(`\n…and ${3002 - listed} more waivers\n`);
  });

  it('counts none when every waiver is listed', () => {
    const { state, waivers } = waivedState(3, 2);

    const notice = composeNotice({
      ...input({ state }),
      assessment: assessBucket(state, policy, KEYS, waivers),
    });

    expect(notice.document).not.toHaveProperty('waiversNotListed');
    expect(notice.text).not.toContain('more waivers');
  });
});
