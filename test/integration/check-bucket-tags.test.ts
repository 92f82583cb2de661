/**
 * The packaged checkBucketTags function (the zip `serverless package` writes) run as
 * Lambda would, against moto for S3 and SNS. moto records no Config evaluations, so
 * the Config API is a small local server that captures PutEvaluations, keeps the
 * newest result per bucket as Config does, and answers GetResourceConfigHistory and
 * GetComplianceDetailsByConfigRule, reached through AWS_ENDPOINT_URL_CONFIG_SERVICE:
 * the function's real SDK client, wire format included. moto's Config itself takes
 * PutEvaluations in test mode only, which is what the TESTMODE test asks of it.
 * moto's Lambda cannot run the function (it needs Docker), so Lambda is a stand-in
 * too (AWS_ENDPOINT_URL_LAMBDA) that keeps the events a sweep hands over; the test
 * then invokes the packaged function with each, as Lambda would.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import { invokePackaged, type PackagedStack, packageStack } from '../support/package-stack';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic, optIn } from '../support/sns-topics';
import { subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = Date.now().toString(36);
const SWEEP_BUCKETS = 250;
const RULE = 'bucket-tags-it';
/** A topic in a region that does not exist. */
const FARAWAY_TOPIC = `arn:aws:sns:xx-fake-1:${ACCOUNT}:t`;
const IT_TIMEOUT = 120_000;
const FUNCTION_NAME = 'bucket-classification-validator-it-checkBucketTags';

const s3 = new S3Client({});
const sns = new SNSClient({});
const sqs = new SQSClient({});

interface WireEvaluation {
  ComplianceResourceType: string;
  ComplianceResourceId: string;
  ComplianceType: string;
  Annotation?: string;
  OrderingTimestamp: number;
}

/**
 * What the stand-in does with the next PutEvaluations instead of accepting it all:
 * answer with an error (`status`, `type`), or refuse the named buckets' evaluations
 * in `FailedEvaluations` and accept the rest.
 */
type PutFault =
  | { readonly status: number; readonly type: string }
  | { readonly refuse: readonly string[] };

/**
 * A stand-in for the AWS Config API: records what the function sends, and keeps the
 * result with the newest ordering timestamp for each resource, for the one rule the
 * tests invoke (PutEvaluations names only a result token, not the rule).
 */
class ConfigApi {
  readonly puts: Array<{ resultToken: string; evaluations: WireEvaluation[] }> = [];
  readonly historyRequests: unknown[] = [];
  readonly complianceRequests: Array<{ ConfigRuleName: string; NextToken?: string }> = [];
  readonly results = new Map<string, WireEvaluation>();
  /** Faults for the next PutEvaluations calls, one per call, in order. */
  readonly putFaults: PutFault[] = [];
  /** Every PutEvaluations call, accepted or not. */
  putCalls = 0;
  historyItems: unknown[] = [];
  private server: Server | undefined;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.answer(request).then(({ status = 200, body }) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.close();
  }

  evaluations(): WireEvaluation[] {
    return this.puts.flatMap((put) => put.evaluations);
  }

  private async answer(request: IncomingMessage): Promise<{ status?: number; body: unknown }> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const body = JSON.parse(text || '{}');
    const operation = String(request.headers['x-amz-target']).split('.')[1];
    if (operation === 'PutEvaluations') return this.putEvaluations(body);
    if (operation === 'GetComplianceDetailsByConfigRule') {
      this.complianceRequests.push(body);
      return { body: this.complianceDetails(body) };
    }
    if (operation === 'GetResourceConfigHistory') {
      this.historyRequests.push(body);
      return { body: { configurationItems: this.historyItems } };
    }
    return { body: {} };
  }

  private putEvaluations(body: { ResultToken: string; Evaluations: WireEvaluation[] }): {
    status?: number;
    body: unknown;
  } {
    this.putCalls += 1;
    const fault = this.putFaults.shift();
    if (fault && 'status' in fault) {
      return { status: fault.status, body: { __type: fault.type, message: fault.type } };
    }
    const refused = new Set(fault?.refuse ?? []);
    const accepted = body.Evaluations.filter((e) => !refused.has(e.ComplianceResourceId));
    this.puts.push({ resultToken: body.ResultToken, evaluations: accepted });
    for (const evaluation of accepted) {
      const known = this.results.get(evaluation.ComplianceResourceId);
      if (!known || known.OrderingTimestamp <= evaluation.OrderingTimestamp) {
        this.results.set(evaluation.ComplianceResourceId, evaluation);
      }
    }
    return {
      body: {
        FailedEvaluations: body.Evaluations.filter((e) => refused.has(e.ComplianceResourceId)),
      },
    };
  }

  /** The stored results of the requested types, `Limit` (default 10) per page. */
  private complianceDetails(body: {
    ConfigRuleName: string;
    ComplianceTypes?: string[];
    Limit?: number;
    NextToken?: string;
  }): unknown {
    if (body.ConfigRuleName !== RULE) return { EvaluationResults: [] };
    const types = body.ComplianceTypes?.length ? body.ComplianceTypes : undefined;
    const matching = [...this.results.values()].filter(
      (e) => !types || types.includes(e.ComplianceType),
    );
    const start = Number(body.NextToken ?? 0);
    const end = start + (body.Limit || 10);
    return {
      EvaluationResults: matching.slice(start, end).map((e) => ({
        EvaluationResultIdentifier: {
          EvaluationResultQualifier: {
            ConfigRuleName: RULE,
            ResourceType: e.ComplianceResourceType,
            ResourceId: e.ComplianceResourceId,
          },
          OrderingTimestamp: e.OrderingTimestamp,
        },
        ComplianceType: e.ComplianceType,
        ...(e.Annotation ? { Annotation: e.Annotation } : {}),
      })),
      ...(end < matching.length ? { NextToken: String(end) } : {}),
    };
  }
}

interface Invocation {
  functionName: string;
  invocationType: string;
  payload: Record<string, unknown>;
}

/** A stand-in for Lambda's Invoke: keeps each asynchronous invocation's payload. */
class LambdaApi {
  readonly invocations: Invocation[] = [];
  private server: Server | undefined;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void (async () => {
        let text = '';
        for await (const chunk of request) text += chunk;
        // POST /2015-03-31/functions/{name}/invocations
        const name = decodeURIComponent(String(request.url).split('/')[3] ?? '');
        this.invocations.push({
          functionName: name,
          invocationType: String(request.headers['x-amz-invocation-type']),
          payload: JSON.parse(text),
        });
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end();
      })();
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.close();
  }
}

const configApi = new ConfigApi();
const lambdaApi = new LambdaApi();
let stack: PackagedStack;
let taskRoot: string;
let teamTopic: string;

/**
 * Invokes the packaged handler with the Config API pointed at the stand-in (or, with
 * `motoConfig`, at moto) and Lambda at its stand-in; `timeoutMs` is the invocation's
 * time.
 */
async function invoke(
  event: unknown,
  { timeoutMs, motoConfig = false }: { timeoutMs?: number; motoConfig?: boolean } = {},
): Promise<unknown> {
  return invokePackaged(
    taskRoot,
    'handlers/check-bucket-tags.js',
    event,
    {
      ...process.env,
      ...(motoConfig ? {} : { AWS_ENDPOINT_URL_CONFIG_SERVICE: configApi.endpoint }),
      AWS_ENDPOINT_URL_LAMBDA: lambdaApi.endpoint,
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      POLICY_FILE: 'policies/default-policy.yaml',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    timeoutMs === undefined ? {} : { timeoutMs },
  );
}

function ruleEvent(invokingEvent: object, extra: object = {}): object {
  return {
    version: '1.0',
    invokingEvent: JSON.stringify(invokingEvent),
    ruleParameters: '{}',
    resultToken: `token-${RUN}`,
    eventLeftScope: false,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/config-role`,
    configRuleArn: `arn:aws:config:${REGION}:${ACCOUNT}:config-rule/config-rule-it`,
    configRuleName: RULE,
    configRuleId: 'config-rule-it',
    accountId: ACCOUNT,
    ...extra,
  };
}

function changeEvent(
  bucket: string,
  tags: Record<string, string>,
  captureTime: string,
  status = 'OK',
): object {
  return ruleEvent({
    configurationItemDiff: null,
    configurationItem: {
      relatedEvents: [],
      relationships: [],
      configuration: status.startsWith('ResourceDeleted') ? null : { name: bucket },
      supplementaryConfiguration: {},
      tags,
      configurationItemVersion: '1.3',
      configurationItemCaptureTime: captureTime,
      configurationStateId: 1,
      awsAccountId: ACCOUNT,
      configurationItemStatus: status,
      resourceType: 'AWS::S3::Bucket',
      resourceId: bucket,
      resourceName: bucket,
      ARN: `arn:aws:s3:::${bucket}`,
      awsRegion: REGION,
      availabilityZone: 'Regional',
      configurationStateMd5Hash: '',
      resourceCreationTime: '2026-01-01T00:00:00.000Z',
    },
    notificationCreationTime: captureTime,
    messageType: 'ConfigurationItemChangeNotification',
    recordVersion: '1.3',
  });
}

/** A periodic run's event, notified at `notificationTime`. */
function periodicEvent(notificationTime: string): object {
  return ruleEvent({
    awsAccountId: ACCOUNT,
    notificationCreationTime: notificationTime,
    messageType: 'ScheduledNotification',
    recordVersion: '1.0',
  });
}

/** Tags for the i-th bucket of the sweep: a mix of every kind of result. */
function sweepTags(i: number): Record<string, string> {
  switch (i % 5) {
    case 0:
      return { DataClassification: 'Internal', SupportSNSTopic: teamTopic };
    case 1:
      return { DataClassification: 'internal ', SupportSNSTopic: teamTopic, Team: 'a' };
    case 2:
      return { DataClassification: 'TopSecret', SupportSNSTopic: teamTopic };
    case 3:
      return { DataClassification: 'Public' };
    default:
      return {};
  }
}

beforeAll(async () => {
  stack = packageStack('it');
  taskRoot = path.join(stack.work.path, 'task');
  stack.extract('checkBucketTags', taskRoot);
  await configApi.start();
  await lambdaApi.start();
  teamTopic = await createTeamTopic(sns, `team-a-${RUN}`);
  await subscribedQueue({ sns, sqs }, teamTopic, `team-a-inbox-${RUN}`);
  for (let i = 0; i < SWEEP_BUCKETS; i++) await createBucket(s3, `sweep-${RUN}-${i}`, sweepTags(i));
  await createBucket(s3, `sweep-${RUN}-faraway`, {
    DataClassification: 'Internal',
    SupportSNSTopic: FARAWAY_TOPIC,
  });
}, 240_000);

afterAll(async () => {
  await configApi.stop();
  await lambdaApi.stop();
  stack?.remove();
});

beforeEach(() => {
  configApi.puts.length = 0;
  configApi.putFaults.length = 0;
  configApi.putCalls = 0;
  lambdaApi.invocations.length = 0;
});

describe('packaged checkBucketTags against moto', () => {
  describe('a change notification', () => {
    it(
      'reports one COMPLIANT evaluation at the capture time for a valid declaration',
      async () => {
        const name = `change-ok-${RUN}`;

        await invoke(
          changeEvent(
            name,
            { DataClassification: 'Confidential', SupportSNSTopic: teamTopic },
            '2026-11-28T10:00:00.000Z',
          ),
        );

        expect(configApi.puts).toEqual([
          {
            resultToken: `token-${RUN}`,
            evaluations: [
              {
                ComplianceResourceType: 'AWS::S3::Bucket',
                ComplianceResourceId: name,
                ComplianceType: 'COMPLIANT',
                Annotation: `Declares Confidential; alerts go to ${teamTopic}.`,
                OrderingTimestamp: Date.parse('2026-11-28T10:00:00.000Z') / 1000,
              },
            ],
          },
        ]);
      },
      IT_TIMEOUT,
    );

    it(
      'sends a TESTMODE invocation to PutEvaluations in test mode, which moto accepts',
      async () => {
        const event = {
          ...changeEvent(
            `change-testmode-${RUN}`,
            { DataClassification: 'Confidential', SupportSNSTopic: teamTopic },
            '2026-11-28T10:01:00.000Z',
          ),
          resultToken: 'TESTMODE',
        };

        const outcome = await invoke(event, { motoConfig: true });

        expect(outcome).toEqual({ messageType: 'change', evaluations: 1, nonCompliant: 0 });
      },
      IT_TIMEOUT,
    );

    it(
      'reports NON_COMPLIANT when the topic was never created',
      async () => {
        const missing = `arn:aws:sns:${REGION}:${ACCOUNT}:never-created-${RUN}`;

        await invoke(
          changeEvent(
            `change-no-topic-${RUN}`,
            { DataClassification: 'Internal', SupportSNSTopic: missing },
            '2026-11-28T10:05:00.000Z',
          ),
        );

        const [evaluation] = configApi.evaluations();
        expect(evaluation?.ComplianceType).toBe('NON_COMPLIANT');
        expect(evaluation?.Annotation).toBe(
          `SupportSNSTopic topic never-created-${RUN} does not exist in ${REGION}.`,
        );
      },
      IT_TIMEOUT,
    );

    it(
      'reports NON_COMPLIANT for a FIFO topic',
      async () => {
        const TopicArn = await createTeamTopic(sns, `team-fifo-${RUN}.fifo`, { FifoTopic: 'true' });
        await subscribedQueue({ sns, sqs }, TopicArn, `team-fifo-inbox-${RUN}`);

        await invoke(
          changeEvent(
            `change-fifo-${RUN}`,
            { DataClassification: 'Internal', SupportSNSTopic: TopicArn ?? '' },
            '2026-11-28T10:10:00.000Z',
          ),
        );

        expect(configApi.evaluations().map((e) => [e.ComplianceType, e.Annotation])).toEqual([
          [
            'NON_COMPLIANT',
            `SupportSNSTopic topic team-fifo-${RUN}.fifo is a FIFO topic, which refuses alerts (they have no message group): use a standard topic.`,
          ],
        ]);
      },
      IT_TIMEOUT,
    );

    // moto (5.2) confirms every subscription at once, e-mail included, so a topic whose
    // only subscription awaits confirmation is a unit test (sns-topic-directory.test.ts);
    // here the same judgement for a topic nobody subscribed to.
    it(
      'reports NON_COMPLIANT for a topic without a confirmed subscription',
      async () => {
        const TopicArn = await createTeamTopic(sns, `team-deaf-${RUN}`);

        await invoke(
          changeEvent(
            `change-deaf-${RUN}`,
            { DataClassification: 'Internal', SupportSNSTopic: TopicArn ?? '' },
            '2026-11-28T10:15:00.000Z',
          ),
        );

        expect(configApi.evaluations().map((e) => [e.ComplianceType, e.Annotation])).toEqual([
          [
            'NON_COMPLIANT',
            `SupportSNSTopic topic team-deaf-${RUN} has no confirmed subscription, so alerts reach nobody: subscribe your team and confirm it.`,
          ],
        ]);
      },
      IT_TIMEOUT,
    );

    it(
      'reports COMPLIANT for a topic with a confirmed SQS subscription',
      async () => {
        const TopicArn = await createTeamTopic(sns, `team-sqs-${RUN}`);
        await subscribedQueue({ sns, sqs }, TopicArn, `team-sqs-inbox-${RUN}`);

        await invoke(
          changeEvent(
            `change-sqs-${RUN}`,
            { DataClassification: 'Internal', SupportSNSTopic: TopicArn ?? '' },
            '2026-11-28T10:20:00.000Z',
          ),
        );

        expect(configApi.evaluations().map((e) => [e.ComplianceType, e.Annotation])).toEqual([
          ['COMPLIANT', `Declares Internal; alerts go to ${TopicArn}.`],
        ]);
      },
      IT_TIMEOUT,
    );

    it(
      'reports NON_COMPLIANT, naming the tag to add, for a topic that has not opted in',
      async () => {
        const topicArn = await createTopic(sns, `team-untagged-${RUN}`);
        await subscribedQueue({ sns, sqs }, topicArn, `team-untagged-inbox-${RUN}`);

        await invoke(
          changeEvent(
            `change-untagged-${RUN}`,
            { DataClassification: 'Internal', SupportSNSTopic: topicArn },
            '2026-11-28T10:25:00.000Z',
          ),
        );

        expect(configApi.evaluations().map((e) => [e.ComplianceType, e.Annotation])).toEqual([
          [
            'NON_COMPLIANT',
            `SupportSNSTopic topic team-untagged-${RUN} has not opted in to alerts: tag the topic AcceptsClassificationAlerts=true.`,
          ],
        ]);
      },
      IT_TIMEOUT,
    );

    it(
      'reports NON_COMPLIANT for an opt-in tag with another value, and COMPLIANT once it is true',
      async () => {
        const topicArn = await createTopic(sns, `team-almost-${RUN}`);
        await subscribedQueue({ sns, sqs }, topicArn, `team-almost-inbox-${RUN}`);
        await optIn(sns, topicArn, { Key: 'AcceptsClassificationAlerts', Value: 'True' });
        const tags = { DataClassification: 'Internal', SupportSNSTopic: topicArn };

        await invoke(changeEvent(`change-almost-${RUN}`, tags, '2026-11-28T10:30:00.000Z'));
        await optIn(sns, topicArn);
        await invoke(changeEvent(`change-almost-${RUN}`, tags, '2026-11-28T10:35:00.000Z'));

        expect(configApi.evaluations().map((e) => [e.ComplianceType, e.Annotation])).toEqual([
          [
            'NON_COMPLIANT',
            `SupportSNSTopic topic team-almost-${RUN} has not opted in to alerts (it has AcceptsClassificationAlerts="True"): tag the topic AcceptsClassificationAlerts=true.`,
          ],
          ['COMPLIANT', `Declares Internal; alerts go to ${topicArn}.`],
        ]);
      },
      IT_TIMEOUT,
    );

    it.each([['ResourceDeleted'], ['ResourceDeletedNotRecorded'], ['ResourceNotRecorded']])(
      'reports NOT_APPLICABLE for a %s item',
      async (status) => {
        await invoke(changeEvent(`gone-${RUN}`, {}, '2026-11-28T11:00:00.000Z', status));

        expect(configApi.evaluations()).toEqual([
          expect.objectContaining({
            ComplianceResourceId: `gone-${RUN}`,
            ComplianceType: 'NOT_APPLICABLE',
          }),
        ]);
      },
      IT_TIMEOUT,
    );

    it(
      'reports NOT_APPLICABLE when the bucket left the rule scope',
      async () => {
        const event = {
          ...changeEvent(`scoped-out-${RUN}`, {}, '2026-11-28T11:00:00.000Z'),
          eventLeftScope: true,
        };

        await invoke(event);

        expect(configApi.evaluations().map((e) => e.ComplianceType)).toEqual(['NOT_APPLICABLE']);
      },
      IT_TIMEOUT,
    );
  });

  describe('when Config fails or refuses', () => {
    /** A change notification for a bucket of its own, with a valid declaration. */
    function validChange(name: string): object {
      return changeEvent(
        name,
        { DataClassification: 'Internal', SupportSNSTopic: teamTopic },
        '2026-11-28T11:00:00.000Z',
      );
    }

    it(
      'retries throttled PutEvaluations in the SDK until Config accepts the result',
      async () => {
        const name = `throttled-${RUN}`;
        configApi.putFaults.push(
          { status: 400, type: 'ThrottlingException' },
          { status: 400, type: 'ThrottlingException' },
        );

        await invoke(validChange(name));

        expect(configApi.putCalls).toBe(3);
        expect(
          configApi.evaluations().map((e) => [e.ComplianceResourceId, e.ComplianceType]),
        ).toEqual([[name, 'COMPLIANT']]);
      },
      IT_TIMEOUT,
    );

    it(
      'fails the invocation, naming the error, when Config keeps failing',
      async () => {
        configApi.putFaults.push(
          ...Array.from({ length: 8 }, () => ({ status: 500, type: 'InternalFailure' })),
        );

        await expect(invoke(validChange(`config-down-${RUN}`))).rejects.toThrow(/InternalFailure/);
        // The client's eight attempts, then the invocation fails so that it is retried.
        expect(configApi.putCalls).toBe(8);
        expect(configApi.evaluations()).toEqual([]);
      },
      IT_TIMEOUT,
    );

    it(
      'sends an evaluation Config lists in FailedEvaluations once more',
      async () => {
        const name = `refused-once-${RUN}`;
        configApi.putFaults.push({ refuse: [name] });

        await invoke(validChange(name));

        expect(configApi.putCalls).toBe(2);
        expect(configApi.evaluations().map((e) => e.ComplianceResourceId)).toEqual([name]);
      },
      IT_TIMEOUT,
    );

    it(
      'fails the invocation, naming the bucket, when Config refuses its evaluation twice',
      async () => {
        const name = `refused-twice-${RUN}`;
        configApi.putFaults.push({ refuse: [name] }, { refuse: [name] });

        await expect(invoke(validChange(name))).rejects.toThrow(
          `AWS Config rejected 1 evaluation(s) twice: AWS::S3::Bucket/${name}`,
        );
        expect(configApi.putCalls).toBe(2);
      },
      IT_TIMEOUT,
    );
  });

  describe('an oversized change notification', () => {
    it(
      'fetches the item at the capture time and judges it',
      async () => {
        const name = `oversized-${RUN}`;
        const captureTime = '2026-11-28T12:00:00.000Z';
        configApi.historyItems = [
          {
            version: '1.3',
            accountId: ACCOUNT,
            configurationItemCaptureTime: Date.parse(captureTime) / 1000,
            configurationItemStatus: 'OK',
            configurationStateId: '1',
            configurationItemMD5Hash: '',
            arn: `arn:aws:s3:::${name}`,
            resourceType: 'AWS::S3::Bucket',
            resourceId: name,
            resourceName: name,
            awsRegion: REGION,
            availabilityZone: 'Regional',
            tags: {},
            relatedEvents: [],
            relationships: [],
            configuration: JSON.stringify({ name }),
            supplementaryConfiguration: {
              BucketTaggingConfiguration: JSON.stringify({
                tagSets: [
                  { tags: { DataClassification: 'Restricted', SupportSNSTopic: teamTopic } },
                ],
              }),
            },
          },
        ];

        await invoke(
          ruleEvent({
            configurationItemSummary: {
              changeType: 'UPDATE',
              configurationItemVersion: '1.3',
              configurationItemCaptureTime: captureTime,
              configurationStateId: 1,
              awsAccountId: ACCOUNT,
              configurationItemStatus: 'OK',
              resourceType: 'AWS::S3::Bucket',
              resourceId: name,
              resourceName: name,
              ARN: `arn:aws:s3:::${name}`,
              awsRegion: REGION,
              availabilityZone: 'Regional',
              configurationStateMd5Hash: '',
              resourceCreationTime: '2026-01-01T00:00:00.000Z',
            },
            messageType: 'OversizedConfigurationItemChangeNotification',
          }),
        );

        expect(configApi.historyRequests.at(-1)).toEqual(
          expect.objectContaining({
            resourceType: 'AWS::S3::Bucket',
            resourceId: name,
            limit: 1,
            laterTime: Date.parse(captureTime) / 1000,
          }),
        );
        expect(configApi.evaluations()).toEqual([
          expect.objectContaining({
            ComplianceResourceId: name,
            ComplianceType: 'COMPLIANT',
            OrderingTimestamp: Date.parse(captureTime) / 1000,
          }),
        ]);
      },
      IT_TIMEOUT,
    );
  });

  describe('a periodic run', () => {
    it(
      'judges every bucket of the region once, in batches of at most 100',
      async () => {
        const notificationTime = '2026-11-28T13:00:00.000Z';

        await invoke(
          ruleEvent({
            awsAccountId: ACCOUNT,
            notificationCreationTime: notificationTime,
            messageType: 'ScheduledNotification',
            recordVersion: '1.0',
          }),
        );

        expect(configApi.puts.length).toBeGreaterThanOrEqual(Math.ceil(SWEEP_BUCKETS / 100));
        for (const put of configApi.puts) {
          expect(put.evaluations.length).toBeLessThanOrEqual(100);
          expect(put.resultToken).toBe(`token-${RUN}`);
        }
        const evaluations = configApi.evaluations();
        const ids = evaluations.map((e) => e.ComplianceResourceId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const evaluation of evaluations) {
          expect(evaluation.ComplianceResourceType).toBe('AWS::S3::Bucket');
          expect(evaluation.OrderingTimestamp).toBe(Date.parse(notificationTime) / 1000);
          expect(evaluation.Annotation?.length).toBeGreaterThan(0);
          expect(evaluation.Annotation?.length).toBeLessThanOrEqual(256);
        }
        const mine = new Map(
          evaluations
            .filter((e) => e.ComplianceResourceId.startsWith(`sweep-${RUN}-`))
            .map((e) => [e.ComplianceResourceId, e.ComplianceType]),
        );
        expect(mine.size).toBe(SWEEP_BUCKETS + 1);
        for (let i = 0; i < SWEEP_BUCKETS; i++) {
          expect([`sweep-${RUN}-${i}`, mine.get(`sweep-${RUN}-${i}`)]).toEqual([
            `sweep-${RUN}-${i}`,
            i % 5 < 2 ? 'COMPLIANT' : 'NON_COMPLIANT',
          ]);
        }
      },
      IT_TIMEOUT,
    );

    it(
      'splits a sweep that runs out of time into parts that judge every bucket once',
      async () => {
        const notificationTime = '2026-11-28T13:15:00.000Z';
        const first = periodicEvent(notificationTime);
        // Less time than the safety margin from the start: every part judges one batch
        // of 100 buckets and hands the rest over.
        const outcomes = [await invoke(first, { timeoutMs: 1_000 })];
        for (let next = 0; next < lambdaApi.invocations.length; next++) {
          if (next === 20) throw new Error('the sweep did not end within 20 parts');
          const { payload } = lambdaApi.invocations[next] as Invocation;
          outcomes.push(await invoke(payload, { timeoutMs: 1_000 }));
        }

        const invocations = lambdaApi.invocations;
        expect(invocations.length).toBeGreaterThanOrEqual(3);
        expect(outcomes).toHaveLength(invocations.length + 1);
        for (const [i, invocation] of invocations.entries()) {
          const { sweepContinuation, ...rest } = invocation.payload;
          expect([invocation.functionName, invocation.invocationType]).toEqual([
            FUNCTION_NAME,
            'Event',
          ]);
          expect(rest).toEqual(first);
          expect(sweepContinuation).toEqual(expect.objectContaining({ part: i + 2, refused: 0 }));
        }
        expect(outcomes.at(-1)).toEqual(
          expect.objectContaining({ sweep: { part: outcomes.length, handedOver: false } }),
        );
        for (const put of configApi.puts) {
          expect(put.evaluations.length).toBeLessThanOrEqual(100);
          expect(put.resultToken).toBe(`token-${RUN}`);
        }
        const evaluations = configApi.evaluations();
        expect(new Set(evaluations.map((e) => e.OrderingTimestamp))).toEqual(
          new Set([Date.parse(notificationTime) / 1000]),
        );
        const mine = evaluations
          .map((e) => e.ComplianceResourceId)
          .filter((id) => id.startsWith(`sweep-${RUN}-`));
        expect(mine).toHaveLength(SWEEP_BUCKETS + 1);
        expect(new Set(mine).size).toBe(SWEEP_BUCKETS + 1);
      },
      IT_TIMEOUT * 2,
    );

    // In AWS the SDK finds no endpoint for xx-fake-1 (ENOTFOUND) and the bucket is
    // NON_COMPLIANT (unit tests); moto answers that region with HTTP 500, so here the
    // lookup fails after the SDK's retries, the bucket is judged as not checkable, and
    // what matters is that the lookup does not take the sweep down with it.
    it(
      'judges every other bucket when one names a topic in a region that does not exist',
      async () => {
        await invoke(periodicEvent('2026-11-28T13:30:00.000Z'));

        const evaluations = configApi.evaluations();
        const faraway = evaluations.filter(
          (e) => e.ComplianceResourceId === `sweep-${RUN}-faraway`,
        );
        const others = new Map(
          evaluations
            .filter((e) => /^sweep-[a-z0-9]+-\d+$/.test(e.ComplianceResourceId))
            .filter((e) => e.ComplianceResourceId.startsWith(`sweep-${RUN}-`))
            .map((e) => [e.ComplianceResourceId, e.ComplianceType]),
        );
        expect(faraway.map((e) => [e.ComplianceType, e.Annotation])).toEqual([
          // moto answers a region it does not know with an error the SDK cannot name.
          [
            'COMPLIANT',
            `Declares Internal; alerts go to ${FARAWAY_TOPIC} (its opt-in tag could not be read: Error).`,
          ],
        ]);
        expect(others.size).toBe(SWEEP_BUCKETS);
        expect(others.get(`sweep-${RUN}-0`)).toBe('COMPLIANT');
        expect(others.get(`sweep-${RUN}-2`)).toBe('NON_COMPLIANT');
      },
      IT_TIMEOUT,
    );

    it(
      'marks a bucket evaluated in one sweep and deleted before the next NOT_APPLICABLE',
      async () => {
        const doomed = `doomed-${RUN}`;
        await createBucket(s3, doomed, {
          DataClassification: 'Internal',
          SupportSNSTopic: teamTopic,
        });
        await invoke(periodicEvent('2026-11-28T15:00:00.000Z'));
        const before = configApi.results.get(doomed)?.ComplianceType;
        await s3.send(new DeleteBucketCommand({ Bucket: doomed }));
        configApi.puts.length = 0;

        await invoke(periodicEvent('2026-11-28T16:00:00.000Z'));

        expect(before).toBe('COMPLIANT');
        expect(configApi.complianceRequests.at(-1)).toEqual(
          expect.objectContaining({ ConfigRuleName: RULE }),
        );
        expect(configApi.evaluations().filter((e) => e.ComplianceResourceId === doomed)).toEqual([
          {
            ComplianceResourceType: 'AWS::S3::Bucket',
            ComplianceResourceId: doomed,
            ComplianceType: 'NOT_APPLICABLE',
            Annotation: `The bucket is no longer listed in ${REGION}.`,
            OrderingTimestamp: Date.parse('2026-11-28T16:00:00.000Z') / 1000,
          },
        ]);
        expect(configApi.results.get(doomed)?.ComplianceType).toBe('NOT_APPLICABLE');
      },
      IT_TIMEOUT,
    );

    it(
      'leaves out buckets of other regions',
      async () => {
        const elsewhere = `other-region-${RUN}`;
        await s3.send(
          new CreateBucketCommand({
            Bucket: elsewhere,
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        );

        await invoke(
          ruleEvent({
            awsAccountId: ACCOUNT,
            notificationCreationTime: '2026-11-28T14:00:00.000Z',
            messageType: 'ScheduledNotification',
            recordVersion: '1.0',
          }),
        );

        const ids = configApi.evaluations().map((e) => e.ComplianceResourceId);
        expect(ids).toContain(`sweep-${RUN}-0`);
        expect(ids).not.toContain(elsewhere);
      },
      IT_TIMEOUT,
    );
  });
});
