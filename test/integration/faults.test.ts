/**
 * Faults moto cannot produce, met by the packaged validateFinding function's real
 * SDK clients: a proxy in front of moto answers chosen requests with throttling,
 * server faults, refusals and lost races, and passes the rest on.
 *
 * Each fault must end in a notice, a retry or a clear error: never in silence.
 * "Lambda retries" below is the test invoking the same event again, as Lambda's
 * asynchronous invocation does after the handler throws.
 */
import * as path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { NoticeDocument } from '../../rules/notice';
import {
  type FaultProxy,
  type FaultRule,
  jsonError,
  queryError,
  s3Error,
  startFaultProxy,
} from '../support/fault-proxy';
import { loadMacieEvent, type RawEvent } from '../support/fixtures';
import { createLedgerTable, deleteLedgerTable } from '../support/ledger-table';
import { violationCount } from '../support/metrics';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import { invokePackaged, type PackagedStack, packageStack } from '../support/package-stack';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic } from '../support/sns-topics';
import { drainQueue, snsMessage, subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = Date.now().toString(36);
const NAMESPACE = `DataClassification/faults-${RUN}`;
const LEDGER = `ledger-faults-${RUN}`;

const sns = new SNSClient({});
const sqs = new SQSClient({});
const cloudwatch = new CloudWatchClient({});
const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});

interface Inbox {
  readonly topicArn: string;
  readonly queueUrl: string;
}

let stack: PackagedStack;
let functionDir: string;
let proxy: FaultProxy;
let central: Inbox;
let team: Inbox;
let bucketCount = 0;

/** A topic with a queue subscribed; a team's topic opts in to notices, central's needs not. */
async function inbox(name: string, team = true): Promise<Inbox> {
  const topicArn = await (team ? createTeamTopic : createTopic)(sns, `${name}-${RUN}`);
  const queue = await subscribedQueue({ sns, sqs }, topicArn, `${name}-${RUN}`);
  return { topicArn, queueUrl: queue.url };
}

/** The notices waiting in an inbox, taken from it. */
async function notices(box: Inbox): Promise<NoticeDocument[]> {
  return drainQueue(sqs, box.queueUrl, (body) => snsMessage(body) as NoticeDocument);
}

/** A bucket name no other test uses. */
function newBucket(): string {
  bucketCount += 1;
  return `faults-${RUN}-${bucketCount}`;
}

/** A violating finding (card data in a Public bucket) for `bucket`, with its tags or none. */
function finding(bucket: string, id: string, withTags = true): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  event.account = ACCOUNT;
  event.region = REGION;
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  detail.accountId = ACCOUNT;
  detail.region = REGION;
  detail.id = id;
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = bucket;
  s3Bucket.arn = `arn:aws:s3:::${bucket}`;
  s3Bucket.tags = withTags
    ? [
        { key: 'DataClassification', value: 'Public' },
        { key: 'SupportSNSTopic', value: team.topicArn },
        { key: 'Team', value: 'faults' },
      ]
    : null;
  return event;
}

interface Outcome {
  readonly outcome: string;
  readonly redelivered?: boolean;
  readonly metricsRecorded?: boolean;
  readonly notice?: { readonly kind: string; readonly topics: readonly string[] };
}

/** One invocation of the packaged function, its AWS calls going through the proxy. */
async function invoke(event: RawEvent): Promise<Outcome> {
  return (await invokePackaged(functionDir, 'handlers/validate-finding.js', event, {
    ...process.env,
    AWS_ENDPOINT_URL: proxy.endpoint,
    SECURITY_TOPIC_ARN: central.topicArn,
    METRICS_NAMESPACE: NAMESPACE,
    POLICY_FILE: 'policies/default-policy.yaml',
    WAIVERS_FILE: 'policies/waivers.yaml',
    LEDGER_TABLE: LEDGER,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  })) as Outcome;
}

/** Publishes to the team's topic only. */
function isTeamPublish(request: { operation: string; body: string }): boolean {
  return (
    request.operation === 'Publish' &&
    new URLSearchParams(request.body).get('TopicArn') === team.topicArn
  );
}

/** The first `times` requests `matches` accepts get `answer`; the rest pass. */
function failing(
  matches: (request: Parameters<FaultRule>[0]) => boolean,
  answer: ReturnType<typeof queryError>,
  times = Number.POSITIVE_INFINITY,
): FaultRule {
  let left = times;
  return (request) => {
    if (!matches(request) || left <= 0) return undefined;
    left -= 1;
    return answer;
  };
}

function count(operation: string): number {
  return proxy.seen.filter((seen) => seen.endsWith(`:${operation}`)).length;
}

beforeAll(async () => {
  stack = packageStack('faults');
  functionDir = path.join(stack.work.path, 'task');
  stack.extract('validateFinding', functionDir);
  await createLedgerTable(dynamodb, LEDGER);
  proxy = await startFaultProxy(process.env.AWS_ENDPOINT_URL ?? '');
  central = await inbox('faults-central', false);
  team = await inbox('faults-team');
}, 300_000);

afterAll(async () => {
  await proxy?.stop();
  stack?.remove();
  await deleteLedgerTable(dynamodb, LEDGER);
});

beforeEach(() => proxy.reset());

afterEach(async () => {
  // Metrics are counted per test from zero: each test has its own namespace suffix.
  await Promise.all([notices(central), notices(team)]);
});

describe('validateFinding meets faults', () => {
  it('retries a throttled publish in the SDK and delivers the notice once', async () => {
    proxy.use(failing(isTeamPublish, queryError(429, 'Throttled', 'Rate exceeded'), 2));
    const bucket = newBucket();

    const outcome = await invoke(finding(bucket, `${bucket}-1`));

    expect(outcome.notice).toEqual({ kind: 'violation', topics: [team.topicArn] });
    expect(count('Publish')).toBe(3);
    expect((await notices(team)).map((n) => [n.bucket.name, n.kind])).toEqual([
      [bucket, 'violation'],
    ]);
    expect(await notices(central)).toEqual([]);
  });

  it('fails the invocation when SNS keeps failing, and the retry sends the pending notice once', async () => {
    proxy.use(failing(isTeamPublish, queryError(503, 'InternalError', 'Service unavailable')));
    const bucket = newBucket();
    const event = finding(bucket, `${bucket}-1`);

    await expect(invoke(event)).rejects.toThrow(/InternalError|Service unavailable/);
    // The SDK's standard retry strategy: three attempts in all.
    expect(count('Publish')).toBe(3);
    expect(await notices(team)).toEqual([]);

    proxy.use(undefined);
    const retried = await invoke(event);

    expect(retried).toMatchObject({ outcome: 'duplicate', redelivered: true });
    expect((await notices(team)).map((n) => [n.bucket.name, n.kind])).toEqual([
      [bucket, 'violation'],
    ]);
    expect(await invoke(event)).toMatchObject({ outcome: 'duplicate', redelivered: false });
    expect(await notices(team)).toEqual([]);
  });

  // Every error SNS may give for a publish to a topic that no retry can mend, as
  // the service sends it (the query protocol's code and status).
  it.each([
    [403, 'AuthorizationError'],
    [404, 'NotFound'],
    [400, 'InvalidParameter'],
    [400, 'ParameterValueInvalid'],
    [400, 'ValidationException'],
    [403, 'InvalidSecurity'],
    [400, 'KMSAccessDenied'],
    [400, 'KMSDisabled'],
    [400, 'KMSInvalidState'],
    [400, 'KMSNotFound'],
    [403, 'KMSOptInRequired'],
    [403, 'AccessDenied'],
    [403, 'InvalidClientTokenId'],
    [400, 'UnrecognizedClientException'],
    [403, 'OptInRequired'],
  ])(
    'sends the notice to central security when SNS refuses the team topic with %i %s',
    async (status, code) => {
      proxy.use(failing(isTeamPublish, queryError(status, code)));
      const bucket = newBucket();

      const outcome = await invoke(finding(bucket, `${bucket}-1`));

      expect(outcome.notice).toEqual({ kind: 'violation', topics: [central.topicArn] });
      expect(count('Publish')).toBe(2);
      expect(await notices(team)).toEqual([]);
      const atCentral = await notices(central);
      expect(atCentral.map((n) => n.bucket.name)).toEqual([bucket]);
      expect(JSON.stringify(atCentral[0])).toContain(
        code.startsWith('Parameter') ? 'Invalid' : code,
      );
    },
  );

  it('fails the invocation when CloudWatch keeps failing after the notice went out; the retry counts the finding once', async () => {
    const before = await violationCount(cloudwatch, NAMESPACE, 'faults', 'Critical');
    proxy.use(
      failing(
        (request) => request.operation === 'PutMetricData',
        jsonError(500, 'InternalServiceError', 'CloudWatch is unavailable'),
      ),
    );
    const bucket = newBucket();
    const event = finding(bucket, `${bucket}-1`);

    await expect(invoke(event)).rejects.toThrow(/InternalServiceError|CloudWatch is unavailable/);
    expect((await notices(team)).map((n) => n.bucket.name)).toEqual([bucket]);

    proxy.use(undefined);
    expect(await invoke(event)).toMatchObject({ outcome: 'duplicate', metricsRecorded: true });

    expect(await notices(team)).toEqual([]);
    expect((await violationCount(cloudwatch, NAMESPACE, 'faults', 'Critical')) - before).toBe(1);
  });

  it('records both findings of a bucket whose ledger entry another invocation changed first, with one notice', async () => {
    const bucket = newBucket();
    const first = finding(bucket, `${bucket}-first`);
    const second = finding(bucket, `${bucket}-second`);
    let raced = false;
    let secondOutcome: Outcome | undefined;
    // The first invocation's write is held until a second invocation has written the
    // same bucket: the first then loses the conditional write, as in a real race.
    proxy.use(async (request) => {
      if (
        !raced &&
        request.operation === 'TransactWriteItems' &&
        request.body.includes(`${bucket}-first`)
      ) {
        raced = true;
        secondOutcome = await invoke(second);
      }
      return undefined;
    });

    const firstOutcome = await invoke(first);

    expect(secondOutcome).toMatchObject({ outcome: 'recorded', notice: { kind: 'violation' } });
    expect(firstOutcome).toMatchObject({ outcome: 'recorded', verdict: 'violation' });
    expect(firstOutcome.notice).toBeUndefined();
    // The first invocation wrote twice: it lost the race, read again and won.
    expect(count('TransactWriteItems')).toBe(3);
    expect((await notices(team)).map((n) => [n.bucket.name, n.kind])).toEqual([
      [bucket, 'violation'],
    ]);
  });

  it('sends the notice to central security, saying why, when the bucket tags are access denied', async () => {
    const bucket = newBucket();
    await createBucket(s3, bucket, {
      DataClassification: 'Public',
      SupportSNSTopic: team.topicArn,
    });
    proxy.use(
      failing(
        (request) => request.operation === 'GetBucketTagging',
        s3Error(403, 'AccessDenied', 'Access Denied'),
      ),
    );

    const outcome = await invoke(finding(bucket, `${bucket}-1`, false));

    expect(outcome.notice?.topics).toEqual([central.topicArn]);
    const atCentral = await notices(central);
    expect(atCentral.map((n) => [n.bucket.name, n.bucket.tagsUnreadable])).toEqual([
      [bucket, 'AccessDenied'],
    ]);
    expect(await notices(team)).toEqual([]);
  });

  it('retries DynamoDB throttling in the SDK and records the finding', async () => {
    proxy.use(
      failing(
        (request) => request.operation === 'TransactWriteItems',
        jsonError(
          400,
          'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          'Rate of requests exceeds the allowed throughput',
        ),
        2,
      ),
    );
    const bucket = newBucket();

    const outcome = await invoke(finding(bucket, `${bucket}-1`));

    expect(outcome).toMatchObject({ outcome: 'recorded', notice: { kind: 'violation' } });
    expect(count('TransactWriteItems')).toBe(3);
    expect((await notices(team)).map((n) => n.bucket.name)).toEqual([bucket]);
  });
});
