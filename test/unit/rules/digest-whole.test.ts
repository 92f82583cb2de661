/**
 * Whole digests, document and text, for a team and for central security: every
 * line and field in its place, so a change to any of them is seen.
 */
import type { AlertRoute } from '../../../rules/alert-route';
import type {
  BucketAssessment,
  BucketState,
  OpenViolation,
  WaivedViolation,
} from '../../../rules/bucket-state';
import {
  type AssessedBucket,
  composeOverallDigest,
  composeTeamDigest,
  planDigests,
} from '../../../rules/digest';
import { permutations } from '../../support/permutations';

const NOW = new Date('2025-06-01T06:00:00.000Z');
const LEVELS = ['Public', 'Internal', 'Confidential', 'Restricted'];
const PEOPLE: AlertRoute = {
  kind: 'team',
  topicArn: 'arn:aws:sns:eu-west-1:111122223333:people-ops',
};
const PAYMENTS: AlertRoute = {
  kind: 'team',
  topicArn: 'arn:aws:sns:eu-west-1:111122223333:payments',
};
const CENTRAL: AlertRoute = {
  kind: 'team',
  topicArn: 'arn:aws:sns:eu-west-1:999988887777:central',
};
const UNROUTED: AlertRoute = {
  kind: 'fallback',
  topicArn: CENTRAL.topicArn,
  reason: 'TopicNotOptedIn',
  detail: 'the topic does not carry AcceptsClassificationAlerts=true',
};

function open(type: string, requiredLevel: string, count: number, findings: number): OpenViolation {
  return {
    type,
    category: 'PERSONAL_INFORMATION',
    requiredLevel,
    count,
    findings,
    examples: [],
    firstSeen: '2025-05-01T00:00:00.000Z',
    lastSeen: '2025-05-02T00:00:00.000Z',
  };
}

function waived(type: string, ticket: string, expiresAt: string): WaivedViolation {
  return {
    ...open(type, 'Restricted', 1, 1),
    waiver: {
      ticket,
      approver: 'ciso@example.com',
      reason: 'migration',
      expiresAt,
      source: 'w.yaml:1',
    },
  };
}

function bucket(
  name: string,
  assessment: Partial<BucketAssessment> & Pick<BucketAssessment, 'verdict' | 'team'>,
  route: AlertRoute,
  state: Partial<BucketState> = {},
): AssessedBucket {
  return {
    state: {
      accountId: '111122223333',
      bucket: name,
      region: 'eu-west-1',
      partition: 'aws',
      types: {},
      publiclyAccessible: false,
      findings: 3,
      findingsSinceNotice: 1,
      ...state,
    } as BucketState,
    assessment: {
      violations: [],
      waived: [],
      waiverExpired: [],
      publiclyAccessible: false,
      ...assessment,
    },
    route,
  };
}

const HR = bucket(
  'acme-hr',
  {
    verdict: 'violation',
    team: 'people-ops',
    severity: 'Critical',
    declaredLevel: 'Internal',
    publiclyAccessible: true,
    violations: [open('NAME', 'Confidential', 4, 2), open('AWS_CREDENTIALS', 'forbidden', 1, 1)],
  },
  PEOPLE,
  {
    openSince: '2025-05-01T00:00:00.000Z',
    lastNotice: {
      id: 'n-1',
      kind: 'escalation',
      at: '2025-05-02T00:00:00.000Z',
      topicArn: PEOPLE.topicArn,
      delivery: 'sent',
      verdict: 'violation',
      severity: 'Critical',
      types: ['AWS_CREDENTIALS'],
      publiclyAccessible: true,
    },
  },
);
const LOGS = bucket(
  'acme-logs',
  {
    verdict: 'unclassified',
    team: 'people-ops',
    severity: 'High',
    violations: [open('USA_PASSPORT_NUMBER', 'Restricted', 2, 1)],
  },
  UNROUTED,
);
const PAY = bucket(
  'acme-payments',
  {
    verdict: 'violation',
    team: 'payments',
    severity: 'Medium',
    declaredLevel: 'Confidential',
    violations: [open('BANK_ACCOUNT_NUMBER', 'Restricted', 1, 1)],
    waived: [
      waived('CREDIT_CARD_NUMBER', 'SEC-7', '2025-06-04T00:00:00.000Z'),
      waived('USA_SOCIAL_SECURITY_NUMBER', 'SEC-8', '2025-06-20T00:00:00.000Z'),
    ],
  },
  PAYMENTS,
  { openSince: '2025-05-20T00:00:00.000Z' },
);
const CLEAR = bucket(
  'acme-archive',
  {
    verdict: 'clear',
    team: 'payments',
    waived: [waived('NAME', 'SEC-9', '2025-06-02T00:00:00.000Z')],
  },
  PAYMENTS,
);
// Not in any order the digests use: each sorts what it lists.
const ALL = [HR, PAY, CLEAR, LOGS];

/** What each digest lists of the buckets and waivers above. */
const PAY_DOCUMENT = {
  name: 'acme-payments',
  accountId: '111122223333',
  region: 'eu-west-1',
  team: 'payments',
  verdict: 'violation',
  severity: 'Medium',
  declaredLevel: 'Confidential',
  publiclyAccessible: false,
  types: [
    {
      type: 'BANK_ACCOUNT_NUMBER',
      requiredLevel: 'Restricted',
      count: 1,
      findings: 1,
    },
  ],
  findings: 3,
  openSince: '2025-05-20T00:00:00.000Z',
  lastNotice: null,
};
const HR_DOCUMENT = {
  name: 'acme-hr',
  accountId: '111122223333',
  region: 'eu-west-1',
  team: 'people-ops',
  verdict: 'violation',
  severity: 'Critical',
  declaredLevel: 'Internal',
  publiclyAccessible: true,
  types: [
    {
      type: 'AWS_CREDENTIALS',
      requiredLevel: 'forbidden',
      count: 1,
      findings: 1,
    },
    {
      type: 'NAME',
      requiredLevel: 'Confidential',
      count: 4,
      findings: 2,
    },
  ],
  findings: 3,
  openSince: '2025-05-01T00:00:00.000Z',
  lastNotice: {
    kind: 'escalation',
    at: '2025-05-02T00:00:00.000Z',
  },
};
const LOGS_DOCUMENT = {
  name: 'acme-logs',
  accountId: '111122223333',
  region: 'eu-west-1',
  team: 'people-ops',
  verdict: 'unclassified',
  severity: 'High',
  declaredLevel: null,
  publiclyAccessible: false,
  types: [
    {
      type: 'USA_PASSPORT_NUMBER',
      requiredLevel: 'Restricted',
      count: 2,
      findings: 1,
    },
  ],
  findings: 3,
  openSince: null,
  lastNotice: null,
  unroutable: {
    reason: 'TopicNotOptedIn',
    detail: 'the topic does not carry AcceptsClassificationAlerts=true',
  },
};
const WAIVERS_DOCUMENT = [
  {
    bucket: 'acme-archive',
    accountId: '111122223333',
    type: 'NAME',
    ticket: 'SEC-9',
    approver: 'ciso@example.com',
    expiresAt: '2025-06-02T00:00:00.000Z',
  },
  {
    bucket: 'acme-payments',
    accountId: '111122223333',
    type: 'CREDIT_CARD_NUMBER',
    ticket: 'SEC-7',
    approver: 'ciso@example.com',
    expiresAt: '2025-06-04T00:00:00.000Z',
  },
];
/** What every digest document starts with. */
const DIGEST = { schema: 'bucket-classification-validator/digest/v1', kind: 'digest' } as const;

/** The message attributes of a digest at `severity` for `team` (`-` for all teams). */
function attributes(severity: string, team: string) {
  return { severity, team, bucket: '-', kind: 'digest', sample: 'false' };
}

const TEAM_FOOTER = [
  'This digest comes once a day while the team has open violations, unclassified buckets or waivers about to end.',
  'Notices about each change (a new violation, an escalation, a resolution) come as they happen.',
];

describe('whole digests', () => {
  // Planned inside each test, so that a mutation run counts the planning as covered.
  const planned = () => planDigests(ALL, NOW);

  it('plans one digest per team and topic, the buckets that cannot reach the team apart', () => {
    expect(
      planned().map((plan) => ({
        team: plan.team,
        route: plan.route,
        buckets: plan.buckets.map((b) => b.state.bucket),
      })),
    ).toStrictEqual([
      {
        team: 'payments',
        route: {
          kind: 'team',
          topicArn: 'arn:aws:sns:eu-west-1:111122223333:payments',
        },
        buckets: ['acme-payments', 'acme-archive'],
      },
      {
        team: 'people-ops',
        route: {
          kind: 'team',
          topicArn: 'arn:aws:sns:eu-west-1:111122223333:people-ops',
        },
        buckets: ['acme-hr'],
      },
      {
        team: 'people-ops',
        route: {
          kind: 'fallback',
          topicArn: 'arn:aws:sns:eu-west-1:999988887777:central',
          reason: 'TopicNotOptedIn',
          detail:
            'the team cannot be reached at a topic of its own for this bucket; each bucket says why',
        },
        buckets: ['acme-logs'],
      },
    ]);
  });

  it('of team payments: an open bucket and two waivers ending soon, one in a clear bucket', () => {
    const plan = planned()[0] as ReturnType<typeof planned>[number];
    const digest = composeTeamDigest(plan, plan.route, NOW, LEVELS);

    expect(digest.document).toStrictEqual({
      ...DIGEST,
      scope: 'team',
      team: 'payments',
      severity: 'Medium',
      generatedAt: '2025-06-01T06:00:00.000Z',
      summary:
        'Daily digest for team payments: 1 bucket needs attention (1 in violation, 0 unclassified); 2 waivers end within 7 days.',
      totals: {
        buckets: 1,
        violation: 1,
        unclassified: 0,
        bySeverity: {
          Low: 0,
          Medium: 1,
          High: 0,
          Critical: 0,
        },
        waiversExpiring: 2,
      },
      buckets: [PAY_DOCUMENT],
      bucketsNotListed: 0,
      waiversExpiring: WAIVERS_DOCUMENT,
      waiversNotListed: 0,
      routing: {
        topicArn: 'arn:aws:sns:eu-west-1:111122223333:payments',
      },
    });
    expect(digest.text.split('\n')).toEqual([
      'Daily digest for team payments: 1 bucket needs attention (1 in violation, 0 unclassified); 2 waivers end within 7 days.',
      '',
      'Worst severity:  Medium',
      'Open buckets:    1 (1 in violation, 0 unclassified); Medium 1',
      'Waivers ending:  2 within 7 days',
      'As of:           2025-06-01T06:00:00.000Z',
      '',
      'acme-payments (account 111122223333, eu-west-1)',
      '  Medium violation: declared Confidential',
      '  Open types:    BANK_ACCOUNT_NUMBER (needs Restricted) 1 in 1 object',
      '  Findings:      3; open since 2025-05-20T00:00:00.000Z; last notice none',
      '',
      'Waivers ending within 7 days:',
      '  acme-archive: NAME (SEC-9, approved by ciso@example.com) ends 2025-06-02T00:00:00.000Z',
      '  acme-payments: CREDIT_CARD_NUMBER (SEC-7, approved by ciso@example.com) ends 2025-06-04T00:00:00.000Z',
      '',
      ...TEAM_FOOTER,
    ]);
    expect(digest.subject).toBe('[Medium] Daily digest for team payments');
    expect(digest.attributes).toStrictEqual(attributes('Medium', 'payments'));
  });

  it('of team people-ops on its own topic: a public bucket with a forbidden type', () => {
    const plan = planned()[1] as ReturnType<typeof planned>[number];
    const digest = composeTeamDigest(plan, plan.route, NOW, LEVELS);

    expect(digest.document).toStrictEqual({
      ...DIGEST,
      scope: 'team',
      team: 'people-ops',
      severity: 'Critical',
      generatedAt: '2025-06-01T06:00:00.000Z',
      summary:
        'Daily digest for team people-ops: 1 bucket needs attention (1 in violation, 0 unclassified).',
      totals: {
        buckets: 1,
        violation: 1,
        unclassified: 0,
        bySeverity: {
          Low: 0,
          Medium: 0,
          High: 0,
          Critical: 1,
        },
        waiversExpiring: 0,
      },
      buckets: [HR_DOCUMENT],
      bucketsNotListed: 0,
      waiversExpiring: [],
      waiversNotListed: 0,
      routing: {
        topicArn: 'arn:aws:sns:eu-west-1:111122223333:people-ops',
      },
    });
    expect(digest.text.split('\n')).toEqual([
      'Daily digest for team people-ops: 1 bucket needs attention (1 in violation, 0 unclassified).',
      '',
      'Worst severity:  Critical',
      'Open buckets:    1 (1 in violation, 0 unclassified); Critical 1',
      'Waivers ending:  0 within 7 days',
      'As of:           2025-06-01T06:00:00.000Z',
      '',
      'acme-hr (account 111122223333, eu-west-1)',
      '  Critical violation: declared Internal; publicly accessible',
      '  Open types:    AWS_CREDENTIALS (forbidden) 1 in 1 object; NAME (needs Confidential) 4 in 2 objects',
      '  Findings:      3; open since 2025-05-01T00:00:00.000Z; last notice escalation at 2025-05-02T00:00:00.000Z',
      '',
      ...TEAM_FOOTER,
    ]);
    expect(digest.subject).toBe('[Critical] Daily digest for team people-ops');
    expect(digest.attributes).toStrictEqual(attributes('Critical', 'people-ops'));
  });

  it('of team people-ops sent to central security: a bucket whose notices cannot reach the team', () => {
    const plan = planned()[2] as ReturnType<typeof planned>[number];
    const digest = composeTeamDigest(plan, plan.route, NOW, LEVELS);

    expect(digest.document).toStrictEqual({
      ...DIGEST,
      scope: 'team',
      team: 'people-ops',
      severity: 'High',
      generatedAt: '2025-06-01T06:00:00.000Z',
      summary:
        'Daily digest for team people-ops: 1 bucket needs attention (0 in violation, 1 unclassified).',
      totals: {
        buckets: 1,
        violation: 0,
        unclassified: 1,
        bySeverity: {
          Low: 0,
          Medium: 0,
          High: 1,
          Critical: 0,
        },
        waiversExpiring: 0,
      },
      buckets: [LOGS_DOCUMENT],
      bucketsNotListed: 0,
      waiversExpiring: [],
      waiversNotListed: 0,
      routing: {
        topicArn: 'arn:aws:sns:eu-west-1:999988887777:central',
        fallbackReason: 'TopicNotOptedIn',
        detail:
          'the team cannot be reached at a topic of its own for this bucket; each bucket says why',
      },
    });
    expect(digest.text.split('\n')).toEqual([
      'Daily digest for team people-ops: 1 bucket needs attention (0 in violation, 1 unclassified).',
      '',
      'Worst severity:  High',
      'Open buckets:    1 (0 in violation, 1 unclassified); High 1',
      'Waivers ending:  0 within 7 days',
      'As of:           2025-06-01T06:00:00.000Z',
      '',
      'acme-logs (account 111122223333, eu-west-1)',
      '  High unclassified: no valid classification',
      '  Open types:    USA_PASSPORT_NUMBER (needs Restricted) 2 in 1 object',
      '  Findings:      3; open since -; last notice none',
      '  Not routed to the team: the topic does not carry AcceptsClassificationAlerts=true',
      '',
      'Sent to central security: the team cannot be reached at a topic of its own for this bucket; each bucket says why.',
      '',
      ...TEAM_FOOTER,
    ]);
    expect(digest.subject).toBe('[High] Daily digest for team people-ops');
    expect(digest.attributes).toStrictEqual(attributes('High', 'people-ops'));
  });

  it('for central security: totals, a line per team, the buckets worst first and the waivers ending soon', () => {
    const digest = composeOverallDigest(ALL, CENTRAL, NOW, LEVELS);

    expect(digest.document).toStrictEqual({
      ...DIGEST,
      scope: 'overall',
      team: null,
      severity: 'Critical',
      generatedAt: '2025-06-01T06:00:00.000Z',
      summary:
        'Daily classification digest: 3 buckets need attention (2 in violation, 1 unclassified); 2 waivers end within 7 days, in 2 teams.',
      totals: {
        buckets: 3,
        violation: 2,
        unclassified: 1,
        bySeverity: {
          Low: 0,
          Medium: 1,
          High: 1,
          Critical: 1,
        },
        waiversExpiring: 2,
      },
      buckets: [HR_DOCUMENT, LOGS_DOCUMENT, PAY_DOCUMENT],
      bucketsNotListed: 0,
      waiversExpiring: WAIVERS_DOCUMENT,
      waiversNotListed: 0,
      teams: [
        {
          team: 'people-ops',
          severity: 'Critical',
          buckets: 2,
          violation: 1,
          unclassified: 1,
          bySeverity: {
            Low: 0,
            Medium: 0,
            High: 1,
            Critical: 1,
          },
          waiversExpiring: 0,
        },
        {
          team: 'payments',
          severity: 'Medium',
          buckets: 1,
          violation: 1,
          unclassified: 0,
          bySeverity: {
            Low: 0,
            Medium: 1,
            High: 0,
            Critical: 0,
          },
          waiversExpiring: 2,
        },
      ],
      teamsNotListed: 0,
      routing: {
        topicArn: 'arn:aws:sns:eu-west-1:999988887777:central',
      },
    });
    expect(digest.text.split('\n')).toEqual([
      'Daily classification digest: 3 buckets need attention (2 in violation, 1 unclassified); 2 waivers end within 7 days, in 2 teams.',
      '',
      'Worst severity:  Critical',
      'Open buckets:    3 (2 in violation, 1 unclassified); Critical 1, High 1, Medium 1',
      'Waivers ending:  2 within 7 days',
      'As of:           2025-06-01T06:00:00.000Z',
      '',
      'Teams:',
      '  people-ops: 2 open (1 in violation, 1 unclassified), worst Critical; 0 waivers ending within 7 days',
      '  payments: 1 open (1 in violation, 0 unclassified), worst Medium; 2 waivers ending within 7 days',
      '',
      'acme-hr (account 111122223333, eu-west-1)',
      '  Critical violation: declared Internal; publicly accessible; team people-ops',
      '  Open types:    AWS_CREDENTIALS (forbidden) 1 in 1 object; NAME (needs Confidential) 4 in 2 objects',
      '  Findings:      3; open since 2025-05-01T00:00:00.000Z; last notice escalation at 2025-05-02T00:00:00.000Z',
      '',
      'acme-logs (account 111122223333, eu-west-1)',
      '  High unclassified: no valid classification; team people-ops',
      '  Open types:    USA_PASSPORT_NUMBER (needs Restricted) 2 in 1 object',
      '  Findings:      3; open since -; last notice none',
      '  Not routed to the team: the topic does not carry AcceptsClassificationAlerts=true',
      '',
      'acme-payments (account 111122223333, eu-west-1)',
      '  Medium violation: declared Confidential; team payments',
      '  Open types:    BANK_ACCOUNT_NUMBER (needs Restricted) 1 in 1 object',
      '  Findings:      3; open since 2025-05-20T00:00:00.000Z; last notice none',
      '',
      'Waivers ending within 7 days:',
      '  acme-archive: NAME (SEC-9, approved by ciso@example.com) ends 2025-06-02T00:00:00.000Z',
      '  acme-payments: CREDIT_CARD_NUMBER (SEC-7, approved by ciso@example.com) ends 2025-06-04T00:00:00.000Z',
      '',
      'This digest comes to central security once a day, also when nothing is open.',
    ]);
    expect(digest.subject).toBe('[Critical] Daily classification digest, all teams');
    expect(digest.attributes).toStrictEqual(attributes('Critical', '-'));
  });

  it('for central security when nothing is open', () => {
    const digest = composeOverallDigest([], CENTRAL, NOW, LEVELS);

    expect(digest.document).toStrictEqual({
      ...DIGEST,
      scope: 'overall',
      team: null,
      severity: null,
      generatedAt: '2025-06-01T06:00:00.000Z',
      summary: 'Daily classification digest: nothing is open.',
      totals: {
        buckets: 0,
        violation: 0,
        unclassified: 0,
        bySeverity: {
          Low: 0,
          Medium: 0,
          High: 0,
          Critical: 0,
        },
        waiversExpiring: 0,
      },
      buckets: [],
      bucketsNotListed: 0,
      waiversExpiring: [],
      waiversNotListed: 0,
      teams: [],
      teamsNotListed: 0,
      routing: {
        topicArn: 'arn:aws:sns:eu-west-1:999988887777:central',
      },
    });
    expect(digest.text.split('\n')).toEqual([
      'Daily classification digest: nothing is open.',
      '',
      'Worst severity:  -',
      'Open buckets:    0 (0 in violation, 0 unclassified)',
      'Waivers ending:  0 within 7 days',
      'As of:           2025-06-01T06:00:00.000Z',
      '',
      'This digest comes to central security once a day, also when nothing is open.',
    ]);
    expect(digest.subject).toBe('[Low] Daily classification digest, all teams');
  });
});

describe('a digest at its caps', () => {
  const many = (count: number, make: (i: number) => AssessedBucket) =>
    Array.from({ length: count }, (_, i) => make(i));
  const openBucket = (i: number, team = 'payments') =>
    bucket(
      `acme-${String(i).padStart(3, '0')}`,
      {
        verdict: 'violation',
        team,
        severity: 'Medium',
        declaredLevel: 'Internal',
        violations: [open('NAME', 'Confidential', 1, 1)],
      },
      PAYMENTS,
    );
  const waiving = (i: number) =>
    bucket(
      `acme-w${String(i).padStart(3, '0')}`,
      {
        verdict: 'clear',
        team: 'payments',
        waived: [waived('NAME', `SEC-${i}`, '2025-06-03T00:00:00.000Z')],
      },
      PAYMENTS,
    );

  it('lists 100 buckets and 50 waivers, and says how many more there are and where to see them', () => {
    const buckets = [...many(101, (i) => openBucket(i)), ...many(51, waiving)];
    const [plan] = planDigests(buckets, NOW);
    if (!plan) throw new Error('expected a plan');

    const digest = composeTeamDigest(plan, plan.route, NOW, LEVELS);

    expect(digest.document).toMatchObject({ bucketsNotListed: 1, waiversNotListed: 1 });
    expect(digest.document.buckets).toHaveLength(100);
    expect(digest.document.waiversExpiring).toHaveLength(50);
    expect(digest.text).toContain(
      '\nand 1 more bucket: bucket-classification ledger show --team "payments" lists them all.\n\n',
    );
    expect(digest.text).toContain('ends 2025-06-03T00:00:00.000Z\n  and 1 more\n\n');
    expect(digest.document.summary).toBe(
      'Daily digest for team payments: 101 buckets need attention (101 in violation, 0 unclassified); 51 waivers end within 7 days.',
    );
  });

  it('counts the buckets not listed in the overall digest without naming a team', () => {
    const digest = composeOverallDigest([...many(102, (i) => openBucket(i))], CENTRAL, NOW, LEVELS);

    expect(digest.document.bucketsNotListed).toBe(2);
    expect(digest.text).toContain(
      '\nand 2 more buckets: bucket-classification ledger show lists them all.\n',
    );
    expect(digest.document.summary).toBe(
      'Daily classification digest: 102 buckets need attention (102 in violation, 0 unclassified), in 1 team.',
    );
  });

  it('lists 200 teams in the overall digest and counts the rest', () => {
    const digest = composeOverallDigest(
      many(201, (i) => openBucket(i, `team-${String(i).padStart(3, '0')}`)),
      CENTRAL,
      NOW,
      LEVELS,
    );

    expect(digest.document.teams).toHaveLength(200);
    expect(digest.document.teamsNotListed).toBe(1);
    expect(digest.text).toContain('\n  and 1 more teams\n\n');
  });

  it('lists 10 types of a bucket, most severe first, and counts the rest', () => {
    const types = Array.from({ length: 12 }, (_, i) =>
      open(`TYPE_${String(i).padStart(2, '0')}`, 'Confidential', 12 - i, 1),
    );
    const crowded = bucket(
      'acme-crowded',
      {
        verdict: 'violation',
        team: 'payments',
        severity: 'Medium',
        declaredLevel: 'Internal',
        violations: types,
      },
      PAYMENTS,
    );

    const [listed] = composeOverallDigest([crowded], CENTRAL, NOW, LEVELS).document.buckets;

    expect(listed?.types.map((t) => t.type)).toEqual(types.slice(0, 10).map((t) => t.type));
    expect(listed?.typesNotListed).toEqual({ types: 2, occurrences: 3 });
  });

  it('says one bucket needs and one waiver ends, in the singular', () => {
    const digest = composeOverallDigest([openBucket(0), waiving(0)], CENTRAL, NOW, LEVELS);

    expect(digest.document.summary).toBe(
      'Daily classification digest: 1 bucket needs attention (1 in violation, 0 unclassified); 1 waiver ends within 7 days, in 1 team.',
    );
    expect(digest.text).toContain('1 waiver ending within 7 days');
  });
});

describe('the order of what a digest lists', () => {
  const openIn = (name: string, team: string, severity: 'Medium' | 'High') =>
    bucket(
      name,
      {
        verdict: 'violation',
        team,
        severity,
        declaredLevel: 'Internal',
        violations: [open('NAME', 'Confidential', 1, 1)],
      },
      PAYMENTS,
    );
  const ending = (name: string, expiresAt: string) =>
    bucket(
      name,
      { verdict: 'clear', team: 'payments', waived: [waived('NAME', 'SEC-1', expiresAt)] },
      PAYMENTS,
    );

  it('lists teams by worst severity, then open buckets, then name, whatever the order found', () => {
    const buckets = [
      openIn('b1', 'team-b', 'Medium'),
      openIn('b2', 'team-b', 'Medium'),
      openIn('a1', 'team-a', 'Medium'),
      openIn('c1', 'team-c', 'Medium'),
      openIn('d1', 'team-d', 'High'),
    ];
    for (const given of permutations(buckets.slice(1))) {
      const teams = composeOverallDigest(
        [buckets[0] as AssessedBucket, ...given],
        CENTRAL,
        NOW,
        LEVELS,
      ).document.teams;
      expect(teams?.map((t) => t.team)).toEqual(['team-d', 'team-b', 'team-a', 'team-c']);
    }
  });

  it('lists waivers by end, then bucket, whatever the order found', () => {
    const buckets = [
      ending('acme-b', '2025-06-03T00:00:00.000Z'),
      ending('acme-a', '2025-06-03T00:00:00.000Z'),
      ending('acme-c', '2025-06-02T00:00:00.000Z'),
    ];
    for (const given of permutations(buckets)) {
      const waivers = composeOverallDigest(given, CENTRAL, NOW, LEVELS).document.waiversExpiring;
      expect(waivers.map((w) => w.bucket)).toEqual(['acme-c', 'acme-a', 'acme-b']);
    }
  });

  it('plans digests by team, then topic, whatever the order found', () => {
    const other: AlertRoute = {
      kind: 'team',
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:a-other',
    };
    const buckets = [
      openIn('x1', 'team-b', 'Medium'),
      { ...openIn('x2', 'team-a', 'Medium'), route: other },
      openIn('x3', 'team-a', 'Medium'),
    ];
    for (const given of permutations(buckets)) {
      expect(planDigests(given, NOW).map((p) => `${p.team} ${p.route.topicArn}`)).toEqual([
        `team-a ${other.topicArn}`,
        `team-a ${PAYMENTS.topicArn}`,
        `team-b ${PAYMENTS.topicArn}`,
      ]);
    }
  });

  it('names waivers that end after now and at most 7 days from now', () => {
    const buckets = [
      ending('now', NOW.toISOString()),
      ending('in-7-days', '2025-06-08T06:00:00.000Z'),
      ending('past-7-days', '2025-06-08T06:00:00.001Z'),
    ];

    expect(
      composeOverallDigest(buckets, CENTRAL, NOW, LEVELS).document.waiversExpiring.map(
        (w) => w.bucket,
      ),
    ).toEqual(['in-7-days']);
  });

  it('leaves out of the overall digest the teams with nothing open and no waiver ending', () => {
    const quiet = bucket('acme-quiet', { verdict: 'clear', team: 'quiet' }, PAYMENTS);

    const digest = composeOverallDigest(
      [quiet, openIn('a1', 'team-a', 'Medium')],
      CENTRAL,
      NOW,
      LEVELS,
    );

    expect(digest.document.teams?.map((t) => t.team)).toEqual(['team-a']);
  });

  it('tells a team whose only concern is a waiver ending soon at Low severity', () => {
    const [plan] = planDigests([ending('acme-a', '2025-06-03T00:00:00.000Z')], NOW);
    if (!plan) throw new Error('expected a plan');

    const digest = composeTeamDigest(plan, plan.route, NOW, LEVELS);

    expect(digest.document.summary).toBe(
      'Daily digest for team payments: 1 waiver ends within 7 days.',
    );
    expect(digest.subject).toBe('[Low] Daily digest for team payments');
    expect(digest.attributes.severity).toBe('Low');
  });

  it('says nothing is open in a team digest of buckets that are all clear', () => {
    const digest = composeTeamDigest(
      {
        team: 'payments',
        route: PAYMENTS,
        buckets: [bucket('acme-a', { verdict: 'clear', team: 'payments' }, PAYMENTS)],
      },
      PAYMENTS,
      NOW,
      LEVELS,
    );

    expect(digest.document.summary).toBe('Daily digest for team payments: nothing is open.');
  });

  it('sends the empty overall digest at Low severity', () => {
    expect(composeOverallDigest([], CENTRAL, NOW, LEVELS).attributes.severity).toBe('Low');
  });
});

describe('planning and listing, at their edges', () => {
  const medium = (
    name: string,
    team: string,
    route: AlertRoute,
    severity: 'Medium' | 'Critical' = 'Medium',
  ) =>
    bucket(
      name,
      {
        verdict: 'violation',
        team,
        severity,
        declaredLevel: 'Internal',
        violations: [open('NAME', 'Confidential', 1, 1)],
      },
      route,
    );

  it('plans no digest for a team with nothing open and no waiver ending', () => {
    expect(
      planDigests([bucket('acme-quiet', { verdict: 'clear', team: 'quiet' }, PAYMENTS)], NOW),
    ).toEqual([]);
  });

  it('sends a team digest to central security when any of its buckets could not reach the team there', () => {
    // The security team's own topic is the central one: its buckets and the unroutable one share it.
    const own: AlertRoute = { kind: 'team', topicArn: CENTRAL.topicArn };
    const buckets = [medium('acme-a', 'security', UNROUTED), medium('acme-b', 'security', own)];
    for (const given of [buckets, [...buckets].reverse()]) {
      const [plan] = planDigests(given, NOW);

      expect(plan?.route).toStrictEqual({
        ...UNROUTED,
        detail:
          'the team cannot be reached at a topic of its own for these buckets; each bucket says why',
      });
    }
  });

  it('lists the worst bucket first, not the first by name', () => {
    const digest = composeOverallDigest(
      [medium('acme-a', 'payments', PAYMENTS), medium('acme-z', 'payments', PAYMENTS, 'Critical')],
      CENTRAL,
      NOW,
      LEVELS,
    );

    expect(digest.document.buckets.map((b) => b.name)).toEqual(['acme-z', 'acme-a']);
  });

  it('gives - as the worst severity of a team with only a waiver ending', () => {
    const ending = bucket(
      'acme-w',
      {
        verdict: 'clear',
        team: 'payments',
        waived: [waived('NAME', 'SEC-1', '2025-06-03T00:00:00.000Z')],
      },
      PAYMENTS,
    );

    const digest = composeOverallDigest([ending], CENTRAL, NOW, LEVELS);

    expect(digest.text).toContain(
      '\n  payments: 0 open (0 in violation, 0 unclassified), worst -; 1 waiver ending within 7 days\n',
    );
  });
});
