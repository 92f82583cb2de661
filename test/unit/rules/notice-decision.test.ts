import type { Severity } from '../../../policies/policy';
import type {
  BucketAssessment,
  BucketState,
  NoticeRecord,
  OpenViolation,
  WaivedViolation,
} from '../../../rules/bucket-state';
import {
  decideNotice,
  noticeRecord,
  notifiedOpen,
  withNotice,
} from '../../../rules/notice-decision';

const HOUR = 3_600_000;
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const LAST_AT = '2025-05-20T00:00:00.000Z';
const timing = (hoursAfterLast: number) => ({
  now: new Date(Date.parse(LAST_AT) + hoursAfterLast * HOUR),
  reminderAfterMs: 24 * HOUR,
});

function violation(type: string): OpenViolation {
  return {
    type,
    category: 'PERSONAL_INFORMATION',
    requiredLevel: 'Confidential',
    count: 1,
    findings: 1,
    examples: [],
    firstSeen: LAST_AT,
    lastSeen: LAST_AT,
  };
}

function waived(type: string, ticket: string): WaivedViolation {
  return {
    ...violation(type),
    waiver: {
      ticket,
      approver: 'ciso@example.com',
      reason: 'migration',
      expiresAt: '2025-06-30T23:59:59.999Z',
      source: 'policies/waivers.yaml:2',
    },
  };
}

function assessment(
  options: {
    verdict?: BucketAssessment['verdict'];
    severity?: Severity;
    types?: string[];
    public?: boolean;
    waived?: WaivedViolation[];
  } = {},
): BucketAssessment {
  const verdict = options.verdict ?? 'violation';
  return {
    verdict,
    team: 'team-a',
    declaredLevel: 'Internal',
    ...(verdict === 'clear' ? {} : { severity: options.severity ?? 'Medium' }),
    violations: (options.types ?? (verdict === 'clear' ? [] : ['NAME'])).map(violation),
    waived: options.waived ?? [],
    waiverExpired: [],
    publiclyAccessible: options.public ?? false,
  };
}

function lastNotice(overrides: Partial<NoticeRecord> = {}): NoticeRecord {
  return {
    id: 'n-1',
    kind: 'violation',
    at: LAST_AT,
    topicArn: TOPIC,
    delivery: 'sent',
    verdict: 'violation',
    severity: 'Medium',
    types: ['NAME'],
    publiclyAccessible: false,
    ...overrides,
  };
}

describe('decideNotice', () => {
  describe('a bucket whose team was not told of open violations', () => {
    it('sends a violation notice for the first open state', () => {
      expect(decideNotice(undefined, assessment(), timing(0))).toEqual({
        kind: 'violation',
        changes: [],
      });
    });

    it('sends a violation notice again after the team heard of the resolution', () => {
      const resolved = lastNotice({ kind: 'resolved', verdict: 'clear', types: [] });

      expect(decideNotice(resolved, assessment(), timing(1))?.kind).toBe('violation');
    });

    it('does not count a tags notice as telling the team of open violations', () => {
      const tags = lastNotice({ kind: 'tags', verdict: 'unclassified' });

      expect(decideNotice(tags, assessment({ verdict: 'unclassified' }), timing(1))?.kind).toBe(
        'violation',
      );
    });

    it('sends nothing while the bucket is clear', () => {
      expect(decideNotice(undefined, assessment({ verdict: 'clear' }), timing(0))).toBeUndefined();
    });

    it('sends no resolution after a tags notice', () => {
      const tags = lastNotice({ kind: 'tags', verdict: 'unclassified' });

      expect(decideNotice(tags, assessment({ verdict: 'clear' }), timing(1))).toBeUndefined();
    });
  });

  describe('escalations', () => {
    it('escalates when the severity rose', () => {
      const decision = decideNotice(lastNotice(), assessment({ severity: 'High' }), timing(1));

      expect(decision).toEqual({
        kind: 'escalation',
        changes: ['severity rose from Medium to High'],
      });
    });

    it('escalates from a notice that recorded no severity', () => {
      const { severity: _none, ...withoutSeverity } = lastNotice();

      expect(decideNotice(withoutSeverity, assessment(), timing(1))?.changes).toEqual([
        'severity rose from none to Medium',
      ]);
    });

    it('escalates when a type not named before is found', () => {
      const decision = decideNotice(
        lastNotice(),
        assessment({ types: ['NAME', 'EMAIL_ADDRESS', 'PHONE_NUMBER'] }),
        timing(1),
      );

      expect(decision).toEqual({
        kind: 'escalation',
        changes: ['newly found: EMAIL_ADDRESS, PHONE_NUMBER'],
      });
    });

    it('escalates when the bucket became publicly accessible', () => {
      expect(decideNotice(lastNotice(), assessment({ public: true }), timing(1))?.changes).toEqual([
        'the bucket became publicly accessible',
      ]);
    });

    it('escalates when the bucket went from a violation to unclassified', () => {
      const decision = decideNotice(
        lastNotice(),
        assessment({ verdict: 'unclassified' }),
        timing(1),
      );

      expect(decision).toEqual({
        kind: 'escalation',
        changes: ['the bucket no longer declares a valid classification'],
      });
    });

    it('does not escalate when the severity fell or a type is gone', () => {
      const last = lastNotice({ severity: 'High', types: ['EMAIL_ADDRESS', 'NAME'] });

      expect(decideNotice(last, assessment({ severity: 'Medium' }), timing(1))).toBeUndefined();
    });

    it('does not escalate when the bucket is no longer public', () => {
      const last = lastNotice({ publiclyAccessible: true });

      expect(decideNotice(last, assessment({ public: false }), timing(1))).toBeUndefined();
    });

    it('does not count a missing severity as a rise when the last notice had none either', () => {
      const { severity: _none, ...lastWithout } = lastNotice();
      const { severity: _open, ...openWithout } = assessment();

      expect(decideNotice(lastWithout, openWithout, timing(1))).toBeUndefined();
    });
  });

  describe('reminders', () => {
    it('sends nothing for the same open state before the quiet period is over', () => {
      expect(decideNotice(lastNotice(), assessment(), timing(23.99))).toBeUndefined();
    });

    it('reminds exactly when the quiet period is over', () => {
      const exactly = {
        now: new Date(Date.parse(LAST_AT) + 24 * HOUR),
        reminderAfterMs: 24 * HOUR,
      };
      const justBefore = { ...exactly, now: new Date(exactly.now.getTime() - 1) };

      expect(decideNotice(lastNotice(), assessment(), exactly)).toEqual({
        kind: 'reminder',
        changes: [],
      });
      expect(decideNotice(lastNotice(), assessment(), justBefore)).toBeUndefined();
    });

    it('escalates rather than reminds when both are due', () => {
      expect(decideNotice(lastNotice(), assessment({ severity: 'High' }), timing(48))?.kind).toBe(
        'escalation',
      );
    });

    it('never reminds when the quiet period is infinite', () => {
      const never = { now: new Date('2030-01-01T00:00:00Z'), reminderAfterMs: Infinity };

      expect(decideNotice(lastNotice(), assessment(), never)).toBeUndefined();
    });
  });

  describe('resolutions', () => {
    it('resolves when nothing is open any more, naming what was open', () => {
      const last = lastNotice({ types: ['EMAIL_ADDRESS', 'NAME'] });

      expect(decideNotice(last, assessment({ verdict: 'clear' }), timing(1))).toEqual({
        kind: 'resolved',
        changes: ['no longer open: EMAIL_ADDRESS, NAME'],
      });
    });

    it('names the waived types and their tickets when a waiver cleared the bucket', () => {
      const clear = assessment({
        verdict: 'clear',
        waived: [waived('NAME', 'SEC-7'), waived('EMAIL_ADDRESS', 'SEC-8')],
      });

      expect(decideNotice(lastNotice(), clear, timing(1))?.changes).toEqual([
        'waived: NAME (SEC-7), EMAIL_ADDRESS (SEC-8)',
        'no longer open: NAME',
      ]);
    });

    it('resolves an unclassified bucket that became clear', () => {
      const last = lastNotice({ verdict: 'unclassified', severity: 'High', types: [] });

      expect(decideNotice(last, assessment({ verdict: 'clear' }), timing(1))).toEqual({
        kind: 'resolved',
        changes: [],
      });
    });
  });
});

describe('notifiedOpen', () => {
  it.each([
    ['no notice', false, undefined],
    ['a violation notice', true, lastNotice()],
    [
      'a reminder of an unclassified bucket',
      true,
      lastNotice({ kind: 'reminder', verdict: 'unclassified' }),
    ],
    ['a resolution', false, lastNotice({ kind: 'resolved', verdict: 'clear' })],
    ['a tags notice', false, lastNotice({ kind: 'tags', verdict: 'unclassified' })],
  ])('after %s, is %s', (_, expected, notice) => {
    expect(notifiedOpen(notice)).toBe(expected);
  });
});

describe('noticeRecord', () => {
  const now = new Date('2025-05-21T00:00:00.000Z');

  it('records the notice as pending, with the state it describes and the types sorted', () => {
    const record = noticeRecord(
      'n-2',
      { kind: 'escalation', changes: ['newly found: EMAIL_ADDRESS'] },
      assessment({ severity: 'High', types: ['NAME', 'EMAIL_ADDRESS'], public: true }),
      TOPIC,
      now,
      'finding-9',
    );

    expect(record).toEqual({
      id: 'n-2',
      kind: 'escalation',
      changes: ['newly found: EMAIL_ADDRESS'],
      at: now.toISOString(),
      topicArn: TOPIC,
      delivery: 'pending',
      findingId: 'finding-9',
      verdict: 'violation',
      severity: 'High',
      types: ['EMAIL_ADDRESS', 'NAME'],
      publiclyAccessible: true,
    });
  });

  it('leaves out the changes, the finding and the severity when there are none', () => {
    const record = noticeRecord(
      'n-3',
      { kind: 'resolved', changes: [] },
      assessment({ verdict: 'clear' }),
      TOPIC,
      now,
    );

    expect(record).not.toHaveProperty('changes');
    expect(record).not.toHaveProperty('findingId');
    expect(record).not.toHaveProperty('severity');
    expect(record.types).toEqual([]);
  });
});

describe('withNotice', () => {
  it('keeps the notice as the last one and starts counting findings again', () => {
    const state: BucketState = {
      accountId: '111122223333',
      bucket: 'team-a-bucket',
      region: 'us-east-1',
      partition: 'aws',
      types: {},
      publiclyAccessible: false,
      findings: 12,
      findingsSinceNotice: 5,
    };
    const notice = lastNotice({ id: 'n-4' });

    const next = withNotice(state, notice);

    expect(next.lastNotice).toBe(notice);
    expect(next.findingsSinceNotice).toBe(0);
    expect(next.findings).toBe(12);
  });
});
