/**
 * The notice lifecycle end to end: the packaged validateFinding and
 * trackBucketChanges functions (the zips `serverless package` writes), run in their
 * own processes against moto's DynamoDB, SNS, SQS, S3 and CloudWatch. Each test
 * has its own bucket and its own team topic with a queue subscribed, so "one
 * notice" means one message in that queue.
 */
import * as path from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NoticeDocument } from '../../rules/notice';
import type { TagsNoticeDocument } from '../../rules/tags-notice';
import { bucketChangeEvent, complianceChangeEvent } from '../support/config-events';
import { loadMacieEvent, type RawEvent } from '../support/fixtures';
import { createLedgerTable, deleteLedgerTable } from '../support/ledger-table';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import {
  invokePackaged,
  invokePackagedWarm,
  type PackagedStack,
  packageStack,
} from '../support/package-stack';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic } from '../support/sns-topics';
import { drainQueue, subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = Date.now().toString(36);
const NAMESPACE = `DataClassification/lifecycle-${RUN}`;
const LEDGER = `ledger-lifecycle-${RUN}`;
const RULE_NAME = `bucket-tags-${RUN}`;
const HOUR = 3_600_000;

const sns = new SNSClient({});
const sqs = new SQSClient({});
const s3 = new S3Client({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(dynamodb);

let stack: PackagedStack;
let findingRoot: string;
let changeRoot: string;
let central: Inbox;

/** A topic with a queue subscribed: what a team (or central security) receives. */
interface Inbox {
  readonly topicArn: string;
  readonly queueUrl: string;
}

interface Delivered {
  readonly kind: string;
  readonly document: NoticeDocument & Partial<Omit<TagsNoticeDocument, 'schema' | 'kind'>>;
}

/** A team's inbox: its topic has opted in to notices; central security's need not. */
async function inbox(name: string, role: 'team' | 'central' = 'team'): Promise<Inbox> {
  const topicArn =
    role === 'team'
      ? await createTeamTopic(sns, `${name}-${RUN}`)
      : await createTopic(sns, `${name}-${RUN}`);
  const queue = await subscribedQueue({ sns, sqs }, topicArn, `${name}-${RUN}`);
  return { topicArn, queueUrl: queue.url };
}

/** Every notice waiting in an inbox, with its `kind` message attribute. */
async function received(box: Inbox): Promise<Delivered[]> {
  return drainQueue(sqs, box.queueUrl, (body) => {
    const envelope = JSON.parse(body) as {
      Message: string;
      MessageAttributes?: Record<string, { Value: string }>;
    };
    return {
      kind: envelope.MessageAttributes?.kind?.Value ?? '',
      document: JSON.parse(envelope.Message) as Delivered['document'],
    };
  });
}

function settings(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SECURITY_TOPIC_ARN: central.topicArn,
    METRICS_NAMESPACE: NAMESPACE,
    POLICY_FILE: 'policies/default-policy.yaml',
    WAIVERS_FILE: 'policies/waivers.yaml',
    LEDGER_TABLE: LEDGER,
    CONFIG_RULE_NAME: RULE_NAME,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...extra,
  };
}

type Outcome = { outcome: string; [key: string]: unknown };

const track = (event: unknown, extra?: NodeJS.ProcessEnv) =>
  invokePackaged(
    findingRoot,
    'handlers/validate-finding.js',
    event,
    settings(extra),
  ) as Promise<Outcome>;

const change = (event: unknown) =>
  invokePackaged(
    changeRoot,
    'handlers/track-bucket-changes.js',
    event,
    settings(),
  ) as Promise<Outcome>;

/** A finding of `sensitive-financial.json` (card numbers: Restricted) in a bucket of this run. */
function finding(
  bucket: string,
  id: string,
  tags: Record<string, string> | null,
  objectKey = `exports/${id}.csv`,
): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  event.account = ACCOUNT;
  event.region = REGION;
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  detail.id = id;
  detail.accountId = ACCOUNT;
  detail.region = REGION;
  detail.createdAt = new Date().toISOString();
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = bucket;
  s3Bucket.arn = `arn:aws:s3:::${bucket}`;
  s3Bucket.tags = tags && Object.entries(tags).map(([key, value]) => ({ key, value }));
  (detail.resourcesAffected as unknown as { s3Object: { key: string } }).s3Object.key = objectKey;
  return event;
}

/** The same bucket, with AWS credentials found in one more object. */
function credentialsFinding(bucket: string, id: string, tags: Record<string, string>): RawEvent {
  const event = finding(bucket, id, tags, `keys/${id}.txt`);
  const detail = event.detail as unknown as {
    classificationDetails: { result: { sensitiveData: unknown[] } };
  };
  detail.classificationDetails.result.sensitiveData = [
    { category: 'CREDENTIALS', detections: [{ type: 'AWS_CREDENTIALS', count: 1 }], totalCount: 1 },
  ];
  return event;
}

async function metricSum(name: string, dimensions: Record<string, string>): Promise<number> {
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - HOUR),
      EndTime: new Date(Date.now() + HOUR),
      MetricDataQueries: [
        {
          Id: 'sum',
          MetricStat: {
            Metric: {
              Namespace: NAMESPACE,
              MetricName: name,
              Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  return (MetricDataResults[0]?.Values ?? []).reduce((sum, value) => sum + value, 0);
}

async function ledgerEntry(bucket: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: LEDGER,
      Key: { pk: `BUCKET#${ACCOUNT}#${bucket}` },
      ConsistentRead: true,
    }),
  );
  return Item?.state as Record<string, unknown> | undefined;
}

/**
 * Waivers for this run's buckets, packaged as the stack's waivers file: a function
 * judges with the files packaging checked and packed (the shipped ones too).
 */
const WAIVERS_FILE = 'policies/waivers-it.yaml';
const WAIVERS = [
  'waivers:',
  `  - bucket: waived-${RUN}`,
  '    types: [CREDIT_CARD_NUMBER]',
  '    reason: Card numbers are tokenised by the end of the quarter',
  '    ticket: SEC-1042',
  '    approver: ciso@example.com',
  '    expires: "2999-12-31"',
  `  - bucket: lapsed-${RUN}`,
  '    types: [CREDIT_CARD_NUMBER]',
  '    reason: Migration window',
  '    ticket: SEC-0999',
  '    approver: ciso@example.com',
  '    expires: "2020-01-31"',
  '',
].join('\n');

beforeAll(async () => {
  stack = packageStack('it', {
    files: { [WAIVERS_FILE]: WAIVERS },
    params: { waiversFile: WAIVERS_FILE },
  });
  findingRoot = path.join(stack.work.path, 'finding');
  changeRoot = path.join(stack.work.path, 'change');
  stack.extract('validateFinding', findingRoot);
  stack.extract('trackBucketChanges', changeRoot);
  await createLedgerTable(dynamodb, LEDGER);
  central = await inbox('lifecycle-central', 'central');
}, 240_000);

afterAll(async () => {
  stack?.remove();
  await deleteLedgerTable(dynamodb, LEDGER);
});

afterEach(async () => {
  await received(central);
});

describe('the notice lifecycle against moto', () => {
  it('sends one notice for 500 findings of one bucket, and counts all 500', async () => {
    const team = await inbox('flood');
    const bucket = `flood-${RUN}`;
    const tags = {
      DataClassification: 'Confidential',
      SupportSNSTopic: team.topicArn,
      Team: `flood-${RUN}`,
    };
    const events = Array.from({ length: 500 }, (_, i) => finding(bucket, `${bucket}-${i}`, tags));

    const outcomes = (await invokePackagedWarm(
      findingRoot,
      'handlers/validate-finding.js',
      events,
      settings(),
    )) as Outcome[];

    expect(outcomes.filter((o) => o.outcome !== 'recorded')).toEqual([]);
    const notices = await received(team);
    expect(notices.map((n) => n.kind)).toEqual(['violation']);
    expect(
      await metricSum('ClassificationViolations', { Team: `flood-${RUN}`, Severity: 'Medium' }),
    ).toBe(500);
    const state = await ledgerEntry(bucket);
    expect(state).toEqual(
      expect.objectContaining({
        findings: 500,
        types: expect.objectContaining({
          CREDIT_CARD_NUMBER: expect.objectContaining({ count: 2000, findings: 500 }),
        }),
      }),
    );
  }, 600_000);

  it('sends one notice when the same finding is delivered twice', async () => {
    const team = await inbox('twice');
    const bucket = `twice-${RUN}`;
    const event = finding(bucket, `${bucket}-1`, {
      DataClassification: 'Internal',
      SupportSNSTopic: team.topicArn,
    });

    await track(event);
    const again = await track(event);

    expect(again).toEqual({ outcome: 'duplicate', redelivered: false, metricsRecorded: false });
    expect((await received(team)).map((n) => n.kind)).toEqual(['violation']);
  }, 120_000);

  it('sends one notice when eight invocations for one bucket run at once', async () => {
    const team = await inbox('race');
    const bucket = `race-${RUN}`;
    const tags = { DataClassification: 'Internal', SupportSNSTopic: team.topicArn };

    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => track(finding(bucket, `${bucket}-${i}`, tags))),
    );

    expect(
      outcomes.map((o) => o.outcome).filter((o) => o !== 'recorded' && o !== 'duplicate'),
    ).toEqual([]);
    expect((await received(team)).map((n) => n.kind)).toEqual(['violation']);
    expect(await ledgerEntry(bucket)).toEqual(expect.objectContaining({ findings: 8 }));
  }, 180_000);

  it('escalates when a type not named before is found, and says what changed', async () => {
    const team = await inbox('escalate');
    const bucket = `escalate-${RUN}`;
    const tags = { DataClassification: 'Confidential', SupportSNSTopic: team.topicArn };

    await track(finding(bucket, `${bucket}-1`, tags));
    await track(finding(bucket, `${bucket}-2`, tags));
    await track(credentialsFinding(bucket, `${bucket}-3`, tags));

    const notices = await received(team);
    expect(notices.map((n) => [n.kind, n.document.severity])).toEqual([
      ['violation', 'Medium'],
      ['escalation', 'Critical'],
    ]);
    expect(notices[1]?.document.changes).toContain('newly found: AWS_CREDENTIALS');
  }, 120_000);

  it('reminds after the quiet period, with the findings that arrived since', async () => {
    const team = await inbox('remind');
    const bucket = `remind-${RUN}`;
    const tags = { DataClassification: 'Confidential', SupportSNSTopic: team.topicArn };
    await track(finding(bucket, `${bucket}-1`, tags));
    await track(finding(bucket, `${bucket}-2`, tags));
    // A day passes: the ledger's last notice is now 25 hours old.
    await documents.send(
      new UpdateCommand({
        TableName: LEDGER,
        Key: { pk: `BUCKET#${ACCOUNT}#${bucket}` },
        UpdateExpression: 'SET #state.lastNotice.#at = :at',
        ExpressionAttributeNames: { '#state': 'state', '#at': 'at' },
        ExpressionAttributeValues: { ':at': new Date(Date.now() - 25 * HOUR).toISOString() },
      }),
    );

    await track(finding(bucket, `${bucket}-3`, tags));

    const notices = await received(team);
    expect(notices.map((n) => n.kind)).toEqual(['violation', 'reminder']);
    expect(notices[1]?.document.findings).toEqual(
      expect.objectContaining({ total: 3, sinceLastNotice: 2 }),
    );
  }, 120_000);

  it('does not send the notice again when the metrics failed after it and the invocation is retried', async () => {
    const team = await inbox('metrics-fail');
    const bucket = `metrics-fail-${RUN}`;
    const event = finding(bucket, `${bucket}-1`, {
      DataClassification: 'Internal',
      SupportSNSTopic: team.topicArn,
      Team: `metrics-fail-${RUN}`,
    });

    // CloudWatch cannot be reached: the notice goes out, then the invocation fails.
    await expect(
      track(event, { AWS_ENDPOINT_URL_CLOUDWATCH: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' }),
    ).rejects.toThrow();
    const retry = await track(event);

    expect(retry).toEqual({ outcome: 'duplicate', redelivered: false, metricsRecorded: true });
    expect((await received(team)).map((n) => n.kind)).toEqual(['violation']);
    expect(
      await metricSum('ClassificationViolations', {
        Team: `metrics-fail-${RUN}`,
        Severity: 'High',
      }),
    ).toBe(1);
  }, 180_000);

  describe('waivers', () => {
    const waiversFile = WAIVERS_FILE;

    it('sends no notice for a waived violation and counts it as waived', async () => {
      const team = await inbox('waived');
      const bucket = `waived-${RUN}`;

      const outcome = await track(
        finding(bucket, `${bucket}-1`, {
          DataClassification: 'Confidential',
          SupportSNSTopic: team.topicArn,
          Team: `waived-${RUN}`,
        }),
        { WAIVERS_FILE: waiversFile },
      );

      expect(outcome).toEqual({ outcome: 'recorded', verdict: 'waived' });
      expect(await received(team)).toEqual([]);
      expect(await metricSum('WaivedViolations', { Team: `waived-${RUN}` })).toBe(1);
    }, 120_000);

    it('notifies, naming the expired waiver, once the waiver has expired', async () => {
      const team = await inbox('lapsed');
      const bucket = `lapsed-${RUN}`;

      await track(
        finding(bucket, `${bucket}-1`, {
          DataClassification: 'Confidential',
          SupportSNSTopic: team.topicArn,
        }),
        { WAIVERS_FILE: waiversFile },
      );

      const notices = await received(team);
      expect(notices.map((n) => n.kind)).toEqual(['violation']);
      expect(notices[0]?.document.waiverExpired).toEqual([
        expect.objectContaining({ type: 'CREDIT_CARD_NUMBER', ticket: 'SEC-0999' }),
      ]);
    }, 120_000);
  });

  describe('the downgrade guard', () => {
    it('notifies within one invocation when the level is lowered below what the bucket holds', async () => {
      const team = await inbox('downgrade');
      const bucket = `downgrade-${RUN}`;
      const restricted = { DataClassification: 'Restricted', SupportSNSTopic: team.topicArn };
      await track(finding(bucket, `${bucket}-1`, restricted));
      expect(await received(team)).toEqual([]);

      const outcome = await change(
        bucketChangeEvent({
          bucket,
          accountId: ACCOUNT,
          region: REGION,
          tags: { ...restricted, DataClassification: 'Public' },
          captureTime: new Date(),
        }),
      );

      expect(outcome).toEqual(
        expect.objectContaining({
          outcome: 'declaration',
          notice: { kind: 'violation', topics: [team.topicArn] },
        }),
      );
      const [notice, ...more] = await received(team);
      expect(more).toEqual([]);
      expect(notice?.document).toEqual(
        expect.objectContaining({
          severity: 'Critical',
          changes: ['DataClassification changed from "Restricted" to "Public"'],
          declaration: expect.objectContaining({ source: 'tag-change' }),
        }),
      );
    }, 120_000);

    it('resolves once when the level is raised to what the bucket holds', async () => {
      const team = await inbox('raise');
      const bucket = `raise-${RUN}`;
      const tags = { DataClassification: 'Confidential', SupportSNSTopic: team.topicArn };
      await track(finding(bucket, `${bucket}-1`, tags));
      const raised = bucketChangeEvent({
        bucket,
        accountId: ACCOUNT,
        region: REGION,
        tags: { ...tags, DataClassification: 'Restricted' },
        captureTime: new Date(),
      });

      await change(raised);
      await change(raised);
      // Judged by the new declaration, a later finding with Macie's old snapshot is compliant.
      const later = await track(finding(bucket, `${bucket}-2`, tags));

      expect((await received(team)).map((n) => n.kind)).toEqual(['violation', 'resolved']);
      expect(later).toEqual({ outcome: 'recorded', verdict: 'compliant' });
    }, 120_000);
  });

  describe('tag notices', () => {
    it('tells the team once when the tag rule turns its bucket NON_COMPLIANT, and central security too', async () => {
      const team = await inbox('tags');
      const bucket = `tags-${RUN}`;
      await createBucket(s3, bucket, {
        DataClassification: 'Top Secret',
        SupportSNSTopic: team.topicArn,
      });
      const turned = complianceChangeEvent({
        ruleName: RULE_NAME,
        bucket,
        accountId: ACCOUNT,
        region: REGION,
        compliance: 'NON_COMPLIANT',
        previous: 'COMPLIANT',
        annotation:
          'DataClassification "Top Secret" is not a level (Public, Internal, Confidential, Restricted).',
        recordedAt: new Date(),
      });

      await change(turned);
      await change(turned);

      const notices = await received(team);
      expect(notices.map((n) => [n.kind, n.document.compliance])).toEqual([
        ['tags', 'NON_COMPLIANT'],
      ]);
      expect(notices[0]?.document.annotation).toContain('"Top Secret" is not a level');
      expect((await received(central)).map((n) => n.kind)).toEqual(['tags']);
    }, 120_000);

    it('tells the team when the bucket is COMPLIANT again, and not of a periodic result that did not change', async () => {
      const team = await inbox('tags-fixed');
      const bucket = `tags-fixed-${RUN}`;
      await createBucket(s3, bucket, {
        DataClassification: 'Internal',
        SupportSNSTopic: team.topicArn,
      });
      const result = (compliance: 'COMPLIANT' | 'NON_COMPLIANT', minutesAgo: number) =>
        complianceChangeEvent({
          ruleName: RULE_NAME,
          bucket,
          accountId: ACCOUNT,
          region: REGION,
          compliance,
          annotation:
            compliance === 'COMPLIANT' ? 'Declares Internal.' : 'SupportSNSTopic is missing.',
          recordedAt: new Date(Date.now() - minutesAgo * 60_000),
        });

      await change(result('NON_COMPLIANT', 30));
      await change(result('COMPLIANT', 20));
      await change(result('COMPLIANT', 10));

      expect((await received(team)).map((n) => n.document.compliance)).toEqual([
        'NON_COMPLIANT',
        'COMPLIANT',
      ]);
    }, 120_000);
  });
});
