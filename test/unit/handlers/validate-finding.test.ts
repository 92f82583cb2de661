import { Logger } from '@aws-lambda-powertools/logger';
import type { MetricCount, MetricsSink } from '../../../lib/cloudwatch-metrics';
import type { TagSource } from '../../../lib/s3-tag-source';
import { SettingsError } from '../../../lib/settings';
import type { AlertMessage, AlertPublisher, PublishResult } from '../../../lib/sns-alert-publisher';
import { loadPolicy } from '../../../policies/load-policy';
import type { AlertDocument } from '../../../rules/alert';
import { awsError } from '../../support/aws-errors';
import { clearEnv } from '../../support/env';
import { loadMacieEvent, type RawEvent } from '../../support/fixtures';

const CENTRAL = 'arn:aws:sns:us-east-1:999988887777:central-security';
const TEAM_TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';

// The handler module reads its settings when it loads, as at a Lambda cold start.
process.env.SECURITY_TOPIC_ARN = CENTRAL;
type HandlerModule = typeof import('../../../handlers/validate-finding');
let createFindingValidator: HandlerModule['createFindingValidator'];
beforeAll(() => {
  ({ createFindingValidator } = require('../../../handlers/validate-finding') as HandlerModule);
});

class FakePublisher implements AlertPublisher {
  readonly sent: Array<{ topicArn: string; message: AlertMessage }> = [];
  readonly refusing = new Map<string, string>();
  failing: Error | undefined;

  async publish(topicArn: string, message: AlertMessage): Promise<PublishResult> {
    if (this.failing) throw this.failing;
    const refusal = this.refusing.get(topicArn);
    if (refusal) return { kind: 'refused', errorName: refusal };
    this.sent.push({ topicArn, message });
    return { kind: 'published', messageId: `m-${this.sent.length}` };
  }

  documents(): AlertDocument[] {
    return this.sent.map(({ message }) => message.document as AlertDocument);
  }
}

class FakeMetrics implements MetricsSink {
  readonly calls: MetricCount[][] = [];
  async record(counts: readonly MetricCount[]): Promise<void> {
    this.calls.push([...counts]);
  }
}

class FakeTags implements TagSource {
  readonly asked: string[] = [];
  constructor(private readonly byBucket: Record<string, Record<string, string> | Error> = {}) {}
  async tagsOf(bucket: string): Promise<Record<string, string>> {
    this.asked.push(bucket);
    const tags = this.byBucket[bucket];
    if (tags instanceof Error) throw tags;
    return tags ?? {};
  }
}

function setup(
  options: { tags?: Record<string, Record<string, string> | Error>; allowed?: string[] } = {},
) {
  const publisher = new FakePublisher();
  const metrics = new FakeMetrics();
  const tags = new FakeTags(options.tags);
  const validate = createFindingValidator({
    settings: {
      securityTopicArn: CENTRAL,
      metricsNamespace: 'DataClassification',
      tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
      allowedTopicAccounts: options.allowed ?? [],
      policyFile: undefined,
    },
    policy: loadPolicy(),
    publisher,
    metrics,
    tags,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  return { validate, publisher, metrics, tags };
}

/** The financial fixture (team-a, Confidential, card numbers: a Medium violation) with other tags. */
function financialEvent(tags?: Record<string, string>): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  if (tags) {
    event.detail.resourcesAffected.s3Bucket.tags = Object.entries(tags).map(([key, value]) => ({
      key,
      value,
    }));
  }
  return event;
}

describe('validateFinding', () => {
  describe('violations', () => {
    it("alerts the team's topic and counts the violation by team and severity", async () => {
      const { validate, publisher, metrics } = setup();

      const outcome = await validate(financialEvent());

      expect(outcome).toEqual({ outcome: 'alerted', severity: 'Medium', topics: [TEAM_TOPIC] });
      expect(publisher.sent.map((s) => s.topicArn)).toEqual([TEAM_TOPIC]);
      expect(publisher.sent[0]?.message.attributes).toEqual(
        expect.objectContaining({ severity: 'Medium', team: 'team-a', bucket: 'team-a-ledger' }),
      );
      expect(metrics.calls).toEqual([
        [
          {
            name: 'ClassificationViolations',
            dimensions: { Team: 'team-a', Severity: 'Medium' },
            count: 1,
          },
        ],
      ]);
    });

    it('reads the tags from S3 when the finding carries none', async () => {
      const event = loadMacieEvent('sensitive-tags-null.json');
      const bucket = event.detail.resourcesAffected.s3Bucket.name as string;
      const { validate, publisher, tags } = setup({
        tags: {
          [bucket]: { DataClassification: 'Public', SupportSNSTopic: TEAM_TOPIC, Team: 'team-b' },
        },
      });

      const outcome = await validate(event);

      expect(tags.asked).toEqual([bucket]);
      expect(outcome).toEqual(expect.objectContaining({ outcome: 'alerted' }));
      expect(publisher.documents()[0]?.team).toBe('team-b');
    });

    it('does not read S3 when the finding carries tags', async () => {
      const { validate, tags } = setup();

      await validate(financialEvent());

      expect(tags.asked).toEqual([]);
    });

    it('accepts a topic in the member account that owns the bucket', async () => {
      const { validate, publisher } = setup();

      await validate(loadMacieEvent('cross-account.json'));

      expect(publisher.sent.map((s) => s.topicArn)).toEqual([
        'arn:aws:sns:eu-west-1:444455556666:member-data-alerts',
      ]);
    });
  });

  describe('fallback to central security', () => {
    it.each([
      ['the topic tag is missing', { DataClassification: 'Internal' }, 'TopicTagMissing'],
      [
        'the topic tag is not a topic ARN',
        { DataClassification: 'Internal', SupportSNSTopic: 'team-a@example.com' },
        'TopicTagMalformed',
      ],
      [
        'the topic is in an account not allowed',
        {
          DataClassification: 'Internal',
          SupportSNSTopic: 'arn:aws:sns:us-east-1:444455556666:elsewhere',
        },
        'TopicAccountNotAllowed',
      ],
    ])('alerts central security with the reason when %s', async (_, tags, reason) => {
      const { validate, publisher, metrics } = setup();

      await validate(financialEvent(tags));

      expect(publisher.sent.map((s) => s.topicArn)).toEqual([CENTRAL]);
      expect(publisher.documents()[0]?.routing.fallbackReason).toBe(reason);
      expect(metrics.calls[0]).toContainEqual({
        name: 'UnroutableAlerts',
        dimensions: { Reason: reason },
        count: 1,
      });
    });

    it('alerts central security when the team topic refuses the publish', async () => {
      const { validate, publisher, metrics } = setup();
      publisher.refusing.set(TEAM_TOPIC, 'NotFoundException');

      const outcome = await validate(financialEvent());

      expect(outcome).toEqual({ outcome: 'alerted', severity: 'Medium', topics: [CENTRAL] });
      expect(publisher.documents()[0]?.routing).toEqual({
        topicArn: CENTRAL,
        fallbackReason: 'PublishRefused',
        detail: `the team topic ${TEAM_TOPIC} refused the alert (NotFoundException)`,
      });
      expect(metrics.calls[0]).toContainEqual({
        name: 'UnroutableAlerts',
        dimensions: { Reason: 'PublishRefused' },
        count: 1,
      });
    });

    it('fails the invocation when central security refuses too, so the event is retried', async () => {
      const { validate, publisher, metrics } = setup();
      publisher.refusing.set(TEAM_TOPIC, 'NotFoundException');
      publisher.refusing.set(CENTRAL, 'AuthorizationErrorException');

      await expect(validate(financialEvent())).rejects.toThrow(
        `SECURITY_TOPIC_ARN ${CENTRAL} refused the alert (AuthorizationErrorException)`,
      );
      expect(metrics.calls).toEqual([]);
    });

    it('fails the invocation on a transient publish error, recording nothing', async () => {
      const { validate, publisher, metrics } = setup();
      publisher.failing = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });

      await expect(validate(financialEvent())).rejects.toThrow('Rate exceeded');
      expect(metrics.calls).toEqual([]);
    });
  });

  describe('tags that cannot be read', () => {
    const event = () => loadMacieEvent('sensitive-tags-null.json');
    const bucketOf = (e: RawEvent) => e.detail.resourcesAffected.s3Bucket.name as string;

    it('alerts central security when S3 refuses for good, instead of failing', async () => {
      const found = event();
      const { validate, publisher, metrics } = setup({
        tags: { [bucketOf(found)]: awsError('AccessDenied', 'Access Denied') },
      });

      const outcome = await validate(found);

      expect(outcome).toEqual(expect.objectContaining({ outcome: 'alerted', topics: [CENTRAL] }));
      const [document] = publisher.documents();
      expect(document?.routing).toEqual({
        topicArn: CENTRAL,
        fallbackReason: 'TagsUnreadable',
        detail: "the bucket's tags could not be read (AccessDenied)",
      });
      expect(document?.bucket?.tagsUnreadable).toBe('AccessDenied');
      expect(publisher.sent[0]?.message.text).toContain(
        "Declared level:  unknown: the bucket's tags could not be read (AccessDenied)",
      );
      expect(metrics.calls[0]).toContainEqual({
        name: 'UnroutableAlerts',
        dimensions: { Reason: 'TagsUnreadable' },
        count: 1,
      });
    });

    it('fails the invocation on a transient error, so the event is retried', async () => {
      const found = event();
      const { validate, publisher } = setup({
        tags: { [bucketOf(found)]: awsError('SlowDown', 'Please reduce your request rate') },
      });

      await expect(validate(found)).rejects.toThrow('Please reduce your request rate');
      expect(publisher.sent).toEqual([]);
    });
  });

  describe('unclassified buckets', () => {
    it('alerts both the team and central security', async () => {
      const { validate, publisher, metrics } = setup();

      const outcome = await validate(
        financialEvent({ DataClassification: 'Top Secret', SupportSNSTopic: TEAM_TOPIC }),
      );

      expect(outcome).toEqual({
        outcome: 'alerted',
        severity: 'High',
        topics: [TEAM_TOPIC, CENTRAL],
      });
      expect(publisher.documents().map((d) => d.kind)).toEqual(['unclassified', 'unclassified']);
      expect(metrics.calls[0]).toEqual([
        {
          name: 'ClassificationViolations',
          dimensions: { Team: 'team-a-alerts', Severity: 'High' },
          count: 1,
        },
      ]);
    });

    it('alerts central security once when the bucket has no tags at all', async () => {
      const { validate, publisher } = setup();

      await validate(loadMacieEvent('sensitive-tags-empty.json'));

      expect(publisher.sent.map((s) => s.topicArn)).toEqual([CENTRAL]);
      expect(publisher.documents()[0]?.team).toBe('unassigned');
    });
  });

  describe('findings that raise no alert', () => {
    it('stays silent for a compliant finding', async () => {
      const { validate, publisher, metrics } = setup();

      const outcome = await validate(
        financialEvent({ DataClassification: 'Restricted', SupportSNSTopic: TEAM_TOPIC }),
      );

      expect(outcome).toEqual({ outcome: 'compliant' });
      expect(publisher.sent).toEqual([]);
      expect(metrics.calls).toEqual([]);
    });

    it.each([['policy-bucket-public.json' as const], ['archived-true.json' as const]])(
      'ignores %s without reading tags or alerting',
      async (name) => {
        const { validate, publisher, tags } = setup();

        const outcome = await validate(loadMacieEvent(name));

        expect(outcome.outcome).toBe('ignored');
        expect(publisher.sent).toEqual([]);
        expect(tags.asked).toEqual([]);
      },
    );
  });

  describe('sample findings', () => {
    it('alerts, marked as a sample, and records no metrics', async () => {
      const { validate, publisher, metrics } = setup({
        tags: { 'macie-sample-finding-bucket': { DataClassification: 'Internal' } },
      });

      const outcome = await validate(loadMacieEvent('sample-true.json'));

      expect(outcome.outcome).toBe('alerted');
      expect(publisher.sent[0]?.message.subject).toMatch(/^\[Sample\]/);
      expect(publisher.documents()[0]?.sample).toBe(true);
      expect(metrics.calls).toEqual([]);
    });
  });

  describe('events that are not valid findings', () => {
    it.each([
      ['an event from another source', () => loadMacieEvent('not-macie.json')],
      ['a finding without a bucket name', () => loadMacieEvent('missing-bucket-name.json')],
      ['a string', () => 'hello'],
    ])('sends %s to central security as unprocessable and succeeds', async (_, event) => {
      const { validate, publisher, metrics } = setup();

      const outcome = await validate(event());

      expect(outcome.outcome).toBe('unprocessable');
      expect(publisher.sent.map((s) => s.topicArn)).toEqual([CENTRAL]);
      const document = publisher.documents()[0];
      expect(document?.kind).toBe('unprocessable');
      expect(document?.error?.message).toBe(outcome.outcome === 'unprocessable' && outcome.reason);
      expect(metrics.calls).toEqual([[{ name: 'UnprocessableEvents', dimensions: {}, count: 1 }]]);
    });

    it('names the missing field in the reason', async () => {
      const { validate } = setup();

      const outcome = await validate(loadMacieEvent('missing-bucket-name.json'));

      expect(outcome.outcome === 'unprocessable' && outcome.reason).toContain(
        'detail.resourcesAffected.s3Bucket.name: is required',
      );
    });
  });
});

describe('validateFinding cold start', () => {
  it('fails with a message naming a missing setting', () => {
    const env = clearEnv(['SECURITY_TOPIC_ARN']);
    try {
      jest.isolateModules(() => {
        // A fresh module registry has its own SettingsError class: compare name and message.
        expect(() => require('../../../handlers/validate-finding')).toThrow(
          expect.objectContaining({
            name: new SettingsError('').name,
            message: 'SECURITY_TOPIC_ARN is required but not set',
          }),
        );
      });
    } finally {
      env.restore();
    }
  });
});
