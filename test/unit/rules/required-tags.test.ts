import fc from 'fast-check';
import { loadPolicy } from '../../../policies/load-policy';
import {
  judgeBucketTags,
  MAX_ANNOTATION,
  type TagRequirements,
  type TopicCheck,
  topicToVerify,
} from '../../../rules/required-tags';
import { KEYS } from './finding-builder';

const policy = loadPolicy();
const ACCOUNT = '111122223333';
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:team-a-alerts`;
const requirements: TagRequirements = { keys: KEYS, allowedTopicAccounts: [], requireTeam: false };
const valid = { DataClassification: 'Confidential', SupportSNSTopic: TOPIC };

describe('judgeBucketTags', () => {
  it('is compliant with a level and a topic in the bucket account, saying what is declared', () => {
    expect(judgeBucketTags(valid, ACCOUNT, policy, requirements)).toEqual({
      compliance: 'COMPLIANT',
      annotation: `Declares Confidential; alerts go to ${TOPIC}.`,
      problems: [],
    });
  });

  it('matches the level as the validator does: case-insensitive, trimmed', () => {
    const judgement = judgeBucketTags(
      { ...valid, DataClassification: ' restricted ' },
      ACCOUNT,
      policy,
      requirements,
    );

    expect(judgement.compliance).toBe('COMPLIANT');
    expect(judgement.annotation).toMatch(/^Declares Restricted;/);
  });

  it('names both missing tags and what is allowed', () => {
    const judgement = judgeBucketTags({}, ACCOUNT, policy, requirements);

    expect(judgement.compliance).toBe('NON_COMPLIANT');
    expect(judgement.problems).toEqual([
      'DataClassification is missing: tag it with one of Public, Internal, Confidential, Restricted.',
      "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
    ]);
    expect(judgement.annotation).toBe(judgement.problems.join(' '));
  });

  it('quotes a value that is not a level', () => {
    const judgement = judgeBucketTags(
      { ...valid, DataClassification: 'TopSecret' },
      ACCOUNT,
      policy,
      requirements,
    );

    expect(judgement.problems).toEqual([
      'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
    ]);
  });

  it('rejects a topic that is not an SNS topic ARN', () => {
    const judgement = judgeBucketTags(
      { ...valid, SupportSNSTopic: 'team-a-alerts' },
      ACCOUNT,
      policy,
      requirements,
    );

    expect(judgement.problems).toEqual([
      'SupportSNSTopic "team-a-alerts" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>).',
    ]);
  });

  it('rejects a topic in an account that is not allowed, naming the allowed ones', () => {
    const judgement = judgeBucketTags(
      { ...valid, SupportSNSTopic: 'arn:aws:sns:us-east-1:444455556666:elsewhere' },
      ACCOUNT,
      policy,
      requirements,
    );

    expect(judgement.problems).toEqual([
      'SupportSNSTopic is in account 444455556666; allowed: 111122223333.',
    ]);
  });

  it('accepts a topic in an account listed as allowed', () => {
    const judgement = judgeBucketTags(
      { ...valid, SupportSNSTopic: 'arn:aws:sns:us-east-1:444455556666:shared' },
      ACCOUNT,
      policy,
      { ...requirements, allowedTopicAccounts: ['444455556666'] },
    );

    expect(judgement.compliance).toBe('COMPLIANT');
  });

  it('rejects a topic that was checked and does not exist', () => {
    const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, { kind: 'missing' });

    expect(judgement.problems).toEqual([
      'SupportSNSTopic topic team-a-alerts does not exist in us-east-1.',
    ]);
  });

  describe('the opt-in tag of the topic', () => {
    const tag = { key: 'AcceptsClassificationAlerts', value: 'true' };
    const deliverable: TopicCheck = { kind: 'deliverable' };

    it('is compliant when the topic opted in', () => {
      const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, deliverable, {
        kind: 'opted-in',
      });

      expect(judgement).toEqual({
        compliance: 'COMPLIANT',
        annotation: `Declares Confidential; alerts go to ${TOPIC}.`,
        problems: [],
      });
    });

    it('rejects a topic without the tag, telling the team exactly which tag to add', () => {
      const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, deliverable, {
        kind: 'not-opted-in',
        tag,
      });

      const annotation =
        'SupportSNSTopic topic team-a-alerts has not opted in to alerts: tag the topic AcceptsClassificationAlerts=true.';
      expect(judgement).toEqual({
        compliance: 'NON_COMPLIANT',
        annotation,
        problems: [annotation],
      });
    });

    it('rejects a tag with another value, quoting what the topic has', () => {
      const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, deliverable, {
        kind: 'not-opted-in',
        tag,
        found: 'True',
      });

      expect(judgement.annotation).toBe(
        'SupportSNSTopic topic team-a-alerts has not opted in to alerts (it has AcceptsClassificationAlerts="True"): tag the topic AcceptsClassificationAlerts=true.',
      );
    });

    it('keeps an untrusted tag value printable and short', () => {
      const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, deliverable, {
        kind: 'not-opted-in',
        tag,
        found: `yes\u001b[31m${'x'.repeat(300)}`,
      });

      expect(judgement.annotation).not.toContain('\u001b');
      expect(judgement.annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION);
      expect(judgement.annotation).toContain('tag the topic AcceptsClassificationAlerts=true.');
    });

    it('names the opt-in before other problems of the topic, so the annotation keeps it', () => {
      const judgement = judgeBucketTags(
        { ...valid, DataClassification: 'TopSecret' },
        ACCOUNT,
        policy,
        requirements,
        { kind: 'unconfirmed' },
        { kind: 'not-opted-in', tag },
      );

      expect(judgement.problems).toEqual([
        'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
        'SupportSNSTopic topic team-a-alerts has not opted in to alerts: tag the topic AcceptsClassificationAlerts=true.',
        'SupportSNSTopic topic team-a-alerts has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.',
      ]);
    });

    it('names a topic that does not exist once', () => {
      const judgement = judgeBucketTags(
        valid,
        ACCOUNT,
        policy,
        requirements,
        { kind: 'missing' },
        { kind: 'missing' },
      );

      expect(judgement.problems).toEqual([
        'SupportSNSTopic topic team-a-alerts does not exist in us-east-1.',
      ]);
    });

    it('names a topic whose tags say it does not exist, though it was reached', () => {
      const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, deliverable, {
        kind: 'missing',
      });

      expect(judgement.problems).toEqual([
        'SupportSNSTopic topic team-a-alerts does not exist in us-east-1.',
      ]);
    });

    it('does not hold tags it could not read against the bucket, but says so', () => {
      const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, deliverable, {
        kind: 'unknown',
        reason: 'AuthorizationError',
      });

      expect(judgement).toEqual({
        compliance: 'COMPLIANT',
        annotation: `Declares Confidential; alerts go to ${TOPIC} (its opt-in tag could not be read: AuthorizationError).`,
        problems: [],
      });
    });
  });

  it.each<[string, TopicCheck, string]>([
    [
      'a topic whose region cannot be reached',
      { kind: 'unreachable', reason: 'UnrecognizedClientException' },
      'SupportSNSTopic is in region us-east-1, which this account cannot reach (UnrecognizedClientException).',
    ],
    [
      'a FIFO topic',
      { kind: 'fifo' },
      'SupportSNSTopic topic team-a-alerts is a FIFO topic, which refuses alerts (they have no message group): use a standard topic.',
    ],
    [
      'a topic without a confirmed subscription',
      { kind: 'unconfirmed' },
      'SupportSNSTopic topic team-a-alerts has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.',
    ],
  ])('rejects %s, saying why and what to do', (_case, check, annotation) => {
    const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, check);

    expect(judgement).toEqual({ compliance: 'NON_COMPLIANT', annotation, problems: [annotation] });
    expect(annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION);
  });

  it('keeps the reason a region cannot be reached printable and short', () => {
    const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, {
      kind: 'unreachable',
      reason: `Bad\u0007\u001b[2J${'x'.repeat(100)}`,
    });

    expect(judgement.annotation).toBe(
      `SupportSNSTopic is in region us-east-1, which this account cannot reach (Bad  [2J${'x'.repeat(52)}).`,
    );
  });

  it('names the region of the topic that cannot be reached', () => {
    const tags = { ...valid, SupportSNSTopic: `arn:aws:sns:xx-fake-1:${ACCOUNT}:t` };

    const judgement = judgeBucketTags(tags, ACCOUNT, policy, requirements, {
      kind: 'unreachable',
      reason: 'ENOTFOUND',
    });

    expect(judgement.annotation).toBe(
      'SupportSNSTopic is in region xx-fake-1, which this account cannot reach (ENOTFOUND).',
    );
  });

  it('rejects a topic whose name ends in .fifo even when it was not looked up', () => {
    const tags = { ...valid, SupportSNSTopic: 'arn:aws:sns:us-east-1:444455556666:alerts.fifo' };

    const judgement = judgeBucketTags(tags, ACCOUNT, policy, {
      ...requirements,
      allowedTopicAccounts: ['444455556666'],
    });

    expect(judgement.annotation).toBe(
      'SupportSNSTopic topic alerts.fifo is a FIFO topic, which refuses alerts (they have no message group): use a standard topic.',
    );
  });

  it('does not hold a topic that could not be checked against the bucket', () => {
    const judgement = judgeBucketTags(valid, ACCOUNT, policy, requirements, {
      kind: 'unknown',
      reason: 'ThrottlingException',
    });

    expect(judgement.compliance).toBe('COMPLIANT');
  });

  it('requires the team tag only when asked to', () => {
    expect(judgeBucketTags(valid, ACCOUNT, policy, requirements).compliance).toBe('COMPLIANT');

    const judgement = judgeBucketTags(valid, ACCOUNT, policy, {
      ...requirements,
      requireTeam: true,
    });

    expect(judgement.problems).toEqual(["Team is missing: tag it with your team's name."]);
  });

  it('keeps hostile tag values short and printable in the annotation', () => {
    const judgement = judgeBucketTags(
      { DataClassification: `x\n\u001b[2J${'y'.repeat(500)}`, SupportSNSTopic: 'z'.repeat(300) },
      ACCOUNT,
      policy,
      { ...requirements, requireTeam: true },
    );

    expect(judgement.annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION);
    expect(judgement.annotation).not.toContain('\n');
    expect(judgement.annotation).not.toContain('\u001b');
  });

  /**
   * Two problems: the classification value quoted (`level` characters long) and
   * a topic in an account outside seven allowed ones. With a value of 23
   * characters the annotation is 256 characters long.
   */
  function annotationWithValueOf(level: number): string {
    const allowed = [
      ACCOUNT,
      '500000000000',
      '500000000001',
      '500000000002',
      '500000000003',
      '500000000004',
      '500000000005',
    ];
    return judgeBucketTags(
      {
        DataClassification: 'x'.repeat(level),
        SupportSNSTopic: 'arn:aws:sns:us-east-1:444455556666:t',
      },
      ACCOUNT,
      policy,
      { ...requirements, allowedTopicAccounts: allowed },
    ).annotation;
  }

  it('keeps an annotation of exactly 256 characters whole', () => {
    const annotation = annotationWithValueOf(23);

    expect(annotation).toBe(
      `DataClassification "${'x'.repeat(23)}" is not a level (Public, Internal, Confidential, Restricted). SupportSNSTopic is in account 444455556666; allowed: 111122223333, 500000000000, 500000000001, 500000000002, 500000000003, 500000000004, 500000000005.`,
    );
    expect(annotation.length).toBe(256);
  });

  it('cuts an annotation of 257 characters to 256, ending in an ellipsis', () => {
    const annotation = annotationWithValueOf(24);

    expect(annotation).toBe(
      `DataClassification "${'x'.repeat(24)}" is not a level (Public, Internal, Confidential, Restricted). SupportSNSTopic is in account 444455556666; allowed: 111122223333, 500000000000, 500000000001, 500000000002, 500000000003, 500000000004, 50000000000…`,
    );
    expect(annotation.length).toBe(256);
  });

  it('always gives an annotation of 1 to 256 characters', () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('DataClassification', 'SupportSNSTopic', 'Team', 'Other'),
          fc.string({ maxLength: 400 }),
        ),
        fc.boolean(),
        (tags, requireTeam) => {
          const { annotation } = judgeBucketTags(tags, ACCOUNT, policy, {
            ...requirements,
            requireTeam,
          });
          expect(annotation.length).toBeGreaterThanOrEqual(1);
          expect(annotation.length).toBeLessThanOrEqual(MAX_ANNOTATION);
        },
      ),
    );
  });
});

describe('topicToVerify', () => {
  it("names a valid topic in the rule's own account", () => {
    expect(topicToVerify(valid, ACCOUNT, ACCOUNT, requirements)).toBe(TOPIC);
  });

  it("leaves alone topics in other accounts, which the rule's role cannot look up", () => {
    const listed = { ...requirements, allowedTopicAccounts: ['444455556666'] };
    const tags = { ...valid, SupportSNSTopic: 'arn:aws:sns:us-east-1:444455556666:shared' };

    expect(topicToVerify(tags, ACCOUNT, ACCOUNT, listed)).toBeUndefined();
  });

  it('leaves alone tags that are already wrong', () => {
    expect(
      topicToVerify({ SupportSNSTopic: 'nope' }, ACCOUNT, ACCOUNT, requirements),
    ).toBeUndefined();
  });
});
