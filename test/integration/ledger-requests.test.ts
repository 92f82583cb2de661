/**
 * What a finding costs in AWS requests, by kind, through the real adapters against
 * moto: every request the SDK clients send is counted by a middleware. The counts
 * are the basis of the ledger's cost in the README; a change that adds a request
 * to the path of every finding fails here.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createFindingTracker } from '../../flows/track-finding';
import { waiversFrom } from '../../flows/waivers';
import { CloudWatchMetricsSink } from '../../lib/cloudwatch-metrics';
import { DynamoDbLedger } from '../../lib/dynamodb-ledger';
import { S3TagSource } from '../../lib/s3-tag-source';
import { SnsAlertPublisher } from '../../lib/sns-alert-publisher';
import { CachedTopicTags, SnsTopicDirectory } from '../../lib/sns-topic-directory';
import { loadPolicy } from '../../policies/load-policy';
import { loadWaivers } from '../../policies/load-waivers';
import { loadMacieEvent, type RawEvent } from '../support/fixtures';
import { createLedgerTable, deleteLedgerTable } from '../support/ledger-table';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic } from '../support/sns-topics';

const RUN = Date.now().toString(36);
const REGION = process.env.AWS_REGION ?? 'us-east-1';
const LEDGER = `ledger-requests-${RUN}`;

/** Every request the clients sent, as `Service.Operation`, since the last `take()`. */
const sent: string[] = [];
/** Any SDK v3 client: its middleware stack takes the counting step. */
type WithMiddleware = { middlewareStack: { add(...args: never[]): unknown } };
function counted<T extends WithMiddleware>(client: T, service: string): T {
  (client.middlewareStack.add as (...args: unknown[]) => unknown)(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        sent.push(`${service}.${(context.commandName ?? '').replace(/Command$/, '')}`);
        return next(args);
      },
    { step: 'initialize', name: 'countRequests' },
  );
  return client;
}
function take(): string[] {
  return sent.splice(0, sent.length);
}

const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});
const s3 = new S3Client({});
let topicArn: string;
let track: ReturnType<typeof createFindingTracker>;
/** Another container: its own clients and its own memory of the ledger. */
let otherContainer: ReturnType<typeof createFindingTracker>;

beforeAll(async () => {
  await createLedgerTable(dynamodb, LEDGER);
  topicArn = await createTeamTopic(sns, `requests-${RUN}`);
  const central = await createTopic(sns, `requests-central-${RUN}`);
  track = container(central);
  otherContainer = container(central);
}, 120_000);

/** The finding tracker as a container of validateFinding builds it, with its requests counted. */
function container(central: string): ReturnType<typeof createFindingTracker> {
  return createFindingTracker({
    settings: {
      securityTopicArn: central,
      metricsNamespace: `DataClassification/requests-${RUN}`,
      tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
      allowedTopicAccounts: [],
      policyFile: undefined,
      waiversFile: undefined,
      ledgerTable: LEDGER,
      reminderAfterMs: 24 * 3_600_000,
      topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
      centralAccountId: ACCOUNT,
      organization: undefined,
    },
    policy: loadPolicy(),
    waivers: waiversFrom(loadWaivers()),
    ledger: new DynamoDbLedger(LEDGER, counted(new DynamoDBClient({}), 'DynamoDB')),
    publisher: new SnsAlertPublisher(() => counted(new SNSClient({ region: REGION }), 'SNS')),
    topicTags: new CachedTopicTags(
      new SnsTopicDirectory(() => counted(new SNSClient({ region: REGION }), 'SNS')),
    ),
    metrics: new CloudWatchMetricsSink(
      `DataClassification/requests-${RUN}`,
      counted(new CloudWatchClient({}), 'CloudWatch'),
    ),
    tags: new S3TagSource(counted(new S3Client({}), 'S3')),
    logger: new Logger({ logLevel: 'SILENT' }),
  });
}

afterAll(async () => {
  await deleteLedgerTable(dynamodb, LEDGER);
});

/** A card-number finding (Restricted) of one object in a bucket of this run. */
function finding(bucket: string, id: string, tags: Record<string, string> | null): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  detail.id = id;
  detail.accountId = ACCOUNT;
  detail.region = REGION;
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = bucket;
  s3Bucket.tags = tags && Object.entries(tags).map(([key, value]) => ({ key, value }));
  (detail.resourcesAffected as unknown as { s3Object: { key: string } }).s3Object.key =
    `exports/2025/05/${id}-customer-payments.csv`;
  return event;
}

describe('AWS requests per finding', () => {
  const bucket = `requests-${RUN}`;
  const tags = () => ({
    DataClassification: 'Confidential',
    SupportSNSTopic: topicArn,
    Team: 'payments',
  });

  it('a first violation: write the entry (new to the container) with the marker, read the topic tags, publish, mark it sent, count it', async () => {
    take();
    await track(finding(bucket, `${bucket}-1`, tags()));

    expect(take()).toEqual([
      'DynamoDB.TransactWriteItems',
      'SNS.ListTagsForResource',
      'SNS.Publish',
      'DynamoDB.UpdateItem',
      'CloudWatch.PutMetricData',
    ]);
  }, 60_000);

  it('a repeat violation: write (from the entry as the container last saw it), count', async () => {
    take();
    await track(finding(bucket, `${bucket}-2`, tags()));

    expect(take()).toEqual(['DynamoDB.TransactWriteItems', 'CloudWatch.PutMetricData']);
  }, 60_000);

  it('a compliant finding: write', async () => {
    take();
    await track(
      finding(`requests-compliant-${RUN}`, `${bucket}-c`, {
        ...tags(),
        DataClassification: 'Restricted',
      }),
    );

    expect(take()).toEqual(['DynamoDB.TransactWriteItems']);
  }, 60_000);

  it('the same finding again: a refused write, the marker', async () => {
    take();
    await track(finding(bucket, `${bucket}-2`, tags()));

    expect(take()).toEqual(['DynamoDB.TransactWriteItems', 'DynamoDB.GetItem']);
  }, 60_000);

  it('a finding of a bucket another container changed: a refused write brings the entry back, written again without a read', async () => {
    await otherContainer(finding(bucket, `${bucket}-other-1`, tags()));
    take();

    await track(finding(bucket, `${bucket}-after-other`, tags()));

    expect(take()).toEqual([
      'DynamoDB.TransactWriteItems',
      'DynamoDB.TransactWriteItems',
      'CloudWatch.PutMetricData',
    ]);
    const { Item } = await DynamoDBDocumentClient.from(dynamodb).send(
      new GetCommand({ TableName: LEDGER, Key: { pk: `BUCKET#${ACCOUNT}#${bucket}` } }),
    );
    // The first finding, the repeat, the other container's and this one.
    expect(Item?.state.findings).toBe(4);
  }, 60_000);

  it('a finding without tags reads them from S3 once, then from the cache', async () => {
    const untagged = `requests-untagged-${RUN}`;
    await createBucket(s3, untagged, tags());
    take();

    await track(finding(untagged, `${untagged}-1`, null));
    const first = take();
    await track(finding(untagged, `${untagged}-2`, null));
    const second = take();

    expect(first.filter((request) => request.startsWith('S3.'))).toEqual(['S3.GetBucketTagging']);
    expect(second.filter((request) => request.startsWith('S3.'))).toEqual([]);
  }, 60_000);

  it('reads a team topic’s tags once per container: the next notice to it only publishes', async () => {
    const other = `requests-second-${RUN}`;
    take();

    await track(finding(other, `${other}-1`, tags()));

    expect(take().filter((request) => request.startsWith('SNS.'))).toEqual(['SNS.Publish']);
  }, 60_000);

  it('keeps a busy bucket entry small: two types, five example objects each, under 3 KB', async () => {
    for (let i = 3; i < 40; i++) await track(finding(bucket, `${bucket}-${i}`, tags()));

    const { Item } = await DynamoDBDocumentClient.from(dynamodb).send(
      new GetCommand({ TableName: LEDGER, Key: { pk: `BUCKET#${ACCOUNT}#${bucket}` } }),
    );
    const bytes = Buffer.byteLength(JSON.stringify(Item));
    // 37 here, the first two, and the two of the test above.
    expect(Item?.state.findings).toBe(41);
    expect(bytes).toBeLessThan(3072);
  }, 120_000);
});
