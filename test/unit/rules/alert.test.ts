import { loadPolicy } from '../../../policies/load-policy';
import {
  type AlertFinding,
  composeAlert,
  composeUnprocessableAlert,
  macieConsoleUrl,
} from '../../../rules/alert';
import type { AlertRoute } from '../../../rules/alert-route';
import { evaluateFinding, type Unclassified, type Violation } from '../../../rules/verdict';
import { declared, finding, KEYS } from './finding-builder';

const policy = loadPolicy();
const TEAM_TOPIC = 'arn:aws:sns:eu-west-1:111122223333:payments-alerts';
const teamRoute: AlertRoute = { kind: 'team', topicArn: TEAM_TOPIC };
const facts: AlertFinding = {
  id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  type: 'SensitiveData:S3Object/Multiple',
  accountId: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  bucket: 'acme-hr-records',
  objectKey: 'exports/2025/people.csv',
  createdAt: '2025-05-01T10:00:00.000Z',
  sample: false,
};

function violation(): Violation {
  const verdict = evaluateFinding(
    finding({
      managed: [
        { type: 'USA_SOCIAL_SECURITY_NUMBER', count: 7 },
        { type: 'NAME', count: 3 },
      ],
    }),
    declared('Internal', { Team: 'people-ops' }),
    policy,
    KEYS,
  );
  if (verdict.kind !== 'violation') throw new Error('expected a violation');
  return verdict;
}

function unclassified(tags: Record<string, string>): Unclassified {
  const verdict = evaluateFinding(finding({ managed: [{ type: 'NAME' }] }), tags, policy, KEYS);
  if (verdict.kind !== 'unclassified') throw new Error('expected unclassified');
  return verdict;
}

describe('composeAlert for a violation', () => {
  const alert = composeAlert(facts, violation(), teamRoute, policy.levels);

  it('has a one-line subject under 100 characters with severity and bucket', () => {
    expect(alert.subject).toBe('[High] Classification violation: acme-hr-records');
  });

  it('names bucket, account, region, declared level, types, severity and finding', () => {
    expect(alert.document).toEqual(
      expect.objectContaining({
        kind: 'violation',
        severity: 'High',
        team: 'people-ops',
        bucket: expect.objectContaining({
          name: 'acme-hr-records',
          accountId: '111122223333',
          region: 'eu-west-1',
          declaredLevel: 'Internal',
        }),
        // Most severe first: the type that needs the highest level leads.
        violations: [
          {
            type: 'USA_SOCIAL_SECURITY_NUMBER',
            category: 'PERSONAL_INFORMATION',
            requiredLevel: 'Restricted',
            count: 7,
          },
          {
            type: 'NAME',
            category: 'PERSONAL_INFORMATION',
            requiredLevel: 'Confidential',
            count: 3,
          },
        ],
        finding: expect.objectContaining({
          id: facts.id,
          type: facts.type,
          objectKey: 'exports/2025/people.csv',
          consoleUrl: expect.stringContaining(facts.id),
        }),
        routing: { topicArn: TEAM_TOPIC },
      }),
    );
  });

  it('carries filterable attributes', () => {
    expect(alert.attributes).toEqual({
      severity: 'High',
      team: 'people-ops',
      bucket: 'acme-hr-records',
      kind: 'violation',
      sample: 'false',
    });
  });

  it('reads as text for e-mail, one line per violating type', () => {
    expect(alert.text).toContain('Declared level:  Internal');
    expect(alert.text).toContain(
      'USA_SOCIAL_SECURITY_NUMBER (PERSONAL_INFORMATION): needs Restricted; 7 occurrences',
    );
    expect(alert.text).toContain(`Macie console:   ${macieConsoleUrl(facts)}`);
  });
});

describe('composeAlert for an unclassified bucket', () => {
  it('names the bad tag value and the levels allowed', () => {
    const alert = composeAlert(
      facts,
      unclassified(declared('Top Secret')),
      teamRoute,
      policy.levels,
    );

    expect(alert.subject).toBe('[High] Unclassified bucket: acme-hr-records');
    expect(alert.document.bucket).toEqual(
      expect.objectContaining({
        declaredLevel: null,
        classificationTag: 'Top Secret',
        allowedLevels: ['Public', 'Internal', 'Confidential', 'Restricted'],
      }),
    );
    expect(alert.text).toContain('"Top Secret", which is not a level');
  });

  it('says the tag is missing when it is', () => {
    const alert = composeAlert(facts, unclassified({}), teamRoute, policy.levels);

    expect(alert.text).toContain('Declared level:  no classification tag');
    expect(alert.document.bucket?.classificationTag).toBeUndefined();
  });

  it('treats tag values as untrusted: no control characters, bounded length', () => {
    const hostile = `Secret\r\nBcc: everyone@example.com\u001b[31m${'x'.repeat(5000)}`;

    const alert = composeAlert(facts, unclassified(declared(hostile)), teamRoute, policy.levels);

    const tag = alert.document.bucket?.classificationTag ?? '';
    for (const control of ['\r', '\n', '\u001b']) expect(tag).not.toContain(control);
    expect(tag.length).toBeLessThanOrEqual(256);
    expect(alert.text).not.toContain('\r');
  });
});

describe('composeAlert details', () => {
  it('marks sample findings in subject, attributes and text', () => {
    const alert = composeAlert({ ...facts, sample: true }, violation(), teamRoute, policy.levels);

    expect(alert.subject).toBe('[Sample] [High] Classification violation: acme-hr-records');
    expect(alert.attributes.sample).toBe('true');
    expect(alert.text).toMatch(/^SAMPLE FINDING/);
  });

  it('keeps the subject under 100 characters for long bucket names', () => {
    const bucket = `b${'x'.repeat(62)}`;

    const alert = composeAlert(
      { ...facts, bucket, sample: true },
      violation(),
      teamRoute,
      policy.levels,
    );

    expect(alert.subject.length).toBeLessThan(100);
  });

  it('says why an alert went to central security', () => {
    const route: AlertRoute = {
      kind: 'fallback',
      topicArn: 'arn:aws:sns:eu-west-1:999988887777:central',
      reason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    };

    const alert = composeAlert(facts, violation(), route, policy.levels);

    expect(alert.document.routing).toEqual({
      topicArn: route.topicArn,
      fallbackReason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    });
    expect(alert.text).toContain(
      'Sent to central security: the bucket has no SupportSNSTopic tag.',
    );
  });

  it('never carries the occurrence locations of the data', () => {
    const alert = composeAlert(facts, violation(), teamRoute, policy.levels);

    expect(JSON.stringify(alert)).not.toMatch(/occurrences"|cells|lineRanges|jsonPath/);
  });
});

describe('composeUnprocessableAlert', () => {
  const CENTRAL = 'arn:aws:sns:eu-west-1:999988887777:central';
  const logged = {
    logGroup: '/aws/lambda/bcv-prod-validateFinding',
    eventId: 'e-1',
    parts: 2,
    bytes: 200_020,
  };

  it('carries the reason, the start of the event as JSON, and where the whole event was logged', () => {
    const event = { source: 'aws.guardduty', detail: 'y'.repeat(200_000) };

    const alert = composeUnprocessableAlert(
      'not a Macie finding event',
      event,
      logged,
      CENTRAL,
      'High',
    );

    expect(alert.document.kind).toBe('unprocessable');
    expect(alert.document.error?.message).toBe('not a Macie finding event');
    expect(alert.document.error?.event).toEqual({
      source: 'aws.guardduty',
      detail: `${'y'.repeat(2048)}…[200000 characters]`,
    });
    expect(alert.document.error?.truncated).toBe(true);
    expect(alert.document.error?.rawEvent).toEqual(logged);
    expect(alert.text).toContain(
      'The whole event (200020 bytes of JSON) is in CloudWatch Logs group /aws/lambda/bcv-prod-validateFinding, the 2 lines with eventId "e-1": join their rawEvent fields in part order.',
    );
    expect(alert.subject).toBe('[High] Unprocessable event for the finding validator');
  });

  it('carries a small event whole, marked as not truncated', () => {
    const event = { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding' };

    const alert = composeUnprocessableAlert(
      'not Macie',
      event,
      { ...logged, parts: 1 },
      CENTRAL,
      'High',
    );

    expect(alert.document.error?.event).toEqual(event);
    expect(alert.document.error?.truncated).toBe(false);
    expect(alert.text).toContain('the line with eventId "e-1".');
    expect(alert.text).toContain('{"source":"aws.guardduty","detail-type":"GuardDuty Finding"}');
  });
});

describe('macieConsoleUrl', () => {
  it.each([
    [
      'aws',
      'https://eu-west-1.console.aws.amazon.com/macie/home?region=eu-west-1#findings?itemId=abc',
    ],
    [
      'aws-us-gov',
      'https://eu-west-1.console.amazonaws-us-gov.com/macie/home?region=eu-west-1#findings?itemId=abc',
    ],
    [
      'aws-cn',
      'https://eu-west-1.console.amazonaws.cn/macie/home?region=eu-west-1#findings?itemId=abc',
    ],
  ])('links to the finding in partition %s', (partition, url) => {
    expect(macieConsoleUrl({ id: 'abc', region: 'eu-west-1', partition })).toBe(url);
  });
});

/**
 * Whole alerts, every line and field stated here rather than built from the code's
 * own helpers: the e-mail is what a team reads, and a changed word is a changed alert.
 */
describe('composeAlert, whole', () => {
  const CENTRAL_TOPIC = 'arn:aws:sns:us-east-1:999988887777:central';
  const CONSOLE =
    'https://eu-west-1.console.aws.amazon.com/macie/home?region=eu-west-1#findings?itemId=a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const toCentral = (reason: 'TopicTagMissing' | 'TagsUnreadable', detail: string): AlertRoute => ({
    kind: 'fallback',
    topicArn: CENTRAL_TOPIC,
    reason,
    detail,
  });

  it('writes a violation on a public bucket routed to the team', () => {
    const verdict = evaluateFinding(
      finding({
        managed: [
          { type: 'NAME', count: 1 },
          { type: 'AWS_CREDENTIALS', category: 'CREDENTIALS', count: 2 },
          { type: 'USA_SOCIAL_SECURITY_NUMBER', count: 7 },
        ],
        effectivePermission: 'PUBLIC',
      }),
      declared('Internal', { Team: 'people-ops' }),
      policy,
      KEYS,
    ) as Violation;

    const alert = composeAlert(facts, verdict, teamRoute, policy.levels);

    expect(alert.subject).toBe('[Critical] Classification violation: acme-hr-records');
    expect(alert.attributes).toStrictEqual({
      severity: 'Critical',
      team: 'people-ops',
      bucket: 'acme-hr-records',
      kind: 'violation',
      sample: 'false',
    });
    expect(alert.text).toBe(
      [
        'S3 bucket acme-hr-records holds data its classification (Internal) does not allow.',
        '',
        'Severity:        Critical',
        'Bucket:          acme-hr-records (account 111122223333, eu-west-1)',
        'Declared level:  Internal',
        'Team:            people-ops',
        'Object:          exports/2025/people.csv',
        'Exposure:        the bucket is publicly accessible (severity raised)',
        '',
        'Not allowed at Internal:',
        '  - AWS_CREDENTIALS (CREDENTIALS): forbidden at every level; 2 occurrences',
        '  - USA_SOCIAL_SECURITY_NUMBER (PERSONAL_INFORMATION): needs Restricted; 7 occurrences',
        '  - NAME (PERSONAL_INFORMATION): needs Confidential; 1 occurrence',
        '',
        'What to do: remove the data or move it to a bucket declared at the level it needs. If the bucket is meant to hold such data, raise its classification tag to that level.',
        '',
        'Finding:         a1b2c3d4e5f60718293a4b5c6d7e8f90 (SensitiveData:S3Object/Multiple)',
        'Found at:        2025-05-01T10:00:00.000Z',
        `Macie console:   ${CONSOLE}`,
      ].join('\n'),
    );
    expect(alert.document.bucket).toStrictEqual({
      name: 'acme-hr-records',
      accountId: '111122223333',
      region: 'eu-west-1',
      declaredLevel: 'Internal',
      publiclyAccessible: true,
    });
    expect(alert.document.finding).toStrictEqual({
      id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      type: 'SensitiveData:S3Object/Multiple',
      objectKey: 'exports/2025/people.csv',
      createdAt: '2025-05-01T10:00:00.000Z',
      consoleUrl: CONSOLE,
    });
    expect(alert.document.detected).toHaveLength(3);
    expect('violationsNotListed' in alert.document).toBe(false);
    expect('detectedNotListed' in alert.document).toBe(false);
    expect(alert.document.routing).toStrictEqual({ topicArn: TEAM_TOPIC });
  });

  it('writes an unclassified bucket with an unknown level, without object or time, sent to central', () => {
    const verdict = evaluateFinding(
      finding({ managed: [{ type: 'NAME' }, { type: 'ADDRESS', count: 2 }] }),
      { DataClassification: 'Top Secret' },
      policy,
      KEYS,
    ) as Unclassified;
    const route = toCentral('TopicTagMissing', 'the bucket has no SupportSNSTopic tag');

    const alert = composeAlert(
      { ...facts, objectKey: undefined, createdAt: undefined, sample: true },
      verdict,
      route,
      policy.levels,
    );

    expect(alert.attributes).toStrictEqual({
      severity: 'High',
      team: 'unassigned',
      bucket: 'acme-hr-records',
      kind: 'unclassified',
      sample: 'true',
    });
    expect(alert.text).toBe(
      [
        'SAMPLE FINDING: Macie generated this finding as a sample; no real data is involved.',
        '',
        'S3 bucket acme-hr-records holds sensitive data but declares no valid data classification.',
        '',
        'Severity:        High',
        'Bucket:          acme-hr-records (account 111122223333, eu-west-1)',
        'Declared level:  "Top Secret", which is not a level (levels: Public, Internal, Confidential, Restricted)',
        'Team:            unassigned',
        '',
        'Sensitive data found:',
        '  - ADDRESS (PERSONAL_INFORMATION): needs Confidential; 2 occurrences',
        '  - NAME (PERSONAL_INFORMATION): needs Confidential; 1 occurrence',
        '',
        'What to do: tag the bucket with the level of data it may hold (one of Public, Internal, Confidential, Restricted).',
        '',
        'Finding:         a1b2c3d4e5f60718293a4b5c6d7e8f90 (SensitiveData:S3Object/Multiple)',
        `Macie console:   ${CONSOLE}`,
        '',
        'Sent to central security: the bucket has no SupportSNSTopic tag.',
      ].join('\n'),
    );
    expect(alert.document.bucket).toStrictEqual({
      name: 'acme-hr-records',
      accountId: '111122223333',
      region: 'eu-west-1',
      declaredLevel: null,
      classificationTag: 'Top Secret',
      allowedLevels: ['Public', 'Internal', 'Confidential', 'Restricted'],
      publiclyAccessible: false,
    });
    expect(alert.document.finding).toStrictEqual({
      id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      type: 'SensitiveData:S3Object/Multiple',
      objectKey: null,
      createdAt: null,
      consoleUrl: CONSOLE,
    });
  });

  it('writes a bucket whose tags could not be read', () => {
    const verdict = evaluateFinding(
      finding({ managed: [{ type: 'NAME' }] }),
      {},
      policy,
      KEYS,
    ) as Unclassified;
    const route = toCentral('TagsUnreadable', "the bucket's tags could not be read (AccessDenied)");

    const alert = composeAlert(
      { ...facts, tagsUnreadable: 'AccessDenied' },
      verdict,
      route,
      policy.levels,
    );

    expect(alert.subject).toBe('[High] Unclassified bucket: acme-hr-records');
    expect(alert.text).toBe(
      [
        'S3 bucket acme-hr-records holds sensitive data, and its classification could not be read.',
        '',
        'Severity:        High',
        'Bucket:          acme-hr-records (account 111122223333, eu-west-1)',
        "Declared level:  unknown: the bucket's tags could not be read (AccessDenied) (levels: Public, Internal, Confidential, Restricted)",
        'Team:            unassigned',
        'Object:          exports/2025/people.csv',
        '',
        'Sensitive data found:',
        '  - NAME (PERSONAL_INFORMATION): needs Confidential; 1 occurrence',
        '',
        "What to do: let the validator's role read this bucket's tags (s3:GetBucketTagging), or check that the bucket still exists.",
        '',
        'Finding:         a1b2c3d4e5f60718293a4b5c6d7e8f90 (SensitiveData:S3Object/Multiple)',
        'Found at:        2025-05-01T10:00:00.000Z',
        `Macie console:   ${CONSOLE}`,
        '',
        "Sent to central security: the bucket's tags could not be read (AccessDenied).",
      ].join('\n'),
    );
    expect(alert.document.bucket).toStrictEqual({
      name: 'acme-hr-records',
      accountId: '111122223333',
      region: 'eu-west-1',
      declaredLevel: null,
      allowedLevels: ['Public', 'Internal', 'Confidential', 'Restricted'],
      tagsUnreadable: 'AccessDenied',
      publiclyAccessible: false,
    });
  });

  it('writes the alert for an event it cannot judge', () => {
    const alert = composeUnprocessableAlert(
      'not Macie',
      { source: 'aws.guardduty' },
      { logGroup: '/aws/lambda/bcv-prod-validateFinding', eventId: 'e-1', parts: 1, bytes: 26 },
      CENTRAL_TOPIC,
      'High',
    );

    expect(alert.attributes).toStrictEqual({
      severity: 'High',
      team: 'unassigned',
      bucket: '-',
      kind: 'unprocessable',
      sample: 'false',
    });
    expect(alert.text).toBe(
      [
        'An event reached the finding validator that it cannot judge.',
        '',
        'Reason: not Macie',
        '',
        'The whole event (26 bytes of JSON) is in CloudWatch Logs group /aws/lambda/bcv-prod-validateFinding, the line with eventId "e-1".',
        '',
        'The event:',
        '{"source":"aws.guardduty"}',
      ].join('\n'),
    );
    expect(alert.document).toStrictEqual(
      expect.objectContaining({
        kind: 'unprocessable',
        severity: 'High',
        team: 'unassigned',
        sample: false,
        summary: 'An event reached the finding validator that it cannot judge.',
        routing: { topicArn: CENTRAL_TOPIC },
      }),
    );
  });
});

describe('composeAlert for more types than one message holds', () => {
  const TYPES = 4000;
  const many = Array.from({ length: TYPES }, (_, i) => ({
    type: `TYPE_${String(i).padStart(4, '0')}_${'X'.repeat(40)}`,
    count: 2,
  }));

  it('lists the most severe types and counts the rest, in the document and the text', () => {
    const verdict = evaluateFinding(
      finding({ managed: many }),
      declared('Public'),
      policy,
      KEYS,
    ) as Violation;

    const alert = composeAlert(facts, verdict, teamRoute, policy.levels);

    const listed = (alert.document.violations ?? []).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(TYPES);
    expect(alert.document.violationsNotListed).toStrictEqual({
      types: TYPES - listed,
      occurrences: 2 * (TYPES - listed),
    });
    expect(alert.document.detectedNotListed).toStrictEqual({
      types: TYPES - (alert.document.detected ?? []).length,
      occurrences: 2 * (TYPES - (alert.document.detected ?? []).length),
    });
    const lines = alert.text.split('\n');
    const heading = lines.indexOf('Not allowed at Public:');
    expect(lines[heading + listed + 1]).toBe(
      `  …and ${TYPES - listed} more types (${2 * (TYPES - listed)} occurrences)`,
    );
    expect(Buffer.byteLength(JSON.stringify(alert.document))).toBeLessThanOrEqual(240 * 1024);
  });

  it('lists and counts the detected types of an unclassified bucket in its text', () => {
    const verdict = evaluateFinding(finding({ managed: many }), {}, policy, KEYS) as Unclassified;

    const alert = composeAlert(facts, verdict, teamRoute, policy.levels);

    const listed = (alert.document.detected ?? []).length;
    expect(listed).toBeLessThan(TYPES);
    const lines = alert.text.split('\n');
    const heading = lines.indexOf('Sensitive data found:');
    expect(lines[heading + listed + 1]).toBe(
      `  …and ${TYPES - listed} more types (${2 * (TYPES - listed)} occurrences)`,
    );
  });
});
