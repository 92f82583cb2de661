import { loadPolicy } from '../../../policies/load-policy';
import type { AlertRoute } from '../../../rules/alert-route';
import {
  composeTagsNotice,
  TAGS_NOTICE_SCHEMA,
  type TagsNoticeInput,
  tagsNoticeDue,
} from '../../../rules/tags-notice';
import { KEYS } from './finding-builder';

const policy = loadPolicy();
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const CENTRAL = 'arn:aws:sns:us-east-1:999988887777:central-security';

describe('tagsNoticeDue', () => {
  it.each([
    [undefined, 'NON_COMPLIANT', true],
    ['COMPLIANT', 'NON_COMPLIANT', true],
    ['NOT_APPLICABLE', 'NON_COMPLIANT', true],
    ['NON_COMPLIANT', 'NON_COMPLIANT', false],
    [undefined, 'COMPLIANT', false],
    ['COMPLIANT', 'COMPLIANT', false],
    ['NOT_APPLICABLE', 'COMPLIANT', false],
    ['NON_COMPLIANT', 'COMPLIANT', true],
  ] as const)('from %s to %s: %s', (previous, current, due) => {
    expect(tagsNoticeDue(previous, current)).toBe(due);
  });
});

function input(overrides: Partial<TagsNoticeInput> = {}): TagsNoticeInput {
  return {
    bucket: 'team-a-scratch',
    accountId: '111122223333',
    region: 'us-east-1',
    compliance: 'NON_COMPLIANT',
    previous: 'COMPLIANT',
    annotation:
      'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
    recordedAt: '2024-05-14T09:22:30.918Z',
    team: 'team-a',
    route: { kind: 'team', topicArn: TOPIC },
    keys: KEYS,
    levels: policy.levels,
    ...overrides,
  };
}

describe('composeTagsNotice', () => {
  describe('a bucket that turned NON_COMPLIANT', () => {
    const notice = composeTagsNotice(input());

    it('says so in the subject, the summary and the attributes, at Medium', () => {
      expect(notice.subject).toBe('[Medium] Bucket tags not compliant: team-a-scratch');
      expect(notice.document.summary).toBe(
        'S3 bucket team-a-scratch no longer declares a valid classification and alert topic.',
      );
      expect(notice.attributes).toEqual({
        severity: 'Medium',
        team: 'team-a',
        bucket: 'team-a-scratch',
        kind: 'tags',
        sample: 'false',
      });
    });

    it("quotes Config's annotation and the change of result", () => {
      expect(notice.text).toContain('Result:          NON_COMPLIANT (was COMPLIANT)');
      expect(notice.text).toContain(
        'AWS Config says: DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
      );
      expect(notice.document).toEqual(
        expect.objectContaining({
          schema: TAGS_NOTICE_SCHEMA,
          kind: 'tags',
          compliance: 'NON_COMPLIANT',
          previousCompliance: 'COMPLIANT',
          recordedAt: '2024-05-14T09:22:30.918Z',
          bucket: { name: 'team-a-scratch', accountId: '111122223333', region: 'us-east-1' },
        }),
      );
    });

    it('lists the tags every bucket needs and the command that sets them', () => {
      expect(notice.document.requiredTags).toEqual({
        DataClassification: 'one of Public, Internal, Confidential, Restricted',
        SupportSNSTopic: 'the ARN of your team’s SNS topic',
        Team: 'your team’s name (optional unless required)',
      });
      expect(notice.text).toContain(
        '  - DataClassification: one of Public, Internal, Confidential, Restricted',
      );
      // tag-resources keeps the bucket's other tags; put-bucket-tagging would wipe them.
      expect(notice.text).toContain(
        `aws resourcegroupstaggingapi tag-resources --region us-east-1 --resource-arn-list arn:aws:s3:::team-a-scratch --tags '{"DataClassification":"Restricted","SupportSNSTopic":"arn:aws:sns:us-east-1:111122223333:<your-topic>","Team":"<your-team>"}'`,
      );
      expect(notice.text).not.toContain('put-bucket-tagging');
      expect(notice.text).toContain('findings in this bucket are judged as unclassified');
    });
  });

  describe('a bucket that is COMPLIANT again', () => {
    const notice = composeTagsNotice(
      input({
        compliance: 'COMPLIANT',
        previous: 'NON_COMPLIANT',
        annotation: 'Declares Internal.',
      }),
    );

    it('says so at Low, with nothing to do and no command', () => {
      expect(notice.subject).toBe('[Low] Bucket tags compliant again: team-a-scratch');
      expect(notice.document.summary).toBe(
        'S3 bucket team-a-scratch declares a valid classification and alert topic again.',
      );
      expect(notice.text).toContain('Nothing to do.');
      expect(notice.text).not.toContain('tag-resources');
      expect(notice.text).not.toContain('What to do');
    });
  });

  it('leaves out the previous result when there was none', () => {
    const notice = composeTagsNotice(input({ previous: undefined }));

    expect(notice.document.previousCompliance).toBeNull();
    expect(notice.text).toContain('Result:          NON_COMPLIANT\n');
  });

  it('cleans control characters out of the annotation and the team', () => {
    const notice = composeTagsNotice(
      input({ annotation: 'DataClassification "x\ny" is not a level', team: 'team\u0007a' }),
    );

    expect(notice.document.annotation).toBe('DataClassification "x?y" is not a level');
    expect(notice.document.team).toBe('team?a');
    expect(notice.text).not.toContain('\u0007');
    expect(notice.text).toContain('AWS Config says: DataClassification "x?y" is not a level');
  });

  it('gives the reason in the text when the notice went to central security', () => {
    const route: AlertRoute = {
      kind: 'fallback',
      topicArn: CENTRAL,
      reason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    };

    const notice = composeTagsNotice(input({ route }));

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
    expect(composeTagsNotice(input()).text).not.toContain('central security:');
  });

  it('suggests the highest level of a policy in the command', () => {
    const notice = composeTagsNotice(input({ levels: ['Open', 'Secret'] }));

    expect(notice.text).toContain('"DataClassification":"Secret"');
  });
});

/** Whole notices, every line and field stated here: they are what a team reads. */
describe('composeTagsNotice, whole', () => {
  const REQUIRED = {
    DataClassification: 'one of Public, Internal, Confidential, Restricted',
    SupportSNSTopic: 'the ARN of your team’s SNS topic',
    Team: 'your team’s name (optional unless required)',
  };

  it('writes the notice of a bucket that turned NON_COMPLIANT', () => {
    const notice = composeTagsNotice(input());

    expect(notice.text).toBe(
      [
        'S3 bucket team-a-scratch no longer declares a valid classification and alert topic.',
        '',
        'Result:          NON_COMPLIANT (was COMPLIANT)',
        'Bucket:          team-a-scratch (account 111122223333, us-east-1)',
        'Team:            team-a',
        'AWS Config says: DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
        'Recorded at:     2024-05-14T09:22:30.918Z',
        '',
        'What to do: tag the bucket with',
        '  - DataClassification: one of Public, Internal, Confidential, Restricted',
        '  - SupportSNSTopic: the ARN of your team’s SNS topic',
        '  - Team: your team’s name (optional unless required)',
        '',
        "For example (this keeps the bucket's other tags):",
        `  aws resourcegroupstaggingapi tag-resources --region us-east-1 --resource-arn-list arn:aws:s3:::team-a-scratch --tags '{"DataClassification":"Restricted","SupportSNSTopic":"arn:aws:sns:us-east-1:111122223333:<your-topic>","Team":"<your-team>"}'`,
        '',
        'Until then, findings in this bucket are judged as unclassified and alerts about it go to central security.',
      ].join('\n'),
    );
    expect(notice.document).toStrictEqual({
      schema: 'bucket-classification-validator/tags-notice/v1',
      kind: 'tags',
      severity: 'Medium',
      team: 'team-a',
      sample: false,
      summary:
        'S3 bucket team-a-scratch no longer declares a valid classification and alert topic.',
      bucket: { name: 'team-a-scratch', accountId: '111122223333', region: 'us-east-1' },
      compliance: 'NON_COMPLIANT',
      previousCompliance: 'COMPLIANT',
      annotation:
        'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted).',
      recordedAt: '2024-05-14T09:22:30.918Z',
      requiredTags: REQUIRED,
      routing: { topicArn: TOPIC },
    });
  });

  it('writes the notice of a bucket compliant again, sent to central security', () => {
    const notice = composeTagsNotice(
      input({
        compliance: 'COMPLIANT',
        previous: 'NON_COMPLIANT',
        annotation: 'All required tags are present.',
        team: 'unassigned',
        route: {
          kind: 'fallback',
          topicArn: CENTRAL,
          reason: 'TopicTagMissing',
          detail: 'the bucket has no SupportSNSTopic tag',
        },
      }),
    );

    expect(notice.subject).toBe('[Low] Bucket tags compliant again: team-a-scratch');
    expect(notice.attributes).toStrictEqual({
      severity: 'Low',
      team: 'unassigned',
      bucket: 'team-a-scratch',
      kind: 'tags',
      sample: 'false',
    });
    expect(notice.text).toBe(
      [
        'S3 bucket team-a-scratch declares a valid classification and alert topic again.',
        '',
        'Result:          COMPLIANT (was NON_COMPLIANT)',
        'Bucket:          team-a-scratch (account 111122223333, us-east-1)',
        'Team:            unassigned',
        'AWS Config says: All required tags are present.',
        'Recorded at:     2024-05-14T09:22:30.918Z',
        '',
        'Nothing to do.',
        '',
        'Sent to central security: the bucket has no SupportSNSTopic tag.',
      ].join('\n'),
    );
    expect(notice.document.routing).toStrictEqual({
      topicArn: CENTRAL,
      fallbackReason: 'TopicTagMissing',
      detail: 'the bucket has no SupportSNSTopic tag',
    });
    expect(notice.document.requiredTags).toStrictEqual(REQUIRED);
  });

  it('names no earlier result when there was none', () => {
    const notice = composeTagsNotice(input({ previous: undefined }));

    expect(notice.text.split('\n')[2]).toBe('Result:          NON_COMPLIANT');
    expect(notice.document.previousCompliance).toBeNull();
  });
});
