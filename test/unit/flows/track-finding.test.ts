import { Logger } from '@aws-lambda-powertools/logger';
import { createFindingTracker } from '../../../flows/track-finding';
import type { WaiversOf } from '../../../flows/waivers';
import type { TopicTags } from '../../../lib/sns-topic-directory';
import { loadPolicy } from '../../../policies/load-policy';
import type { AlertDocument } from '../../../rules/alert';
import { awsError } from '../../support/aws-errors';
import {
  CENTRAL_TOPIC,
  FakeMetrics,
  FakePublisher,
  FakeTags,
  FakeTopicTags,
  ledgerSettings,
} from '../../support/fakes';
import { loadMacieEvent, type RawEvent } from '../../support/fixtures';
import { MemoryLedger } from '../../support/memory-ledger';

const CENTRAL = CENTRAL_TOPIC;
const TEAM_TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const ACCOUNT = '111122223333';
const BUCKET = 'team-a-ledger';
const HOUR = 3_600_000;

function setup(
  options: {
    tags?: Record<string, Record<string, string> | Error>;
    waivers?: WaiversOf;
    ledger?: MemoryLedger;
    start?: string;
    topicTags?: Record<string, TopicTags>;
  } = {},
) {
  const publisher = new FakePublisher();
  const topicTags = new FakeTopicTags(options.topicTags);
  const metrics = new FakeMetrics();
  const tags = new FakeTags(options.tags);
  const ledger = options.ledger ?? new MemoryLedger();
  const clock = { now: new Date(options.start ?? '2025-05-21T00:00:00Z') };
  let ids = 0;
  const track = createFindingTracker({
    settings: ledgerSettings(),
    policy: loadPolicy(),
    waivers: options.waivers ?? (() => () => undefined),
    ledger,
    publisher,
    topicTags,
    metrics,
    tags,
    logger: new Logger({ logLevel: 'SILENT' }),
    clock: () => clock.now,
    newId: () => `notice-${++ids}`,
    pause: () => Promise.resolve(),
  });
  const later = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  return { track, publisher, metrics, tags, ledger, later, topicTags };
}

/** The financial fixture (team-a, Confidential, card numbers: a Medium violation), one object of it. */
function financialEvent(
  options: { id?: string; key?: string; tags?: Record<string, string>; public?: boolean } = {},
): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  if (options.id) detail.id = options.id;
  if (options.key) {
    (detail.resourcesAffected as unknown as { s3Object: { key: string } }).s3Object.key =
      options.key;
  }
  if (options.tags) {
    detail.resourcesAffected.s3Bucket.tags = Object.entries(options.tags).map(([key, value]) => ({
      key,
      value,
    }));
  }
  if (options.public) {
    (detail.resourcesAffected.s3Bucket as Record<string, unknown>).publicAccess = {
      effectivePermission: 'PUBLIC',
    };
  }
  return event;
}

/** The same bucket with other types: one more credentials finding. */
function credentialsEvent(id: string): RawEvent {
  const event = financialEvent({ id, key: `keys/${id}.txt` });
  const detail = event.detail as unknown as {
    classificationDetails: { result: { sensitiveData: unknown[] } };
  };
  detail.classificationDetails.result.sensitiveData = [
    { category: 'CREDENTIALS', detections: [{ type: 'AWS_CREDENTIALS', count: 1 }], totalCount: 1 },
  ];
  return event;
}

describe('tracking findings in the ledger', () => {
  describe('the first violation of a bucket', () => {
    it("notifies the team's topic and counts the violation by team and severity", async () => {
      const { track, publisher, metrics } = setup();

      const outcome = await track(financialEvent());

      expect(outcome).toEqual({
        outcome: 'recorded',
        verdict: 'violation',
        severity: 'Medium',
        notice: { kind: 'violation', topics: [TEAM_TOPIC] },
      });
      expect(publisher.sent.map((s) => s.topicArn)).toEqual([TEAM_TOPIC]);
      expect(publisher.sent[0]?.message.attributes).toEqual(
        expect.objectContaining({
          severity: 'Medium',
          team: 'team-a',
          bucket: BUCKET,
          kind: 'violation',
        }),
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

    it('records the types found, with counts, times and the object as an example', async () => {
      const { track, ledger } = setup();

      await track(financialEvent());

      const state = ledger.state(ACCOUNT, BUCKET);
      expect(state?.types.CREDIT_CARD_NUMBER).toEqual({
        type: 'CREDIT_CARD_NUMBER',
        category: 'FINANCIAL_INFORMATION',
        custom: false,
        count: 4,
        findings: 1,
        firstSeen: '2025-05-20T09:00:00.100Z',
        lastSeen: '2025-05-20T09:00:00.100Z',
        examples: ['ledger/2025/05/card-batch.csv'],
      });
      expect(state?.declaration).toEqual({
        tags: {
          DataClassification: '  confidential ',
          SupportSNSTopic: TEAM_TOPIC,
          Team: 'team-a',
        },
        source: 'finding',
        readAt: '2025-05-20T09:00:00.100Z',
      });
      expect(state?.lastNotice).toEqual(
        expect.objectContaining({ kind: 'violation', delivery: 'sent', messageId: 'm-1' }),
      );
    });

    it('names the open violation, its required level and the example objects in the notice', async () => {
      const { track, publisher } = setup();

      await track(financialEvent());

      const [notice] = publisher.notices();
      expect(notice?.violations).toEqual([
        expect.objectContaining({
          type: 'CREDIT_CARD_NUMBER',
          requiredLevel: 'Restricted',
          count: 4,
          examples: ['ledger/2025/05/card-batch.csv'],
        }),
      ]);
      expect(notice?.declaration?.source).toBe('finding');
      expect(publisher.sent[0]?.message.text).toContain('Not allowed at Confidential:');
    });
  });

  describe('a flood of findings for one bucket', () => {
    it('sends one notice for 500 findings and counts all 500', async () => {
      const { track, publisher, metrics, ledger } = setup();

      for (let i = 0; i < 500; i++) {
        await track(financialEvent({ id: `finding-${i}`, key: `exports/part-${i}.csv` }));
      }

      expect(publisher.sent).toHaveLength(1);
      expect(metrics.total('ClassificationViolations')).toBe(500);
      const state = ledger.state(ACCOUNT, BUCKET);
      expect(state?.findings).toBe(500);
      expect(state?.types.CREDIT_CARD_NUMBER?.count).toBe(2000);
      expect(state?.types.CREDIT_CARD_NUMBER?.examples).toHaveLength(5);
    });

    it('sends one notice when eight invocations for one bucket race each other', async () => {
      const ledger = new MemoryLedger();
      const { track, publisher, metrics } = setup({ ledger });
      // Every write waits for the others to read first, so all but one lose the race.
      let waiting: Array<() => void> = [];
      ledger.beforeSave = () =>
        new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === 8 || ledger.saves > 0) {
            const release = waiting;
            waiting = [];
            for (const go of release) go();
          }
        });

      await Promise.all(
        Array.from({ length: 8 }, (_, i) => track(financialEvent({ id: `race-${i}` }))),
      );

      expect(publisher.sent).toHaveLength(1);
      expect(ledger.conflicts).toBeGreaterThan(0);
      expect(ledger.state(ACCOUNT, BUCKET)?.findings).toBe(8);
      expect(metrics.total('ClassificationViolations')).toBe(8);
    });
  });

  describe('the same finding delivered twice', () => {
    it('changes nothing the second time', async () => {
      const { track, publisher, metrics, ledger } = setup();

      await track(financialEvent());
      const again = await track(financialEvent());

      expect(again).toEqual({ outcome: 'duplicate', redelivered: false, metricsRecorded: false });
      expect(publisher.sent).toHaveLength(1);
      expect(metrics.total('ClassificationViolations')).toBe(1);
      expect(ledger.state(ACCOUNT, BUCKET)?.findings).toBe(1);
    });

    it('sends the notice on the retry when the first publish failed', async () => {
      const { track, publisher } = setup();
      publisher.failing = awsError('Throttled', 'Rate exceeded');

      await expect(track(financialEvent())).rejects.toThrow('Rate exceeded');
      publisher.failing = undefined;
      const retry = await track(financialEvent());

      expect(retry).toEqual(expect.objectContaining({ outcome: 'duplicate', redelivered: true }));
      expect(publisher.kinds()).toEqual(['violation']);
    });

    it('does not send the notice again when the metrics failed after it', async () => {
      const { track, publisher, metrics, ledger } = setup();
      metrics.failing = awsError('ServiceUnavailable', 'try later', 'server');

      await expect(track(financialEvent())).rejects.toThrow('try later');
      expect(
        ledger.markers.get(ledger.state(ACCOUNT, BUCKET)?.lastNotice?.findingId ?? ''),
      ).toEqual(
        expect.objectContaining({ pendingMetrics: [expect.objectContaining({ count: 1 })] }),
      );
      metrics.failing = undefined;
      const retry = await track(financialEvent());

      expect(retry).toEqual({ outcome: 'duplicate', redelivered: false, metricsRecorded: true });
      expect(publisher.sent).toHaveLength(1);
      expect(metrics.total('ClassificationViolations')).toBe(1);
      // A third delivery owes nothing.
      await track(financialEvent());
      expect(metrics.total('ClassificationViolations')).toBe(1);
    });

    it('logs and goes on when CloudWatch refuses the counts for good', async () => {
      const { track, publisher, metrics } = setup();
      metrics.failing = awsError('InvalidParameterValue', 'dimension value not ASCII');

      const outcome = await track(financialEvent());

      expect(outcome.outcome).toBe('recorded');
      expect(publisher.sent).toHaveLength(1);
    });

    it('does not fail when marking the notice sent fails after it went out', async () => {
      const ledger = new MemoryLedger();
      ledger.deliveredFailure = awsError('ProvisionedThroughputExceededException', 'slow down');
      const { track, publisher } = setup({ ledger });

      await track(financialEvent());

      expect(publisher.sent).toHaveLength(1);
    });
  });

  describe('escalations', () => {
    it('notifies again when a type not named before is found', async () => {
      const { track, publisher } = setup();

      await track(financialEvent());
      await track(credentialsEvent('cred-1'));

      expect(publisher.kinds()).toEqual(['violation', 'escalation']);
      const escalation = publisher.notices()[1];
      expect(escalation?.severity).toBe('Critical');
      expect(escalation?.changes).toEqual([
        'severity rose from Medium to Critical',
        'newly found: AWS_CREDENTIALS',
      ]);
    });

    it('notifies again when the bucket becomes publicly accessible', async () => {
      const { track, publisher } = setup();

      await track(financialEvent({ id: 'a' }));
      await track(financialEvent({ id: 'b', public: true }));

      expect(publisher.kinds()).toEqual(['violation', 'escalation']);
      expect(publisher.notices()[1]?.changes).toContain('the bucket became publicly accessible');
    });
  });

  describe('reminders', () => {
    it('recalls open violations after the quiet period, with the findings since', async () => {
      const { track, publisher, later } = setup();

      await track(financialEvent({ id: 'a' }));
      later(2 * HOUR);
      await track(financialEvent({ id: 'b' }));
      await track(financialEvent({ id: 'c' }));
      later(23 * HOUR);
      await track(financialEvent({ id: 'd' }));

      expect(publisher.kinds()).toEqual(['violation', 'reminder']);
      expect(publisher.notices()[1]?.findings).toEqual({
        total: 4,
        sinceLastNotice: 3,
        lastNoticeAt: '2025-05-21T00:00:00.000Z',
      });
    });
  });

  describe('the declaration a finding is judged by', () => {
    it("prefers tags read after the finding's snapshot could have been taken", async () => {
      const ledger = new MemoryLedger();
      const { track, publisher } = setup({ ledger });
      // The team raised the tag to Restricted after Macie took its snapshot.
      await ledger.save(
        {
          accountId: ACCOUNT,
          bucket: BUCKET,
          region: 'us-east-1',
          partition: 'aws',
          types: {},
          publiclyAccessible: false,
          findings: 0,
          findingsSinceNotice: 0,
          declaration: {
            tags: { DataClassification: 'Restricted', SupportSNSTopic: TEAM_TOPIC, Team: 'team-a' },
            source: 'tag-change',
            readAt: '2025-05-20T06:00:00.000Z',
          },
        },
        undefined,
      );

      const outcome = await track(financialEvent());

      expect(outcome).toEqual({ outcome: 'recorded', verdict: 'compliant' });
      expect(publisher.sent).toEqual([]);
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
    ])('notifies central security with the reason when %s', async (_, tags, reason) => {
      const { track, publisher, metrics } = setup();

      await track(financialEvent({ tags }));

      expect(publisher.sent.map((s) => s.topicArn)).toEqual([CENTRAL]);
      expect(publisher.notices()[0]?.routing.fallbackReason).toBe(reason);
      expect(metrics.calls[0]).toContainEqual({
        name: 'UnroutableAlerts',
        dimensions: { Reason: reason },
        count: 1,
      });
    });

    it('notifies central security when the team topic refuses the publish', async () => {
      const { track, publisher } = setup();
      publisher.refusing.set(TEAM_TOPIC, 'NotFoundException');

      await track(financialEvent());

      expect(publisher.notices()[0]?.routing).toEqual({
        topicArn: CENTRAL,
        fallbackReason: 'PublishRefused',
        detail: `the team topic ${TEAM_TOPIC} refused the notice (NotFoundException)`,
      });
    });

    describe('a team topic that has not opted in', () => {
      it.each<[string, TopicTags, string, string]>([
        [
          'has no opt-in tag',
          { kind: 'read', tags: { Team: 'team-a' } },
          'TopicNotOptedIn',
          `the team topic ${TEAM_TOPIC} has not opted in to alerts (it needs the tag AcceptsClassificationAlerts=true)`,
        ],
        [
          'has the opt-in tag with another value',
          { kind: 'read', tags: { AcceptsClassificationAlerts: 'yes' } },
          'TopicNotOptedIn',
          `the team topic ${TEAM_TOPIC} has not opted in to alerts (it needs the tag AcceptsClassificationAlerts=true)`,
        ],
        [
          'does not exist',
          { kind: 'missing' },
          'TopicNotOptedIn',
          `the team topic ${TEAM_TOPIC} does not exist`,
        ],
        [
          'has tags that cannot be read',
          { kind: 'unreadable', reason: 'AuthorizationErrorException' },
          'TopicTagsUnreadable',
          `the tags of the team topic ${TEAM_TOPIC} could not be read (AuthorizationErrorException), so its opt-in is unknown`,
        ],
      ])(
        'gets nothing when it %s: central security gets the notice, with the reason',
        async (_case, tags, reason, detail) => {
          const { track, publisher, metrics } = setup({ topicTags: { [TEAM_TOPIC]: tags } });

          const outcome = await track(financialEvent());

          expect(publisher.topics()).toEqual([CENTRAL]);
          expect(publisher.notices()[0]?.routing).toEqual({
            topicArn: CENTRAL,
            fallbackReason: reason,
            detail,
          });
          expect(outcome).toEqual(
            expect.objectContaining({ notice: { kind: 'violation', topics: [CENTRAL] } }),
          );
          expect(metrics.calls[0]).toContainEqual({
            name: 'UnroutableAlerts',
            dimensions: { Reason: reason },
            count: 1,
          });
        },
      );

      it('is asked about before every notice to the team', async () => {
        const { track, topicTags } = setup();

        await track(financialEvent());
        await track(credentialsEvent('cred-1'));

        expect(topicTags.asked).toEqual([TEAM_TOPIC, TEAM_TOPIC]);
      });

      it('keeps a sample finding from the team too', async () => {
        // The sample finding's own tags name this topic.
        const sampleTopic = 'arn:aws:sns:us-east-1:111122223333:team-b-alerts';
        const { track, publisher } = setup({
          topicTags: { [sampleTopic]: { kind: 'read', tags: {} } },
        });

        const outcome = await track(loadMacieEvent('sample-true.json'));

        expect(publisher.topics()).toEqual([CENTRAL]);
        // What `bucket-classification smoke` reports: where the notice went, and why.
        expect(outcome).toEqual({
          outcome: 'sample',
          severity: expect.any(String),
          topics: [CENTRAL],
          fallback: 'TopicNotOptedIn',
        });
      });

      it('never holds up central security: its own topic is not asked about', async () => {
        const { track, publisher, topicTags } = setup({
          topicTags: { [CENTRAL]: { kind: 'read', tags: {} } },
        });

        await track('hello');
        await track(financialEvent({ tags: { DataClassification: 'Internal' } }));

        expect(publisher.topics()).toEqual([CENTRAL, CENTRAL]);
        expect(topicTags.asked).toEqual([]);
      });
    });

    it('fails the invocation when central security refuses too', async () => {
      const { track, publisher, metrics } = setup();
      publisher.refusing.set(TEAM_TOPIC, 'NotFoundException');
      publisher.refusing.set(CENTRAL, 'AuthorizationErrorException');

      await expect(track(financialEvent())).rejects.toThrow(
        `SECURITY_TOPIC_ARN ${CENTRAL} refused the notice (AuthorizationErrorException)`,
      );
      expect(metrics.calls).toEqual([]);
    });
  });

  describe('tags that cannot be read', () => {
    const event = () => loadMacieEvent('sensitive-tags-null.json');
    const bucketOf = (e: RawEvent) => e.detail.resourcesAffected.s3Bucket.name as string;

    it('reads the tags from S3 when the finding carries none', async () => {
      const found = event();
      const { track, publisher, tags } = setup({
        tags: {
          [bucketOf(found)]: {
            DataClassification: 'Public',
            SupportSNSTopic: TEAM_TOPIC,
            Team: 'team-b',
          },
        },
      });

      await track(found);

      expect(tags.asked).toEqual([bucketOf(found)]);
      expect(publisher.notices()[0]?.team).toBe('team-b');
      expect(publisher.notices()[0]?.declaration?.source).toBe('live');
    });

    it("reads them only from a bucket of the finding's account", async () => {
      const found = event();
      const { track, tags } = setup();

      await track(found);

      expect(tags.expectedOwners).toEqual(['111122223333']);
    });

    it('notifies central security when S3 refuses for good, instead of failing', async () => {
      const found = event();
      const { track, publisher } = setup({
        tags: { [bucketOf(found)]: awsError('AccessDenied', 'Access Denied') },
      });

      await track(found);

      const [notice] = publisher.notices();
      expect(notice?.routing).toEqual({
        topicArn: CENTRAL,
        fallbackReason: 'TagsUnreadable',
        detail: "the bucket's tags could not be read (AccessDenied)",
      });
      expect(notice?.bucket.tagsUnreadable).toBe('AccessDenied');
    });

    it('fails the invocation on a transient error, so the event is retried', async () => {
      const found = event();
      const { track, publisher } = setup({
        tags: { [bucketOf(found)]: awsError('SlowDown', 'Please reduce your request rate') },
      });

      await expect(track(found)).rejects.toThrow('Please reduce your request rate');
      expect(publisher.sent).toEqual([]);
    });
  });

  describe('unclassified buckets', () => {
    it('notifies both the team and central security, at the severity of the lowest level at least', async () => {
      const { track, publisher, metrics } = setup();

      const outcome = await track(
        financialEvent({ tags: { DataClassification: 'Top Secret', SupportSNSTopic: TEAM_TOPIC } }),
      );

      expect(outcome).toEqual(
        expect.objectContaining({ verdict: 'unclassified', severity: 'Critical' }),
      );
      expect(publisher.sent.map((s) => s.topicArn)).toEqual([TEAM_TOPIC, CENTRAL]);
      expect(publisher.notices().map((d) => d.verdict)).toEqual(['unclassified', 'unclassified']);
      expect(metrics.calls[0]).toEqual([
        {
          name: 'ClassificationViolations',
          dimensions: { Team: 'team-a-alerts', Severity: 'Critical' },
          count: 1,
        },
      ]);
    });
  });

  describe('findings that raise no notice', () => {
    it('records a compliant finding without a notice or a count', async () => {
      const { track, publisher, metrics, ledger } = setup();

      const outcome = await track(
        financialEvent({ tags: { DataClassification: 'Restricted', SupportSNSTopic: TEAM_TOPIC } }),
      );

      expect(outcome).toEqual({ outcome: 'recorded', verdict: 'compliant' });
      expect(publisher.sent).toEqual([]);
      expect(metrics.calls).toEqual([]);
      expect(ledger.state(ACCOUNT, BUCKET)?.types.CREDIT_CARD_NUMBER?.count).toBe(4);
    });

    it.each([['policy-bucket-public.json' as const], ['archived-true.json' as const]])(
      'ignores %s without reading tags or the ledger',
      async (name) => {
        const { track, publisher, tags, ledger } = setup();

        const outcome = await track(loadMacieEvent(name));

        expect(outcome.outcome).toBe('ignored');
        expect(publisher.sent).toEqual([]);
        expect(tags.asked).toEqual([]);
        expect(ledger.entries.size).toBe(0);
      },
    );
  });

  describe('waivers', () => {
    const waiver =
      (status: 'active' | 'expired'): WaiversOf =>
      () =>
      (type) =>
        type === 'CREDIT_CARD_NUMBER'
          ? {
              status,
              waiver: {
                ticket: 'SEC-42',
                approver: 'ciso@example.com',
                reason: 'tokenisation project',
                expiresAt: '2025-06-01T00:00:00.000Z',
                source: 'waivers.yaml:3',
              },
            }
          : undefined;

    it('sends no notice for a waived violation and counts it as waived', async () => {
      const { track, publisher, metrics } = setup({ waivers: waiver('active') });

      const outcome = await track(financialEvent());

      expect(outcome).toEqual({ outcome: 'recorded', verdict: 'waived' });
      expect(publisher.sent).toEqual([]);
      expect(metrics.calls).toEqual([
        [{ name: 'WaivedViolations', dimensions: { Team: 'team-a' }, count: 1 }],
      ]);
    });

    it('notifies, naming the expired waiver, once the waiver has expired', async () => {
      const { track, publisher } = setup({ waivers: waiver('expired') });

      await track(financialEvent());

      expect(publisher.kinds()).toEqual(['violation']);
      expect(publisher.notices()[0]?.waiverExpired).toEqual([
        {
          type: 'CREDIT_CARD_NUMBER',
          ticket: 'SEC-42',
          approver: 'ciso@example.com',
          expiresAt: '2025-06-01T00:00:00.000Z',
        },
      ]);
      expect(publisher.sent[0]?.message.text).toContain(
        'Waiver expired:  CREDIT_CARD_NUMBER (SEC-42',
      );
    });
  });

  describe('sample findings', () => {
    it('alerts, marked as a sample, and keeps it out of the ledger and the metrics', async () => {
      const { track, publisher, metrics, ledger } = setup({
        tags: { 'macie-sample-finding-bucket': { DataClassification: 'Internal' } },
      });

      const outcome = await track(loadMacieEvent('sample-true.json'));

      expect(outcome.outcome).toBe('sample');
      expect(publisher.sent[0]?.message.subject).toMatch(/^\[Sample\]/);
      expect((publisher.sent[0]?.message.document as AlertDocument | undefined)?.sample).toBe(true);
      expect(metrics.calls).toEqual([]);
      expect(ledger.entries.size).toBe(0);
    });
  });

  describe('events that are not valid findings', () => {
    it.each([
      ['an event from another source', () => loadMacieEvent('not-macie.json')],
      ['a finding without a bucket name', () => loadMacieEvent('missing-bucket-name.json')],
      ['a string', () => 'hello'],
    ])('sends %s to central security as unprocessable and succeeds', async (_, event) => {
      const { track, publisher, metrics } = setup();

      const outcome = await track(event());

      expect(outcome.outcome).toBe('unprocessable');
      expect(publisher.sent.map((s) => s.topicArn)).toEqual([CENTRAL]);
      const document = publisher.sent[0]?.message.document as AlertDocument | undefined;
      expect(document?.kind).toBe('unprocessable');
      expect(document?.error?.message).toBe(outcome.outcome === 'unprocessable' && outcome.reason);
      expect(metrics.calls).toEqual([[{ name: 'UnprocessableEvents', dimensions: {}, count: 1 }]]);
    });
  });
});
