/**
 * Smoke test of the moto harness and of the AWS behaviour the project relies on.
 *
 * The clients are built with no options, as production code builds them: they must reach
 * moto through AWS_ENDPOINT_URL, AWS_REGION and the dummy credentials that
 * integration-global-setup.ts exports. Names are unique per run because every test file
 * shares one moto server.
 */
import { randomUUID } from 'node:crypto';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateBucketCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createQueue, type Queue } from '../support/sqs-inbox';

const runId = randomUUID().slice(0, 8);

const s3 = new S3Client({});
const sns = new SNSClient({});
const sqs = new SQSClient({});
const cloudWatch = new CloudWatchClient({});

afterAll(() => {
  for (const client of [s3, sns, sqs, cloudWatch]) {
    client.destroy();
  }
});

test('the environment points the SDK at a local moto server', () => {
  // Guards every later test: without this, a missing variable would send requests to AWS.
  expect(process.env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(process.env.AWS_REGION).toBe('us-east-1');
  expect(process.env.AWS_ACCESS_KEY_ID).toBe('testing');
});

describe('S3 bucket tagging', () => {
  test('PutBucketTagging then GetBucketTagging returns the same tags', async () => {
    const bucket = `smoke-tagged-${runId}`;
    const tagSet = [
      { Key: 'data-classification', Value: 'confidential' },
      { Key: 'owner-team', Value: 'payments' },
    ];
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: tagSet } }));

    const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }));

    const byKey = (a: { Key?: string }, b: { Key?: string }) =>
      (a.Key ?? '').localeCompare(b.Key ?? '');
    expect([...(TagSet ?? [])].sort(byKey)).toEqual(tagSet);
  });

  test('GetBucketTagging on an untagged bucket fails with NoSuchTagSet', async () => {
    const bucket = `smoke-untagged-${runId}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    await expect(s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).rejects.toMatchObject({
      name: 'NoSuchTagSet',
    });
  });
});

/*
 * What moto 5.2.5 delivers from SNS to an SQS subscriber (checked against this suite):
 * - Without RawMessageDelivery the SQS body is the SNS envelope, a JSON object with
 *   Type 'Notification', MessageId, TopicArn, Message, Timestamp, SignatureVersion,
 *   Signature, SigningCertURL, UnsubscribeURL, and the publish's message attributes as
 *   MessageAttributes { name: { Type, Value } }. For MessageStructure 'json' publishes,
 *   Message is the text under the 'sqs' key (falling back to 'default'), as in AWS.
 * - With RawMessageDelivery 'true' the body is that text alone and the message attributes
 *   arrive as SQS message attributes.
 * - A FilterPolicy on a message attribute (here `severity`) is applied: non-matching
 *   publishes are not delivered to that subscription.
 * - Publish to a topic that does not exist fails with NotFoundException (code NotFound,
 *   HTTP 404); moto's message is 'Endpoint does not exist', AWS says 'Topic does not exist'.
 */
describe('SNS to SQS delivery', () => {
  /** Reads until `count` messages arrived or a receive comes back empty. */
  async function receive(queueUrl: string, count: number): Promise<Message[]> {
    const messages: Message[] = [];
    while (messages.length < count) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      messages.push(...Messages);
    }
    return messages;
  }

  const severity = (value: string) => ({ severity: { DataType: 'String', StringValue: value } });

  let topicArn: string;
  let envelopeQueue: Queue;
  let rawQueue: Queue;
  let highOnlyQueue: Queue;

  beforeAll(async () => {
    const topic = await sns.send(new CreateTopicCommand({ Name: `smoke-findings-${runId}` }));
    if (!topic.TopicArn) throw new Error('CreateTopic returned no TopicArn');
    topicArn = topic.TopicArn;
    envelopeQueue = await createQueue(sqs, `smoke-envelope-${runId}`);
    rawQueue = await createQueue(sqs, `smoke-raw-${runId}`);
    highOnlyQueue = await createQueue(sqs, `smoke-high-only-${runId}`);

    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: envelopeQueue.arn }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: rawQueue.arn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: highOnlyQueue.arn,
        Attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify({ severity: ['high'] }),
        },
      }),
    );

    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'default text', sqs: 'low finding' }),
        MessageAttributes: severity('low'),
      }),
    );
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'high finding',
        MessageAttributes: severity('high'),
      }),
    );
  });

  test('a subscriber without raw delivery gets the SNS envelope', async () => {
    const messages = await receive(envelopeQueue.url, 2);

    const envelopes = messages.map((m) => JSON.parse(m.Body ?? '') as Record<string, unknown>);
    expect(envelopes).toHaveLength(2);
    expect(envelopes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Type: 'Notification',
          TopicArn: topicArn,
          Message: 'low finding',
          MessageAttributes: { severity: { Type: 'String', Value: 'low' } },
        }),
        expect.objectContaining({
          Type: 'Notification',
          TopicArn: topicArn,
          Message: 'high finding',
          MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
        }),
      ]),
    );
  });

  test('a raw-delivery subscriber gets the sqs text and SQS message attributes', async () => {
    const messages = await receive(rawQueue.url, 2);

    expect(
      messages.map((m) => [m.Body, m.MessageAttributes?.severity?.StringValue]).sort(),
    ).toEqual([
      ['high finding', 'high'],
      ['low finding', 'low'],
    ]);
  });

  test('a filter policy on severity lets only matching messages through', async () => {
    const messages = await receive(highOnlyQueue.url, 2);

    expect(messages.map((m) => m.Body)).toEqual(['high finding']);
  });

  test('publishing to a missing topic fails with NotFoundException', async () => {
    const missingTopicArn = topicArn.replace(/[^:]+$/, `smoke-missing-${runId}`);

    await expect(
      sns.send(new PublishCommand({ TopicArn: missingTopicArn, Message: 'lost' })),
    ).rejects.toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
  });
});

describe('CloudWatch metrics', () => {
  test('PutMetricData with two dimensions is read back by GetMetricData and ListMetrics', async () => {
    const namespace = `Smoke/${runId}`;
    const dimensions = [
      { Name: 'Bucket', Value: 'smoke-bucket' },
      { Name: 'Classification', Value: 'confidential' },
    ];
    const now = new Date();
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [
          {
            MetricName: 'DisallowedFindings',
            Dimensions: dimensions,
            Value: 3,
            Unit: 'Count',
            Timestamp: now,
          },
        ],
      }),
    );

    const { MetricDataResults } = await cloudWatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(now.getTime() - 5 * 60_000),
        EndTime: new Date(now.getTime() + 5 * 60_000),
        MetricDataQueries: [
          {
            Id: 'disallowed',
            MetricStat: {
              Metric: {
                Namespace: namespace,
                MetricName: 'DisallowedFindings',
                Dimensions: dimensions,
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    expect(MetricDataResults).toEqual([
      expect.objectContaining({ Id: 'disallowed', StatusCode: 'Complete', Values: [3] }),
    ]);

    const { Metrics } = await cloudWatch.send(new ListMetricsCommand({ Namespace: namespace }));
    expect(Metrics).toEqual([
      { Namespace: namespace, MetricName: 'DisallowedFindings', Dimensions: dimensions },
    ]);
  });
});
