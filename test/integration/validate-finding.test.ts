/**
 * The packaged validateFinding function (the zip `serverless package` writes) run
 * against moto: real buckets with tags, team and central topics with SQS
 * subscribers to read what was delivered, CloudWatch metrics read back.
 */
import * as path from 'node:path';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AlertDocument } from '../../rules/alert';
import type { NoticeDocument } from '../../rules/notice';
import { loadMacieEvent, type RawEvent } from '../support/fixtures';
import { createLedgerTable, deleteLedgerTable } from '../support/ledger-table';
import { violationCount } from '../support/metrics';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import {
  invokePackaged,
  invokePackagedWithLogs,
  type PackagedStack,
  packageStack,
} from '../support/package-stack';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic, optIn } from '../support/sns-topics';
import { drainQueue, snsMessage, subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = Date.now().toString(36);
const NAMESPACE = `DataClassification/it-${RUN}`;

const sns = new SNSClient({});
const sqs = new SQSClient({});
const s3 = new S3Client({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});
const LEDGER = `ledger-it-${RUN}`;

let stack: PackagedStack;
let functionDir: string;
let centralTopic: string;
let centralQueue: string;
let teamTopic: string;
let teamQueue: string;
let criticalOnlyQueue: string;

/**
 * A topic with an SQS subscriber (SNS envelope delivery). A team's topic has opted in
 * to notices; `untagged` makes one without the tag (central security's needs none).
 */
async function topicWithQueue(name: string, tagging: 'opted-in' | 'untagged' = 'opted-in') {
  const topicArn =
    tagging === 'opted-in'
      ? await createTeamTopic(sns, `${name}-${RUN}`)
      : await createTopic(sns, `${name}-${RUN}`);
  const queue = await queueFor(topicArn, `${name}-${RUN}`);
  return { topicArn, queueUrl: queue };
}

async function queueFor(topicArn: string, name: string, filterPolicy?: object): Promise<string> {
  return (await subscribedQueue({ sns, sqs }, topicArn, name, filterPolicy)).url;
}

/** A notice (or a sample's or unprocessable event's alert), as a JSON subscriber reads it. */
type Delivered = NoticeDocument & Partial<Pick<AlertDocument, 'error'>>;

/** Takes every notice waiting in a queue. */
async function drain(queueUrl: string): Promise<Delivered[]> {
  return drainQueue(sqs, queueUrl, (body) => snsMessage(body) as Delivered);
}

/** Invokes the packaged handler with the function's settings, as Lambda would. */
async function invoke(
  event: unknown,
): Promise<{ outcome: string; notice?: { kind: string; topics: string[] } }> {
  return (await invokePackaged(functionDir, 'handlers/validate-finding.js', event, {
    ...process.env,
    SECURITY_TOPIC_ARN: centralTopic,
    METRICS_NAMESPACE: NAMESPACE,
    POLICY_FILE: 'policies/default-policy.yaml',
    WAIVERS_FILE: 'policies/waivers.yaml',
    LEDGER_TABLE: LEDGER,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  })) as { outcome: string; notice?: { kind: string; topics: string[] } };
}

/** The financial fixture for a bucket of this run, in moto's account, with these tags. */
function findingEvent(
  bucketName: string,
  tags: Record<string, string> | null,
  base: Parameters<typeof loadMacieEvent>[0] = 'sensitive-financial.json',
): RawEvent {
  const event = loadMacieEvent(base);
  event.account = ACCOUNT;
  event.region = REGION;
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  detail.accountId = ACCOUNT;
  detail.region = REGION;
  // One finding per bucket: the ledger records a finding id once.
  detail.id = `${bucketName}-finding`;
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = bucketName;
  s3Bucket.arn = `arn:aws:s3:::${bucketName}`;
  s3Bucket.tags = tags && Object.entries(tags).map(([key, value]) => ({ key, value }));
  return event;
}

async function unroutableReasons(): Promise<string[]> {
  const { Metrics = [] } = await cloudwatch.send(
    new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: 'UnroutableAlerts' }),
  );
  return Metrics.flatMap((metric) => metric.Dimensions?.map((d) => d.Value ?? '') ?? []).sort();
}

beforeAll(async () => {
  stack = packageStack('it');
  functionDir = path.join(stack.work.path, 'task');
  stack.extract('validateFinding', functionDir);
  await createLedgerTable(dynamodb, LEDGER);

  ({ topicArn: centralTopic, queueUrl: centralQueue } = await topicWithQueue(
    'central-security',
    'untagged',
  ));
  ({ topicArn: teamTopic, queueUrl: teamQueue } = await topicWithQueue('team-a-alerts'));
  criticalOnlyQueue = await queueFor(teamTopic, `team-a-critical-${RUN}`, {
    severity: ['Critical'],
  });
}, 240_000);

afterAll(async () => {
  stack?.remove();
  await deleteLedgerTable(dynamodb, LEDGER);
});

afterEach(async () => {
  // Each test reads its own deliveries; leave nothing for the next one.
  await Promise.all([drain(centralQueue), drain(teamQueue), drain(criticalOnlyQueue)]);
});

describe('packaged validateFinding against moto', () => {
  it("notifies the team's topic, and counts the violation by team and severity", async () => {
    const event = findingEvent(`ledger-${RUN}`, {
      DataClassification: 'Confidential',
      SupportSNSTopic: teamTopic,
      Team: `team-a-${RUN}`,
    });

    const outcome = await invoke(event);

    expect(outcome).toEqual({
      outcome: 'recorded',
      verdict: 'violation',
      severity: 'Medium',
      notice: { kind: 'violation', topics: [teamTopic] },
    });
    const [alert, ...more] = await drain(teamQueue);
    expect(more).toEqual([]);
    expect(alert).toEqual(
      expect.objectContaining({
        kind: 'violation',
        severity: 'Medium',
        team: `team-a-${RUN}`,
        bucket: expect.objectContaining({ name: `ledger-${RUN}`, declaredLevel: 'Confidential' }),
        violations: [
          expect.objectContaining({
            type: 'CREDIT_CARD_NUMBER',
            requiredLevel: 'Restricted',
            count: 4,
          }),
        ],
      }),
    );
    expect(await drain(centralQueue)).toEqual([]);
    expect(await violationCount(cloudwatch, NAMESPACE, `team-a-${RUN}`, 'Medium')).toBe(1);
  });

  it('reads the tags from S3 when the finding carries none', async () => {
    const name = `tagless-finding-${RUN}`;
    await createBucket(s3, name, {
      DataClassification: 'Public',
      SupportSNSTopic: teamTopic,
      Team: 'team-a',
    });

    const outcome = await invoke(findingEvent(name, null));

    expect(outcome.notice?.topics).toEqual([teamTopic]);
    const [alert] = await drain(teamQueue);
    expect(alert?.bucket?.declaredLevel).toBe('Public');
    // Card numbers need Restricted: three levels above Public.
    expect(alert?.severity).toBe('Critical');
    expect(await drain(criticalOnlyQueue)).toHaveLength(1);
  });

  it('notifies central security of a bucket without any tags (NoSuchTagSet)', async () => {
    const name = `untagged-${RUN}`;
    await createBucket(s3, name);

    const outcome = await invoke(findingEvent(name, {}));

    expect(outcome.notice?.topics).toEqual([centralTopic]);
    const [alert] = await drain(centralQueue);
    expect(alert).toEqual(
      expect.objectContaining({
        kind: 'violation',
        verdict: 'unclassified',
        // Judged as if declared Public: card numbers need Restricted, three levels above.
        severity: 'Critical',
        routing: expect.objectContaining({ fallbackReason: 'TopicTagMissing' }),
      }),
    );
  });

  it('notifies central security, with the reason, when the bucket no longer exists (NoSuchBucket)', async () => {
    const outcome = await invoke(findingEvent(`deleted-since-scan-${RUN}`, {}));

    expect(outcome.notice?.topics).toEqual([centralTopic]);
    const [alert] = await drain(centralQueue);
    expect(alert).toEqual(
      expect.objectContaining({
        verdict: 'unclassified',
        bucket: expect.objectContaining({ tagsUnreadable: 'NoSuchBucket' }),
        routing: expect.objectContaining({ fallbackReason: 'TagsUnreadable' }),
      }),
    );
    expect(await unroutableReasons()).toContain('TagsUnreadable');
  });

  it('notifies the team and central security of an unclassified bucket with a valid topic', async () => {
    const outcome = await invoke(
      findingEvent(`bad-level-${RUN}`, {
        DataClassification: 'Top Secret',
        SupportSNSTopic: teamTopic,
      }),
    );

    expect(outcome.notice?.topics).toEqual([teamTopic, centralTopic]);
    expect((await drain(teamQueue)).map((a) => a.bucket?.classificationTag)).toEqual([
      'Top Secret',
    ]);
    expect((await drain(centralQueue)).map((a) => a.verdict)).toEqual(['unclassified']);
  });

  it.each([
    [
      'a topic that does not exist (so it cannot have opted in)',
      `arn:aws:sns:${REGION}:${ACCOUNT}:no-such-topic-${RUN}`,
      'TopicNotOptedIn',
    ],
    ['a tag that is not a topic ARN', 'team-a@example.com', 'TopicTagMalformed'],
    [
      'a topic in a foreign account',
      `arn:aws:sns:${REGION}:444455556666:elsewhere`,
      'TopicAccountNotAllowed',
    ],
  ])('sends the notice for %s to central security with the reason', async (_, topic, reason) => {
    const outcome = await invoke(
      findingEvent(`misrouted-${reason.toLowerCase()}-${RUN}`, {
        DataClassification: 'Internal',
        SupportSNSTopic: topic,
        Team: 'team-a',
      }),
    );

    expect(outcome.notice?.topics).toEqual([centralTopic]);
    const [alert] = await drain(centralQueue);
    expect(alert?.routing).toEqual(
      expect.objectContaining({ topicArn: centralTopic, fallbackReason: reason }),
    );
    expect(alert?.kind).toBe('violation');
    expect(await unroutableReasons()).toContain(reason);
  });

  describe('a team topic must opt in (AcceptsClassificationAlerts=true)', () => {
    it('sends nothing to a topic without the tag: central security gets the alert, with the reason', async () => {
      const { topicArn, queueUrl } = await topicWithQueue('not-opted-in', 'untagged');

      const outcome = await invoke(
        findingEvent(`not-opted-in-${RUN}`, {
          DataClassification: 'Confidential',
          SupportSNSTopic: topicArn,
          Team: 'payments',
        }),
      );

      expect(outcome.notice?.topics).toEqual([centralTopic]);
      expect(await drain(queueUrl)).toEqual([]);
      const [alert, ...more] = await drain(centralQueue);
      expect(more).toEqual([]);
      expect(alert?.routing).toEqual({
        topicArn: centralTopic,
        fallbackReason: 'TopicNotOptedIn',
        detail: `the team topic ${topicArn} has not opted in to alerts (it needs the tag AcceptsClassificationAlerts=true)`,
      });
      expect(await unroutableReasons()).toContain('TopicNotOptedIn');
    });

    it('delivers to the topic once the team has tagged it', async () => {
      const { topicArn, queueUrl } = await topicWithQueue('opting-in', 'untagged');
      await optIn(sns, topicArn);

      const outcome = await invoke(
        findingEvent(`opted-in-${RUN}`, {
          DataClassification: 'Confidential',
          SupportSNSTopic: topicArn,
        }),
      );

      expect(outcome.notice?.topics).toEqual([topicArn]);
      expect(await drain(queueUrl)).toHaveLength(1);
      expect(await drain(centralQueue)).toEqual([]);
    });
  });

  it('records a compliant finding without a notice', async () => {
    const outcome = await invoke(
      findingEvent(`restricted-${RUN}`, {
        DataClassification: 'Restricted',
        SupportSNSTopic: teamTopic,
      }),
    );

    expect(outcome).toEqual({ outcome: 'recorded', verdict: 'compliant' });
    expect(await drain(teamQueue)).toEqual([]);
    expect(await drain(centralQueue)).toEqual([]);
  });

  it('ignores a policy finding', async () => {
    const event = loadMacieEvent('policy-bucket-public.json');

    const outcome = await invoke(event);

    expect(outcome.outcome).toBe('ignored');
    expect(await drain(centralQueue)).toEqual([]);
  });

  it('alerts on a sample finding, marked as a sample, without metrics', async () => {
    const team = `sample-team-${RUN}`;
    const event = findingEvent(
      `sample-${RUN}`,
      { DataClassification: 'Internal', SupportSNSTopic: teamTopic, Team: team },
      'sample-true.json',
    );

    const outcome = await invoke(event);

    expect(outcome.outcome).toBe('sample');
    const [alert] = await drain(teamQueue);
    expect(alert?.sample).toBe(true);
    const { Metrics = [] } = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: NAMESPACE,
        MetricName: 'ClassificationViolations',
        Dimensions: [{ Name: 'Team', Value: team }],
      }),
    );
    expect(Metrics).toEqual([]);
  });

  it('sends an event that is not a finding to central security as unprocessable, and succeeds', async () => {
    const outcome = await invoke(loadMacieEvent('not-macie.json'));

    expect(outcome.outcome).toBe('unprocessable');
    const [alert] = await drain(centralQueue);
    expect(alert?.kind).toBe('unprocessable');
    expect(alert?.error?.message).toContain('source "aws.guardduty"');
    expect(alert?.error?.event).toEqual(
      expect.objectContaining({ source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding' }),
    );
  });
});

/** What a queue subscriber got: SNS's `Message` as sent (the JSON document), and the envelope. */
async function drainRaw(queueUrl: string): Promise<Array<{ message: string; body: string }>> {
  return drainQueue(sqs, queueUrl, (body) => ({
    body,
    message: (JSON.parse(body) as { Message: string }).Message,
  }));
}

const LOG_GROUP = `/aws/lambda/bucket-classification-validator-it-validateFinding`;

/** Invokes the packaged handler with the event as JSON text; its result and stderr log lines. */
async function invokeWithLogs(eventJson: string) {
  const { result, stderr } = await invokePackagedWithLogs(
    functionDir,
    'handlers/validate-finding.js',
    eventJson,
    {
      ...process.env,
      SECURITY_TOPIC_ARN: centralTopic,
      METRICS_NAMESPACE: NAMESPACE,
      POLICY_FILE: 'policies/default-policy.yaml',
      WAIVERS_FILE: 'policies/waivers.yaml',
      LEDGER_TABLE: LEDGER,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      AWS_LAMBDA_LOG_GROUP_NAME: LOG_GROUP,
    },
  );
  return { outcome: result as { outcome: string }, stderr };
}

/** The raw event logged under `eventId`, joined from its parts in order. */
function loggedEvent(stderr: readonly string[], eventId: string) {
  const lines = stderr
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === 'unprocessable event' && line.eventId === eventId)
    .sort((a, b) => Number(a.part) - Number(b.part));
  return {
    lines,
    text: lines.map((line) => String(line.rawEvent)).join(''),
  };
}

describe('packaged validateFinding: every message fits in one SNS message', () => {
  /** A finding of `bucket` (declared Public) with `custom` custom identifiers and, last, one forbidden type. */
  function manyTypes(bucket: string, custom: number, sample: boolean): string {
    const event = findingEvent(bucket, {
      DataClassification: 'Public',
      SupportSNSTopic: teamTopic,
      Team: 'team-a',
    });
    const detail = event.detail as unknown as {
      sample: boolean;
      classificationDetails: { result: Record<string, unknown> };
    };
    detail.sample = sample;
    detail.classificationDetails.result.customDataIdentifiers = {
      detections: Array.from({ length: custom }, (_, i) => ({
        name: `cdi-${i}-"é\\✓`,
        count: 3,
      })),
      totalCount: custom * 3,
    };
    detail.classificationDetails.result.sensitiveData = [
      { category: 'CREDENTIALS', detections: [{ type: 'AWS_CREDENTIALS', count: 1 }] },
    ];
    const eventJson = JSON.stringify(event);
    // Within EventBridge's 256 KB for one event.
    expect(Buffer.byteLength(eventJson)).toBeLessThan(256 * 1024);
    return eventJson;
  }

  /** The one message a queue received, checked to be within SNS's 262,144 bytes. */
  async function onlyMessage(queueUrl: string): Promise<string> {
    const [delivered, ...more] = await drainRaw(queueUrl);
    expect(more).toEqual([]);
    if (!delivered) throw new Error('no message reached the queue');
    expect(Buffer.byteLength(delivered.message, 'utf8')).toBeLessThanOrEqual(262_144);
    return delivered.message;
  }

  it('alerts on a finding with 4,000 types, most severe first, and says how many more', async () => {
    // A sample finding: alerted on its own, outside the ledger.
    const eventJson = manyTypes(`many-types-${RUN}`, 3999, true);

    const { outcome } = await invokeWithLogs(eventJson);

    expect(outcome).toEqual({ outcome: 'sample', severity: 'Critical', topics: [teamTopic] });
    const alert = JSON.parse(await onlyMessage(teamQueue)) as AlertDocument;
    expect(alert.violations?.[0]).toEqual(
      expect.objectContaining({ type: 'AWS_CREDENTIALS', requiredLevel: 'forbidden', count: 1 }),
    );
    const notListed = alert.violationsNotListed;
    expect(notListed?.types).toBeGreaterThan(0);
    expect((alert.violations?.length ?? 0) + (notListed?.types ?? 0)).toBe(4000);
    expect(notListed?.occurrences).toBe((notListed?.types ?? 0) * 3);
  }, 120_000);

  it('records a finding with 4,000 types in the ledger and sends the team a bounded notice, most severe first', async () => {
    const eventJson = manyTypes(`ledger-many-${RUN}`, 3999, false);

    const { outcome } = await invokeWithLogs(eventJson);

    expect(outcome).toEqual(
      expect.objectContaining({
        outcome: 'recorded',
        notice: { kind: 'violation', topics: [teamTopic] },
      }),
    );
    const notice = JSON.parse(await onlyMessage(teamQueue)) as NoticeDocument;
    expect(notice.severity).toBe('Critical');
    expect(notice.violations[0]?.type).toBe('AWS_CREDENTIALS');
    // The ledger entry keeps what one DynamoDB item holds; the rest is counted, not lost.
    const notListed = notice.violationsNotListed?.types ?? 0;
    expect(notice.typesLeftOut).toBeGreaterThan(0);
    expect(notice.violations.length + notListed + (notice.typesLeftOut ?? 0)).toBe(4000);
  }, 120_000);

  it('reports an unprocessable event of 250 KB of quotes and backslashes, and logs it whole', async () => {
    const event = {
      version: '0',
      id: `quotes-${RUN}`,
      'detail-type': 'Macie Finding',
      source: 'aws.macie',
      account: ACCOUNT,
      region: REGION,
      detail: { junk: '"\\'.repeat(62_000) },
    };
    const eventJson = JSON.stringify(event);
    expect(Buffer.byteLength(eventJson)).toBeGreaterThan(240 * 1024);
    expect(Buffer.byteLength(eventJson)).toBeLessThan(256 * 1024);

    const { outcome, stderr } = await invokeWithLogs(eventJson);

    expect(outcome.outcome).toBe('unprocessable');
    const [delivered] = await drainRaw(centralQueue);
    if (!delivered) throw new Error('no alert reached central security');
    expect(Buffer.byteLength(delivered.message, 'utf8')).toBeLessThanOrEqual(262_144);
    const alert = JSON.parse(delivered.message) as AlertDocument;
    expect(alert.kind).toBe('unprocessable');
    // The excerpt is JSON inside the alert, escaped once: the quotes read back as quotes.
    const junk = (alert.error?.event as { detail?: { junk?: string } } | undefined)?.detail?.junk;
    expect(junk?.startsWith('"\\"\\')).toBe(true);
    const logged = loggedEvent(stderr, `quotes-${RUN}`);
    expect(alert.error?.rawEvent).toEqual({
      logGroup: LOG_GROUP,
      eventId: `quotes-${RUN}`,
      parts: logged.lines.length,
      bytes: Buffer.byteLength(eventJson),
    });
    expect(logged.lines.length).toBeGreaterThan(1);
    // Each log line is one CloudWatch Logs event, at most 262,144 bytes.
    for (const line of logged.lines) {
      expect(Buffer.byteLength(JSON.stringify(line), 'utf8')).toBeLessThan(262_144);
    }
    expect(JSON.parse(logged.text)).toEqual(event);
  }, 120_000);

  it('reports an event nested 5,000 levels deep with its content, not "[object Object]"', async () => {
    const id = `deep-${RUN}`;
    const deep = `${'{"n":'.repeat(5000)}{"leaf":"bottom"}${'}'.repeat(5000)}`;
    const eventJson = `{"version":"0","id":"${id}","detail-type":"Macie Finding","source":"aws.macie","detail":${deep}}`;

    const { outcome, stderr } = await invokeWithLogs(eventJson);

    expect(outcome.outcome).toBe('unprocessable');
    const [delivered] = await drainRaw(centralQueue);
    if (!delivered) throw new Error('no alert reached central security');
    expect(delivered.message).not.toContain('[object Object]');
    const alert = JSON.parse(delivered.message) as AlertDocument;
    expect(alert.error?.event).toEqual(
      expect.objectContaining({ id, source: 'aws.macie', detail: { n: expect.anything() } }),
    );
    expect(alert.error?.truncated).toBe(true);
    expect(alert.error?.rawEvent).toEqual({
      logGroup: LOG_GROUP,
      eventId: id,
      parts: 1,
      bytes: Buffer.byteLength(eventJson),
    });
    expect(loggedEvent(stderr, id).text).toBe(eventJson);
  }, 120_000);
});
