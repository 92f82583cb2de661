import { Logger } from '@aws-lambda-powertools/logger';
import { createTagRule } from '../../../flows/check-bucket-tags';
import type {
  EvaluatedResource,
  EvaluatedResources,
  Evaluation,
  EvaluationReporter,
} from '../../../lib/config-evaluations';
import type { ConfigItemSource } from '../../../lib/config-history';
import { type BucketItem, bucketItemFromHistory } from '../../../lib/config-rule-event';
import { ConfigEventError } from '../../../lib/errors';
import type { BucketPage, PagedBucketInventory } from '../../../lib/s3-bucket-inventory';
import type { TagSource } from '../../../lib/s3-tag-source';
import type { TopicDirectory, TopicStatus } from '../../../lib/sns-topic-directory';
import { loadPolicy } from '../../../policies/load-policy';
import { awsError } from '../../support/aws-errors';
import {
  type ConfigEventName,
  loadConfigEvent,
  loadHistoryItem,
} from '../../support/config-events';
import { FakeTopicTags, tagRuleTestSettings } from '../../support/fakes';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';

class RecordingReporter implements EvaluationReporter {
  readonly reports: Array<{ evaluations: readonly Evaluation[]; resultToken: string }> = [];
  async report(evaluations: readonly Evaluation[], resultToken: string): Promise<void> {
    this.reports.push({ evaluations, resultToken });
  }
  evaluations(): Evaluation[] {
    return this.reports.flatMap((r) => [...r.evaluations]);
  }
}

class FakeHistory implements ConfigItemSource {
  readonly asked: Array<[string, string, Date]> = [];
  constructor(private readonly item: BucketItem | undefined) {}
  async itemAt(type: string, id: string, at: Date): Promise<BucketItem | undefined> {
    this.asked.push([type, id, at]);
    return this.item;
  }
}

const DELIVERABLE: TopicStatus = { kind: 'deliverable' };

class FakeAccount implements PagedBucketInventory, TagSource, TopicDirectory, EvaluatedResources {
  readonly topicLookups: string[] = [];
  readonly regionsListed: string[] = [];
  readonly rulesAsked: string[] = [];
  constructor(
    readonly buckets: Record<string, Record<string, string> | Error> = {},
    readonly topics: Record<string, TopicStatus> = { [TOPIC]: DELIVERABLE },
    readonly earlier: EvaluatedResource[] | Error = [],
  ) {}
  async page(region: string): Promise<BucketPage> {
    this.regionsListed.push(region);
    return { names: Object.keys(this.buckets) };
  }
  async bucketNames(): Promise<string[]> {
    return Object.keys(this.buckets);
  }
  readonly expectedOwners: Array<string | undefined> = [];
  async tagsOf(bucket: string, expectedOwner?: string): Promise<Record<string, string>> {
    this.expectedOwners.push(expectedOwner);
    const tags = this.buckets[bucket];
    if (tags instanceof Error) throw tags;
    return tags ?? {};
  }
  async check(arn: string): Promise<TopicStatus> {
    this.topicLookups.push(arn);
    return this.topics[arn] ?? { kind: 'missing' };
  }
  async evaluatedBy(configRuleName: string): Promise<EvaluatedResource[]> {
    this.rulesAsked.push(configRuleName);
    if (this.earlier instanceof Error) throw this.earlier;
    return this.earlier;
  }
}

function setup(
  options: {
    account?: FakeAccount;
    history?: BucketItem;
    allowed?: string[];
    topicTags?: FakeTopicTags;
  } = {},
) {
  const reporter = new RecordingReporter();
  const account = options.account ?? new FakeAccount();
  const history = new FakeHistory(options.history);
  const rule = createTagRule({
    settings: tagRuleTestSettings({ allowedTopicAccounts: options.allowed ?? [] }),
    policy: loadPolicy(),
    reporter,
    history,
    inventory: account,
    tags: account,
    topics: account,
    topicTags: options.topicTags ?? new FakeTopicTags(),
    earlier: account,
    handover: { handOver: async () => {} },
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  return { rule, reporter, account, history };
}

describe('checkBucketTags', () => {
  describe('a configuration change', () => {
    it('reports the bucket COMPLIANT at its capture time, with the result token', async () => {
      const { rule, reporter } = setup();

      const outcome = await rule(loadConfigEvent('change-compliant.json'));

      expect(outcome).toEqual({ messageType: 'change', evaluations: 1, nonCompliant: 0 });
      expect(reporter.reports).toEqual([
        {
          resultToken: 'TESTMODE',
          evaluations: [
            {
              resourceType: 'AWS::S3::Bucket',
              resourceId: 'team-a-ledger',
              compliance: 'COMPLIANT',
              annotation: `Declares Confidential; alerts go to ${TOPIC}.`,
              orderingTimestamp: new Date('2024-05-14T09:21:07.412Z'),
            },
          ],
        },
      ]);
    });

    it.each<[ConfigEventName, string]>([
      [
        'change-missing-topic.json',
        "SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
      ],
      [
        'change-invalid-values.json',
        'DataClassification "TopSecret" is not a level (Public, Internal, Confidential, Restricted). SupportSNSTopic "team-a-alerts" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>).',
      ],
      [
        'change-no-tags.json',
        "DataClassification is missing: tag it with one of Public, Internal, Confidential, Restricted. SupportSNSTopic is missing: tag it with your team's SNS topic ARN.",
      ],
    ])('reports %s NON_COMPLIANT, saying what is wrong', async (file, annotation) => {
      const { rule, reporter } = setup();

      await rule(loadConfigEvent(file));

      expect(reporter.evaluations()).toEqual([
        expect.objectContaining({ compliance: 'NON_COMPLIANT', annotation }),
      ]);
    });

    it('reads the tags from BucketTaggingConfiguration when the tags map is empty', async () => {
      const { rule, reporter } = setup();

      await rule(loadConfigEvent('change-tags-only-in-supplementary.json'));

      expect(reporter.evaluations()[0]?.compliance).toBe('COMPLIANT');
    });

    it('reports a topic that does not exist in the rule account', async () => {
      const { rule, reporter, account } = setup({
        account: new FakeAccount({}, { [TOPIC]: { kind: 'missing' } }),
      });

      await rule(loadConfigEvent('change-compliant.json'));

      expect(account.topicLookups).toEqual([TOPIC]);
      expect(reporter.evaluations()[0]).toEqual(
        expect.objectContaining({
          compliance: 'NON_COMPLIANT',
          annotation: 'SupportSNSTopic topic team-a-alerts does not exist in us-east-1.',
        }),
      );
    });

    it('does not hold it against the bucket when the topic cannot be looked up', async () => {
      const { rule, reporter } = setup({
        account: new FakeAccount(
          {},
          { [TOPIC]: { kind: 'unknown', reason: 'ThrottlingException' } },
        ),
      });

      await rule(loadConfigEvent('change-compliant.json'));

      expect(reporter.evaluations()[0]?.compliance).toBe('COMPLIANT');
    });
  });

  describe('the opt-in tag of the topic', () => {
    it('reports a topic without the opt-in tag NON_COMPLIANT, naming the tag to add', async () => {
      const topicTags = new FakeTopicTags({ [TOPIC]: { kind: 'read', tags: { Team: 'a' } } });
      const { rule, reporter } = setup({ topicTags });

      await rule(loadConfigEvent('change-compliant.json'));

      expect(topicTags.asked).toEqual([TOPIC]);
      expect(reporter.evaluations()[0]).toEqual(
        expect.objectContaining({
          compliance: 'NON_COMPLIANT',
          annotation:
            'SupportSNSTopic topic team-a-alerts has not opted in to alerts: tag the topic AcceptsClassificationAlerts=true.',
        }),
      );
    });

    it('follows the configured opt-in tag', async () => {
      const reporter = new RecordingReporter();
      const account = new FakeAccount();
      const rule = createTagRule({
        settings: tagRuleTestSettings({ topicOptIn: { key: 'security/alerts', value: 'on' } }),
        policy: loadPolicy(),
        reporter,
        history: new FakeHistory(undefined),
        inventory: account,
        tags: account,
        topics: account,
        topicTags: new FakeTopicTags(),
        earlier: account,
        handover: { handOver: async () => {} },
        logger: new Logger({ logLevel: 'SILENT' }),
      });

      await rule(loadConfigEvent('change-compliant.json'));

      expect(reporter.evaluations()[0]?.annotation).toBe(
        'SupportSNSTopic topic team-a-alerts has not opted in to alerts: tag the topic security/alerts=on.',
      );
    });

    it('does not hold tags it cannot read against the bucket, and says so', async () => {
      const topicTags = new FakeTopicTags({
        [TOPIC]: { kind: 'unreadable', reason: 'AuthorizationErrorException' },
      });
      const { rule, reporter } = setup({ topicTags });

      await rule(loadConfigEvent('change-compliant.json'));

      expect(reporter.evaluations()[0]).toEqual(
        expect.objectContaining({
          compliance: 'COMPLIANT',
          annotation: `Declares Confidential; alerts go to ${TOPIC} (its opt-in tag could not be read: AuthorizationErrorException).`,
        }),
      );
    });

    it('reads each topic’s tags once per sweep, and judges every bucket when they cannot be read', async () => {
      const topicTags = new FakeTopicTags({
        [TOPIC]: { kind: 'unreadable', reason: 'ThrottlingException' },
      });
      const account = new FakeAccount({
        'team-a-ledger': { DataClassification: 'Confidential', SupportSNSTopic: TOPIC, Team: 'a' },
        'team-a-reports': { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'a' },
      });
      const { rule, reporter } = setup({ account, topicTags });

      await rule(loadConfigEvent('periodic.json'));

      expect(topicTags.asked).toEqual([TOPIC]);
      expect(reporter.evaluations().map((e) => [e.resourceId, e.compliance, e.annotation])).toEqual(
        [
          [
            'team-a-ledger',
            'COMPLIANT',
            `Declares Confidential; alerts go to ${TOPIC} (its opt-in tag could not be read: ThrottlingException).`,
          ],
          [
            'team-a-reports',
            'COMPLIANT',
            `Declares Internal; alerts go to ${TOPIC} (its opt-in tag could not be read: ThrottlingException).`,
          ],
        ],
      );
    });
  });

  describe('resources that are not applicable', () => {
    it.each<[ConfigEventName, string, string]>([
      ['change-deleted.json', 'team-a-old-exports', 'Configuration item status ResourceDeleted.'],
      [
        'change-deleted-not-recorded.json',
        'team-a-tmp',
        'Configuration item status ResourceDeletedNotRecorded.',
      ],
      ['change-left-scope.json', 'team-a-ledger', 'The bucket left the rule scope.'],
    ])(
      'reports %s NOT_APPLICABLE so the old result is cleaned up',
      async (file, bucket, annotation) => {
        const { rule, reporter, account } = setup();

        await rule(loadConfigEvent(file));

        expect(reporter.evaluations()).toEqual([
          expect.objectContaining({
            resourceType: 'AWS::S3::Bucket',
            resourceId: bucket,
            compliance: 'NOT_APPLICABLE',
            annotation,
          }),
        ]);
        expect(account.topicLookups).toEqual([]);
      },
    );
  });

  describe('an oversized configuration change', () => {
    const historyItem = (): BucketItem => bucketItemFromHistory(loadHistoryItem());

    it('fetches the item at the capture time and judges it', async () => {
      const { rule, reporter, history } = setup({ history: historyItem() });

      await rule(loadConfigEvent('oversized.json'));

      expect(history.asked).toEqual([
        ['AWS::S3::Bucket', 'team-a-ledger', new Date('2024-05-15T11:02:45.903Z')],
      ]);
      expect(reporter.evaluations()).toEqual([
        expect.objectContaining({
          resourceId: 'team-a-ledger',
          compliance: 'COMPLIANT',
          orderingTimestamp: new Date('2024-05-15T11:02:45.903Z'),
        }),
      ]);
    });

    it('reports a deleted bucket NOT_APPLICABLE without looking up its history', async () => {
      const { rule, reporter, history } = setup({ history: historyItem() });
      const event = loadConfigEvent('oversized.json');
      const invoking = JSON.parse(event.invokingEvent as string);
      invoking.configurationItemSummary.configurationItemStatus = 'ResourceDeleted';
      invoking.configurationItemSummary.changeType = 'DELETE';

      await rule({ ...event, invokingEvent: JSON.stringify(invoking) });

      expect(history.asked).toEqual([]);
      expect(reporter.evaluations()).toEqual([
        {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'team-a-ledger',
          compliance: 'NOT_APPLICABLE',
          annotation: 'Configuration item status ResourceDeleted.',
          orderingTimestamp: new Date('2024-05-15T11:02:45.903Z'),
        },
      ]);
    });

    it('fails loudly when the history has no item, reporting nothing', async () => {
      const { rule, reporter } = setup({ history: undefined });

      await expect(rule(loadConfigEvent('oversized.json'))).rejects.toThrow(
        'GetResourceConfigHistory returned no item for AWS::S3::Bucket team-a-ledger',
      );
      expect(reporter.reports).toEqual([]);
    });
  });

  describe('the requireTeamTag rule parameter', () => {
    /** A change of a bucket with a valid level and topic and `team` as its Team tag, if any. */
    function changeWith(requireTeamTag: string, team?: string) {
      const event = loadConfigEvent('change-compliant.json');
      const invoking = JSON.parse(event.invokingEvent as string);
      invoking.configurationItem.tags = {
        DataClassification: 'Confidential',
        SupportSNSTopic: TOPIC,
        ...(team === undefined ? {} : { Team: team }),
      };
      return {
        ...event,
        invokingEvent: JSON.stringify(invoking),
        ruleParameters: JSON.stringify({ requireTeamTag }),
      };
    }

    it.each(['true', 'TRUE', 'True', ' true '])(
      'requires the Team tag when it is %j',
      async (requireTeamTag) => {
        const { rule, reporter } = setup();

        await rule(changeWith(requireTeamTag));

        expect(reporter.evaluations()[0]).toEqual(
          expect.objectContaining({
            compliance: 'NON_COMPLIANT',
            annotation: "Team is missing: tag it with your team's name.",
          }),
        );
      },
    );

    it.each(['false', 'yes', '1', 'on', ''])(
      'does not require the Team tag when it is %j',
      async (requireTeamTag) => {
        const { rule, reporter } = setup();

        await rule(changeWith(requireTeamTag));

        expect(reporter.evaluations()[0]?.compliance).toBe('COMPLIANT');
      },
    );

    it.each(['', '   ', '\t'])('counts a Team tag of %j as missing when required', async (team) => {
      const { rule, reporter } = setup();

      await rule(changeWith('true', team));

      expect(reporter.evaluations()[0]?.annotation).toBe(
        "Team is missing: tag it with your team's name.",
      );
    });

    it('accepts a Team tag with a name when required', async () => {
      const { rule, reporter } = setup();

      await rule(changeWith('true', 'payments'));

      expect(reporter.evaluations()[0]?.compliance).toBe('COMPLIANT');
    });
  });

  describe('the exemptBuckets rule parameter', () => {
    const buckets = {
      'team-a-ledger': { DataClassification: 'Confidential', SupportSNSTopic: TOPIC, Team: 'a' },
      'web-access-logs': {},
      'cdk-hnb659fds-assets-111122223333-us-east-1': {},
      'team-b-untagged': {},
    };

    function periodicWith(exemptBuckets: string) {
      return {
        ...loadConfigEvent('periodic.json'),
        ruleParameters: JSON.stringify({ exemptBuckets }),
      };
    }

    it('reports the buckets a pattern names NOT_APPLICABLE, with the pattern', async () => {
      const { rule, reporter } = setup({ account: new FakeAccount(buckets) });

      const outcome = await rule(periodicWith('*-access-logs, CDK-*-assets-*'));

      expect(reporter.evaluations().map((e) => [e.resourceId, e.compliance, e.annotation])).toEqual(
        [
          ['team-a-ledger', 'COMPLIANT', expect.any(String)],
          [
            'web-access-logs',
            'NOT_APPLICABLE',
            'Exempt from declaring a classification: the name matches "*-access-logs" (exemptBuckets).',
          ],
          [
            'cdk-hnb659fds-assets-111122223333-us-east-1',
            'NOT_APPLICABLE',
            'Exempt from declaring a classification: the name matches "cdk-*-assets-*" (exemptBuckets).',
          ],
          ['team-b-untagged', 'NON_COMPLIANT', expect.any(String)],
        ],
      );
      expect(outcome).toEqual(expect.objectContaining({ evaluations: 4, nonCompliant: 1 }));
    });

    it('exempts a bucket on a configuration change too', async () => {
      const { rule, reporter } = setup();
      const event = loadConfigEvent('change-missing-topic.json');

      await rule({ ...event, ruleParameters: JSON.stringify({ exemptBuckets: 'team-a-*' }) });

      expect(reporter.evaluations()[0]).toEqual(
        expect.objectContaining({ resourceId: 'team-a-reports', compliance: 'NOT_APPLICABLE' }),
      );
    });

    it.each(['', ' , ', 'other-*'])('judges every bucket when it is %j', async (exemptBuckets) => {
      const { rule, reporter } = setup({ account: new FakeAccount(buckets) });

      await rule(periodicWith(exemptBuckets));

      expect(reporter.evaluations().map((e) => e.compliance)).toEqual([
        'COMPLIANT',
        'NON_COMPLIANT',
        'NON_COMPLIANT',
        'NON_COMPLIANT',
      ]);
    });

    it('fails the invocation, naming the parameter, on a pattern no bucket name could match', async () => {
      const { rule, reporter } = setup({ account: new FakeAccount(buckets) });

      await expect(rule(periodicWith('logs, web_logs'))).rejects.toThrow(
        'exemptBuckets: the pattern "web_logs" may hold only what a bucket name holds',
      );
      expect(reporter.reports).toEqual([]);
    });
  });

  describe('a periodic run', () => {
    const buckets = {
      'team-a-ledger': { DataClassification: 'Confidential', SupportSNSTopic: TOPIC, Team: 'a' },
      'team-a-reports': { DataClassification: 'Internal', SupportSNSTopic: TOPIC },
      'team-b-untagged': {},
      'team-c-locked': Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }),
    };

    it("judges every bucket of the rule's region at the notification time", async () => {
      const { rule, reporter, account } = setup({ account: new FakeAccount(buckets) });

      const outcome = await rule(loadConfigEvent('periodic.json'));

      expect(account.regionsListed).toEqual(['us-east-1']);
      expect(outcome).toEqual({
        messageType: 'scheduled',
        evaluations: 4,
        nonCompliant: 3,
        sweep: { part: 1, handedOver: false },
      });
      const at = new Date('2024-05-15T12:00:00.118Z');
      expect(
        reporter.evaluations().map((e) => [e.resourceId, e.compliance, e.orderingTimestamp]),
      ).toEqual([
        ['team-a-ledger', 'COMPLIANT', at],
        ['team-a-reports', 'NON_COMPLIANT', at],
        ['team-b-untagged', 'NON_COMPLIANT', at],
        ['team-c-locked', 'NON_COMPLIANT', at],
      ]);
    });

    it('applies the requireTeamTag rule parameter', async () => {
      const { rule, reporter } = setup({ account: new FakeAccount(buckets) });

      await rule(loadConfigEvent('periodic.json'));

      expect(reporter.evaluations()[1]?.annotation).toBe(
        "Team is missing: tag it with your team's name.",
      );
    });

    it('reports a bucket whose tags cannot be read, naming the error', async () => {
      const { rule, reporter } = setup({ account: new FakeAccount(buckets) });

      await rule(loadConfigEvent('periodic.json'));

      expect(reporter.evaluations()[3]?.annotation).toBe('Tags could not be read: AccessDenied.');
    });

    it("reads tags only from buckets of the rule's account", async () => {
      const { rule, account } = setup({ account: new FakeAccount(buckets) });

      await rule(loadConfigEvent('periodic.json'));

      expect(account.expectedOwners).toEqual([
        '111122223333',
        '111122223333',
        '111122223333',
        '111122223333',
      ]);
    });

    it('looks up each topic once per invocation', async () => {
      const { rule, account } = setup({ account: new FakeAccount(buckets) });

      await rule(loadConfigEvent('periodic.json'));

      expect(account.topicLookups).toEqual([TOPIC]);
    });

    it('judges the other buckets when one names a topic in a region it cannot reach', async () => {
      const faraway = 'arn:aws:sns:xx-fake-1:111122223333:t';
      const account = new FakeAccount(
        {
          'team-a-ledger': { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'a' },
          'team-x-faraway': { DataClassification: 'Internal', SupportSNSTopic: faraway, Team: 'x' },
        },
        {
          [TOPIC]: DELIVERABLE,
          [faraway]: { kind: 'unreachable', reason: 'UnrecognizedClientException' },
        },
      );
      const { rule, reporter } = setup({ account });

      await rule(loadConfigEvent('periodic.json'));

      expect(reporter.evaluations().map((e) => [e.resourceId, e.compliance, e.annotation])).toEqual(
        [
          ['team-a-ledger', 'COMPLIANT', `Declares Internal; alerts go to ${TOPIC}.`],
          [
            'team-x-faraway',
            'NON_COMPLIANT',
            'SupportSNSTopic is in region xx-fake-1, which this account cannot reach (UnrecognizedClientException).',
          ],
        ],
      );
    });

    it('reports a bucket deleted since it was listed NOT_APPLICABLE', async () => {
      const account = new FakeAccount({ 'team-a-gone': awsError('NoSuchBucket') });
      const { rule, reporter } = setup({ account });

      await rule(loadConfigEvent('periodic.json'));

      expect(reporter.evaluations()).toEqual([
        {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'team-a-gone',
          compliance: 'NOT_APPLICABLE',
          annotation: 'The bucket no longer exists.',
          orderingTimestamp: new Date('2024-05-15T12:00:00.118Z'),
        },
      ]);
    });

    it("clears the rule's earlier results of buckets that are no longer listed", async () => {
      const account = new FakeAccount(
        { 'team-a-ledger': { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'a' } },
        { [TOPIC]: DELIVERABLE },
        [
          { resourceType: 'AWS::S3::Bucket', resourceId: 'team-a-ledger' },
          { resourceType: 'AWS::S3::Bucket', resourceId: 'team-a-deleted' },
        ],
      );
      const { rule, reporter } = setup({ account });

      await rule(loadConfigEvent('periodic.json'));

      expect(account.rulesAsked).toEqual(['check-bucket-tags']);
      expect(reporter.evaluations()).toEqual([
        expect.objectContaining({ resourceId: 'team-a-ledger', compliance: 'COMPLIANT' }),
        {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'team-a-deleted',
          compliance: 'NOT_APPLICABLE',
          annotation: 'The bucket is no longer listed in us-east-1.',
          orderingTimestamp: new Date('2024-05-15T12:00:00.118Z'),
        },
      ]);
    });

    it('still reports the sweep when the earlier results cannot be read', async () => {
      const account = new FakeAccount(
        { 'team-a-ledger': { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'a' } },
        { [TOPIC]: DELIVERABLE },
        awsError('AccessDeniedException'),
      );
      const { rule, reporter } = setup({ account });

      await rule(loadConfigEvent('periodic.json'));

      expect(reporter.evaluations().map((e) => [e.resourceId, e.compliance])).toEqual([
        ['team-a-ledger', 'COMPLIANT'],
      ]);
    });

    it('reports nothing, but still succeeds, for an account without buckets', async () => {
      const { rule, reporter } = setup({ account: new FakeAccount({}) });

      const outcome = await rule(loadConfigEvent('periodic.json'));

      expect(outcome.evaluations).toBe(0);
      expect(reporter.reports).toEqual([{ evaluations: [], resultToken: expect.any(String) }]);
    });
  });

  describe('other messages', () => {
    it('reports nothing for a snapshot delivery', async () => {
      const { rule, reporter } = setup();

      const outcome = await rule(loadConfigEvent('snapshot-delivery.json'));

      expect(outcome.evaluations).toBe(0);
      expect(reporter.reports).toEqual([]);
    });

    it('fails loudly on an event that is not a Config rule event', async () => {
      const { rule } = setup();

      await expect(rule({ hello: 'world' })).rejects.toThrow(ConfigEventError);
    });
  });
});

describe('checkBucketTags for the member accounts of an organisation', () => {
  /** A rule whose central collaborators must stay unused, and one set per member account. */
  function organisationSetup() {
    const central = setup();
    const members = new Map<
      string,
      { reporter: RecordingReporter; account: FakeAccount; history: FakeHistory }
    >();
    const asked: string[] = [];
    const member = (accountId: string) => {
      asked.push(accountId);
      let found = members.get(accountId);
      if (!found) {
        found = {
          reporter: new RecordingReporter(),
          account: new FakeAccount({
            'team-a-ledger': {
              DataClassification: 'Confidential',
              SupportSNSTopic: TOPIC,
            },
          }),
          history: new FakeHistory(undefined),
        };
        members.set(accountId, found);
      }
      return found;
    };
    const rule = createTagRule({
      settings: tagRuleTestSettings({
        organization: {
          organizationId: 'o-abcdef1234',
          memberRoleName: 'BucketClassificationMember',
          centralAccountId: '999988887777',
        },
      }),
      policy: loadPolicy(),
      reporter: central.reporter,
      history: central.history,
      inventory: central.account,
      tags: central.account,
      topics: central.account,
      topicTags: new FakeTopicTags(),
      earlier: central.account,
      handover: { handOver: async () => {} },
      logger: new Logger({ logLevel: 'SILENT' }),
      inAccount: (accountId) => {
        const { reporter, account, history } = member(accountId);
        return {
          reporter,
          history,
          inventory: account,
          tags: account,
          topics: account,
          topicTags: new FakeTopicTags(),
          earlier: account,
        };
      },
    });
    return { rule, central, member, asked };
  }

  it("reports a member bucket's change in the member account, with the member's topic checked there", async () => {
    const { rule, central, member, asked } = organisationSetup();

    await rule(loadConfigEvent('change-compliant.json'));

    expect(asked).toEqual(['111122223333']);
    expect(central.reporter.reports).toEqual([]);
    expect(central.account.topicLookups).toEqual([]);
    const here = member('111122223333');
    expect(here.account.topicLookups).toEqual([TOPIC]);
    expect(here.reporter.evaluations()).toEqual([
      expect.objectContaining({ resourceId: 'team-a-ledger', compliance: 'COMPLIANT' }),
    ]);
  });

  it('sweeps the member account’s own buckets in a periodic run, and clears its own earlier results', async () => {
    const { rule, central, member } = organisationSetup();

    await rule(loadConfigEvent('periodic.json'));

    const here = member('111122223333');
    expect(central.account.regionsListed).toEqual([]);
    expect(here.account.regionsListed).toEqual(['us-east-1']);
    expect(here.account.rulesAsked).toHaveLength(1);
    expect(here.reporter.evaluations().map((e) => e.resourceId)).toEqual(['team-a-ledger']);
    expect(central.reporter.reports).toEqual([]);
  });
});
