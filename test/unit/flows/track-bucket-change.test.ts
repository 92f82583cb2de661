import { Logger } from '@aws-lambda-powertools/logger';
import { createBucketChangeTracker } from '../../../flows/track-bucket-change';
import type { BucketItem } from '../../../lib/config-rule-event';
import type { TopicTags } from '../../../lib/sns-topic-directory';
import { loadPolicy } from '../../../policies/load-policy';
import type { BucketState, NoticeRecord } from '../../../rules/bucket-state';
import type { TagsNoticeDocument } from '../../../rules/tags-notice';
import { awsError } from '../../support/aws-errors';
import {
  type BucketChange,
  bucketChangeEvent,
  type ComplianceChange,
  complianceChangeEvent,
  oversizedBucketChangeEvent,
} from '../../support/config-events';
import {
  CENTRAL_TOPIC,
  FakeHistory,
  FakePublisher,
  FakeTags,
  FakeTopicTags,
  ledgerSettings,
} from '../../support/fakes';
import type { JsonObject } from '../../support/fixtures';
import { MemoryLedger } from '../../support/memory-ledger';

const CENTRAL = CENTRAL_TOPIC;
const ACCOUNT = '111122223333';
const TEAM_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:team-a-alerts`;
const BUCKET = 'team-a-ledger';
const RULE = 'check-bucket-tags';
const TEAM_TAGS = { SupportSNSTopic: TEAM_TOPIC, Team: 'team-a' };

function setup(
  options: {
    ledger?: MemoryLedger;
    history?: BucketItem;
    tags?: Record<string, Record<string, string> | Error>;
    topicTags?: Record<string, TopicTags>;
  } = {},
) {
  const publisher = new FakePublisher();
  const topicTags = new FakeTopicTags(options.topicTags);
  const ledger = options.ledger ?? new MemoryLedger();
  const history = new FakeHistory(options.history);
  const tags = new FakeTags(
    options.tags ?? { [BUCKET]: { DataClassification: 'Internal', ...TEAM_TAGS } },
  );
  let ids = 0;
  const track = createBucketChangeTracker({
    settings: { ...ledgerSettings(), configRuleName: RULE },
    policy: loadPolicy(),
    waivers: () => () => undefined,
    ledger,
    publisher,
    topicTags,
    history,
    tags,
    logger: new Logger({ logLevel: 'SILENT' }),
    clock: () => new Date('2025-05-21T00:00:00.000Z'),
    newId: () => `notice-${++ids}`,
    pause: () => Promise.resolve(),
  });
  return { track, publisher, ledger, history, tags, topicTags };
}

/** A bucket in the ledger holding card numbers (they need Restricted), declared at `level`. */
function holdingCards(
  level: string,
  options: {
    readAt?: string;
    source?: 'finding' | 'tag-change';
    notice?: Partial<NoticeRecord>;
  } = {},
): BucketState {
  return {
    accountId: ACCOUNT,
    bucket: BUCKET,
    region: 'us-east-1',
    partition: 'aws',
    declaration: {
      tags: { DataClassification: level, ...TEAM_TAGS },
      source: options.source ?? 'finding',
      readAt: options.readAt ?? '2025-05-20T00:00:00.000Z',
    },
    types: {
      CREDIT_CARD_NUMBER: {
        type: 'CREDIT_CARD_NUMBER',
        category: 'FINANCIAL_INFORMATION',
        custom: false,
        count: 4,
        findings: 1,
        firstSeen: '2025-05-20T00:00:00.000Z',
        lastSeen: '2025-05-20T00:00:00.000Z',
        examples: ['ledger/cards.csv'],
      },
    },
    publiclyAccessible: false,
    findings: 1,
    findingsSinceNotice: 0,
    ...(options.notice
      ? {
          openSince: '2025-05-20T00:00:00.000Z',
          lastNotice: {
            id: 'notice-0',
            kind: 'violation',
            at: '2025-05-20T00:00:00.000Z',
            topicArn: TEAM_TOPIC,
            delivery: 'sent',
            verdict: 'violation',
            severity: 'Medium',
            types: ['CREDIT_CARD_NUMBER'],
            publiclyAccessible: false,
            ...options.notice,
          },
        }
      : {}),
  };
}

async function ledgerWith(state: BucketState): Promise<MemoryLedger> {
  const ledger = new MemoryLedger();
  await ledger.save(state, undefined);
  return ledger;
}

function tagChange(level: string | undefined, overrides: Partial<BucketChange> = {}): JsonObject {
  return bucketChangeEvent({
    bucket: BUCKET,
    accountId: ACCOUNT,
    region: 'us-east-1',
    tags: { ...(level === undefined ? {} : { DataClassification: level }), ...TEAM_TAGS },
    captureTime: new Date('2025-05-20T12:00:00.000Z'),
    ...overrides,
  });
}

function itemOf(event: JsonObject): JsonObject {
  return (event.detail as { configurationItem: JsonObject }).configurationItem;
}

describe('tracking bucket changes', () => {
  describe('the downgrade guard', () => {
    it('notifies the team once when the level falls below what the bucket holds', async () => {
      const { track, publisher, ledger } = setup({
        ledger: await ledgerWith(holdingCards('Restricted')),
      });

      const outcome = await track(tagChange('Confidential'));
      const again = await track(tagChange('Confidential'));

      expect(outcome).toEqual({
        outcome: 'declaration',
        bucket: BUCKET,
        changed: true,
        notice: { kind: 'violation', topics: [TEAM_TOPIC] },
      });
      expect(again).toEqual({ outcome: 'declaration', bucket: BUCKET, changed: false });
      expect(publisher.kinds()).toEqual(['violation']);
      const [notice] = publisher.notices();
      expect(notice?.changes).toEqual([
        'DataClassification changed from "Restricted" to "Confidential"',
      ]);
      expect(notice?.declaration?.source).toBe('tag-change');
      expect(ledger.state(ACCOUNT, BUCKET)?.lastNotice).toEqual(
        expect.objectContaining({ kind: 'violation', delivery: 'sent', messageId: 'm-1' }),
      );
    });

    it('ignores a change older than the declaration the ledger holds', async () => {
      const recorded = holdingCards('Restricted', {
        source: 'tag-change',
        readAt: '2025-05-20T18:00:00.000Z',
      });
      const { track, publisher, ledger } = setup({ ledger: await ledgerWith(recorded) });

      const outcome = await track(tagChange('Public'));

      expect(outcome).toEqual({
        outcome: 'ignored',
        reason: 'older than the declaration the ledger holds',
      });
      expect(publisher.sent).toEqual([]);
      expect(ledger.state(ACCOUNT, BUCKET)?.declaration).toEqual(recorded.declaration);
    });

    it('resolves once when the level is raised to allow everything the bucket holds', async () => {
      const { track, publisher, ledger } = setup({
        ledger: await ledgerWith(holdingCards('Confidential', { notice: {} })),
      });

      const outcome = await track(tagChange('Restricted'));
      await track(tagChange('Restricted'));

      expect(outcome).toEqual(
        expect.objectContaining({ notice: { kind: 'resolved', topics: [TEAM_TOPIC] } }),
      );
      expect(publisher.kinds()).toEqual(['resolved']);
      expect(publisher.notices()[0]?.changes).toEqual([
        'DataClassification changed from "Confidential" to "Restricted"',
        'no longer open: CREDIT_CARD_NUMBER',
      ]);
      expect(ledger.state(ACCOUNT, BUCKET)).not.toHaveProperty('openSince');
    });

    it('records the declaration of a bucket never seen, without a notice', async () => {
      const { track, publisher, ledger } = setup();

      const outcome = await track(tagChange('Internal'));

      expect(outcome).toEqual({ outcome: 'declaration', bucket: BUCKET, changed: true });
      expect(publisher.sent).toEqual([]);
      expect(ledger.state(ACCOUNT, BUCKET)).toEqual({
        accountId: ACCOUNT,
        bucket: BUCKET,
        region: 'us-east-1',
        partition: 'aws',
        types: {},
        publiclyAccessible: false,
        findings: 0,
        findingsSinceNotice: 0,
        declaration: {
          tags: { DataClassification: 'Internal', ...TEAM_TAGS },
          source: 'tag-change',
          readAt: '2025-05-20T12:00:00.000Z',
        },
      });
    });

    it('keeps only the tags that carry a declaration', async () => {
      const { track, ledger } = setup();
      const event = tagChange('Internal');
      itemOf(event).tags = { DataClassification: 'Internal', ...TEAM_TAGS, CostCentre: '42' };

      await track(event);

      expect(ledger.state(ACCOUNT, BUCKET)?.declaration?.tags).toEqual({
        DataClassification: 'Internal',
        ...TEAM_TAGS,
      });
    });

    it('gives a bucket in a China region its partition', async () => {
      const { track, ledger } = setup();

      await track(tagChange('Internal', { region: 'cn-north-1' }));

      expect(ledger.state(ACCOUNT, BUCKET)?.partition).toBe('aws-cn');
    });
  });

  describe('deleted buckets', () => {
    it('resolves the open violations of a deleted bucket', async () => {
      const { track, publisher, ledger } = setup({
        ledger: await ledgerWith(holdingCards('Confidential', { notice: {} })),
      });

      const outcome = await track(tagChange('Confidential', { status: 'ResourceDeleted' }));

      expect(outcome).toEqual(
        expect.objectContaining({
          changed: true,
          notice: { kind: 'resolved', topics: [TEAM_TOPIC] },
        }),
      );
      expect(publisher.notices()[0]?.changes).toEqual(['the bucket was deleted']);
      const state = ledger.state(ACCOUNT, BUCKET);
      expect(state?.types).toEqual({});
      expect(state?.resolution).toEqual({
        at: '2025-05-20T12:00:00.000Z',
        by: 'AWS Config',
        reason: 'the bucket was deleted',
        types: ['CREDIT_CARD_NUMBER'],
      });
    });

    it('forgets what a deleted bucket held without a notice when none was open', async () => {
      const { track, publisher, ledger } = setup({
        ledger: await ledgerWith(holdingCards('Restricted')),
      });

      const outcome = await track(
        tagChange('Restricted', { status: 'ResourceDeletedNotRecorded' }),
      );

      expect(outcome).toEqual({ outcome: 'declaration', bucket: BUCKET, changed: true });
      expect(publisher.sent).toEqual([]);
      expect(ledger.state(ACCOUNT, BUCKET)?.types).toEqual({});
    });

    it('records nothing for a deleted bucket the ledger does not know', async () => {
      const { track, publisher, ledger } = setup();

      const outcome = await track(tagChange('Internal', { status: 'ResourceDeleted' }));

      expect(outcome).toEqual({ outcome: 'declaration', bucket: BUCKET, changed: false });
      expect(ledger.entries.size).toBe(0);
      expect(publisher.sent).toEqual([]);
    });
  });

  describe('oversized changes', () => {
    const captureTime = new Date('2025-05-20T12:00:00.000Z');
    const summary = { bucket: BUCKET, accountId: ACCOUNT, region: 'us-east-1', captureTime };
    const item: BucketItem = {
      resourceType: 'AWS::S3::Bucket',
      resourceId: BUCKET,
      awsAccountId: ACCOUNT,
      awsRegion: 'us-east-1',
      captureTime,
      status: 'OK',
      tags: { DataClassification: 'Confidential', ...TEAM_TAGS },
    };

    it('fetches the item at its capture time and judges it like a change', async () => {
      const { track, publisher, history } = setup({
        ledger: await ledgerWith(holdingCards('Restricted')),
        history: item,
      });

      const outcome = await track(oversizedBucketChangeEvent(summary));

      expect(history.asked).toEqual([['AWS::S3::Bucket', BUCKET, captureTime]]);
      expect(outcome).toEqual(
        expect.objectContaining({ notice: { kind: 'violation', topics: [TEAM_TOPIC] } }),
      );
      expect(publisher.kinds()).toEqual(['violation']);
    });

    it('fails with a clear message when Config has no item for it', async () => {
      const { track } = setup();

      await expect(track(oversizedBucketChangeEvent(summary))).rejects.toThrow(
        `GetResourceConfigHistory returned no item for ${BUCKET} at 2025-05-20T12:00:00.000Z`,
      );
    });

    it('ignores an oversized change of another resource type without fetching it', async () => {
      const { track, history } = setup();

      const outcome = await track(
        oversizedBucketChangeEvent({ ...summary, resourceType: 'AWS::EC2::Instance' }),
      );

      expect(outcome).toEqual({ outcome: 'ignored', reason: 'not a bucket (AWS::EC2::Instance)' });
      expect(history.asked).toEqual([]);
    });

    it('resolves a deleted bucket without fetching its item', async () => {
      const { track, publisher, history } = setup({
        ledger: await ledgerWith(holdingCards('Confidential', { notice: {} })),
      });

      await track(oversizedBucketChangeEvent({ ...summary, status: 'ResourceDeleted' }));

      expect(history.asked).toEqual([]);
      expect(publisher.kinds()).toEqual(['resolved']);
    });
  });

  describe('changes that are not judged', () => {
    it('ignores an item that is not a bucket', async () => {
      const { track, ledger } = setup();
      const event = tagChange('Internal');
      itemOf(event).resourceType = 'AWS::SNS::Topic';

      const outcome = await track(event);

      expect(outcome).toEqual({ outcome: 'ignored', reason: 'not a bucket (AWS::SNS::Topic)' });
      expect(ledger.entries.size).toBe(0);
    });

    it('ignores an item whose tags cannot be read, saying why', async () => {
      const { track, ledger } = setup({ ledger: await ledgerWith(holdingCards('Restricted')) });
      const event = tagChange(undefined);
      itemOf(event).tags = {};
      (itemOf(event).supplementaryConfiguration as JsonObject).BucketTaggingConfiguration =
        '{"tagSets":';

      const outcome = await track(event);

      expect(outcome).toEqual({
        outcome: 'ignored',
        reason:
          'tags unreadable: supplementaryConfiguration.BucketTaggingConfiguration: not valid JSON',
      });
      expect(ledger.state(ACCOUNT, BUCKET)?.declaration?.tags.DataClassification).toBe(
        'Restricted',
      );
    });

    it('ignores a message that is not a configuration change', async () => {
      const { track } = setup();
      const event = tagChange('Internal');
      (event.detail as JsonObject).messageType = 'ConfigurationSnapshotDeliveryCompleted';

      expect(await track(event)).toEqual({
        outcome: 'ignored',
        reason: 'not a configuration change (unsupported)',
      });
    });

    it.each([
      [
        { 'detail-type': 'Macie Finding', source: 'aws.macie' },
        'not a Config change event (Macie Finding)',
      ],
      [{ source: 'aws.config' }, 'not a Config change event (no detail-type)'],
    ])('ignores an event of another detail-type (%j)', async (event, reason) => {
      const { track, publisher } = setup();

      expect(await track(event)).toEqual({ outcome: 'ignored', reason });
      expect(publisher.sent).toEqual([]);
    });
  });

  describe('compliance changes of the tag rule', () => {
    const result = (overrides: Partial<ComplianceChange> = {}) =>
      complianceChangeEvent({
        ruleName: RULE,
        bucket: BUCKET,
        accountId: ACCOUNT,
        region: 'us-east-1',
        compliance: 'NON_COMPLIANT',
        annotation: 'DataClassification "TopSecret" is not a level.',
        recordedAt: new Date('2025-05-20T12:00:00.000Z'),
        ...overrides,
      });
    const tagNotices = (publisher: FakePublisher) =>
      publisher.sent.map(({ message }) => message.document as TagsNoticeDocument);

    it("ignores another rule's results", async () => {
      const { track, ledger, tags } = setup();

      const outcome = await track(result({ ruleName: 'another-rule' }));

      expect(outcome).toEqual({ outcome: 'ignored', reason: 'another rule (another-rule)' });
      expect(tags.asked).toEqual([]);
      expect(ledger.entries.size).toBe(0);
    });

    it('ignores NOT_APPLICABLE', async () => {
      const { track, ledger } = setup();

      const outcome = await track(result({ compliance: 'NOT_APPLICABLE' }));

      expect(outcome).toEqual({ outcome: 'ignored', reason: 'not news (NOT_APPLICABLE)' });
      expect(ledger.entries.size).toBe(0);
    });

    it('ignores a result about another resource type', async () => {
      const { track } = setup();
      const event = result();
      (event.detail as JsonObject).resourceType = 'AWS::SNS::Topic';

      expect(await track(event)).toEqual({
        outcome: 'ignored',
        reason: 'not a bucket (AWS::SNS::Topic)',
      });
    });

    it('sends the tag notice to central security only when the team topic has not opted in', async () => {
      const { track, publisher } = setup({
        topicTags: { [TEAM_TOPIC]: { kind: 'read', tags: {} } },
      });

      const outcome = await track(result());

      expect(outcome).toEqual(expect.objectContaining({ notice: { topics: [CENTRAL] } }));
      expect(publisher.topics()).toEqual([CENTRAL]);
    });

    it("notifies the team and central security of a bucket's first NON_COMPLIANT result", async () => {
      const { track, publisher, ledger } = setup();

      const outcome = await track(result());

      expect(outcome).toEqual({
        outcome: 'tags',
        bucket: BUCKET,
        compliance: 'NON_COMPLIANT',
        notice: { topics: [TEAM_TOPIC, CENTRAL] },
      });
      expect(publisher.topics()).toEqual([TEAM_TOPIC, CENTRAL]);
      expect(publisher.kinds()).toEqual(['tags', 'tags']);
      expect(tagNotices(publisher)[0]?.annotation).toBe(
        'DataClassification "TopSecret" is not a level.',
      );
      expect(ledger.state(ACCOUNT, BUCKET)?.tagCompliance).toEqual({
        compliance: 'NON_COMPLIANT',
        annotation: 'DataClassification "TopSecret" is not a level.',
        at: '2025-05-20T12:00:00.000Z',
        notice: { id: 'notice-1', delivery: 'sent', topicArn: TEAM_TOPIC, messageId: 'm-1' },
      });
    });

    it('does nothing when the same result comes again', async () => {
      const { track, publisher } = setup();

      await track(result());
      const again = await track(result());

      expect(again).toEqual({
        outcome: 'tags',
        bucket: BUCKET,
        compliance: 'NON_COMPLIANT',
        changed: false,
      });
      expect(publisher.sent).toHaveLength(2);
    });

    it('sends a notice left pending on the retry, exactly once', async () => {
      const { track, publisher, ledger } = setup();
      publisher.failing = awsError('InternalError', 'SNS is down', 'server');

      await expect(track(result())).rejects.toThrow('SNS is down');
      expect(ledger.state(ACCOUNT, BUCKET)?.tagCompliance?.notice?.delivery).toBe('pending');
      publisher.failing = undefined;
      const retry = await track(result());
      await track(result());

      expect(retry).toEqual(expect.objectContaining({ notice: { topics: [TEAM_TOPIC, CENTRAL] } }));
      expect(publisher.sent).toHaveLength(2);
      expect(ledger.state(ACCOUNT, BUCKET)?.tagCompliance?.notice?.delivery).toBe('sent');
    });

    it('notifies when the bucket is COMPLIANT again after NON_COMPLIANT', async () => {
      const { track, publisher } = setup();

      await track(result());
      const outcome = await track(
        result({
          compliance: 'COMPLIANT',
          previous: 'NON_COMPLIANT',
          recordedAt: new Date('2025-05-20T13:00:00.000Z'),
        }),
      );

      expect(outcome).toEqual(
        expect.objectContaining({ notice: { topics: [TEAM_TOPIC, CENTRAL] } }),
      );
      expect(tagNotices(publisher).map((n) => n.compliance)).toEqual([
        'NON_COMPLIANT',
        'NON_COMPLIANT',
        'COMPLIANT',
        'COMPLIANT',
      ]);
      expect(tagNotices(publisher)[2]?.previousCompliance).toBe('NON_COMPLIANT');
    });

    it("does not notify of a bucket's first COMPLIANT result, but records it", async () => {
      const { track, publisher, ledger } = setup();

      const outcome = await track(
        result({ compliance: 'COMPLIANT', annotation: 'Declares Internal.' }),
      );

      expect(outcome).toEqual({
        outcome: 'tags',
        bucket: BUCKET,
        compliance: 'COMPLIANT',
        changed: true,
      });
      expect(publisher.sent).toEqual([]);
      expect(ledger.state(ACCOUNT, BUCKET)?.tagCompliance).toEqual({
        compliance: 'COMPLIANT',
        annotation: 'Declares Internal.',
        at: '2025-05-20T12:00:00.000Z',
      });
    });

    it('ignores a result older than the one recorded', async () => {
      const { track, publisher } = setup();

      await track(result());
      const older = await track(
        result({ compliance: 'COMPLIANT', recordedAt: new Date('2025-05-20T11:00:00.000Z') }),
      );

      expect(older).toEqual(expect.objectContaining({ changed: false }));
      expect(publisher.sent).toHaveLength(2);
    });

    it('notifies central security only, saying why, when the tags cannot be read', async () => {
      const { track, publisher } = setup({
        tags: { [BUCKET]: awsError('AccessDenied', 'Access Denied') },
      });

      const outcome = await track(result());

      expect(outcome).toEqual(expect.objectContaining({ notice: { topics: [CENTRAL] } }));
      expect(tagNotices(publisher)[0]?.routing).toEqual({
        topicArn: CENTRAL,
        fallbackReason: 'TagsUnreadable',
        detail: "the bucket's tags could not be read (AccessDenied)",
      });
    });

    it('fails on a transient S3 error, so the event is retried', async () => {
      const { track, publisher, ledger } = setup({
        tags: { [BUCKET]: awsError('SlowDown', 'Please reduce your request rate') },
      });

      await expect(track(result())).rejects.toThrow('Please reduce your request rate');
      expect(publisher.sent).toEqual([]);
      expect(ledger.entries.size).toBe(0);
    });
  });
});
