/**
 * One central deployment for an organisation, against moto's accounts: the member
 * template (deploy/member-account.yaml) deployed into two member accounts with
 * CloudFormation, and the packaged functions run with ORGANIZATION_ID set, as the
 * central stack runs them in the security tooling account (moto's default account).
 *
 * moto keeps each account's resources apart and answers STS AssumeRole into a role
 * ARN of another account with credentials that act as that account; it enforces no
 * IAM or topic policy (refusals are shown with stand-ins in the unit and fault tests).
 * moto records no Config evaluations, so the Config API is a small local server that
 * records each PutEvaluations call with the access key that signed it; moto then
 * says whose key that is (GetCallerIdentity), which is how the test knows in which
 * account the evaluations landed.
 */

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { NoticeDocument } from '../../rules/notice';
import { type FaultProxy, queryError, startFaultProxy } from '../support/fault-proxy';
import { loadMacieEvent, type RawEvent, REPO_ROOT } from '../support/fixtures';
import { createLedgerTable, deleteLedgerTable } from '../support/ledger-table';
import { motoAccountId as CENTRAL } from '../support/moto-server';
import { invokePackaged, type PackagedStack, packageStack } from '../support/package-stack';
import { createBucket } from '../support/s3-buckets';
import { createTeamTopic, createTopic } from '../support/sns-topics';
import { drainQueue, snsMessage, subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = Date.now().toString(36);
const ORGANIZATION = 'o-orgtest1234';
/** Two member accounts of their own, so no other test file's resources meet them. */
const MEMBERS = [1, 2].map((n) => `3${String(Date.now() % 1e9).padStart(9, '0')}${n}0`);
const LEDGER = `ledger-org-${RUN}`;

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** Acts as an account the way an administrator of the organisation would. */
async function actAs(account: string): Promise<Credentials> {
  const { Credentials: given } = await new STSClient({}).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'organisation-test',
    }),
  );
  if (!given?.AccessKeyId || !given.SecretAccessKey)
    throw new Error(`no credentials for ${account}`);
  return {
    accessKeyId: given.AccessKeyId,
    secretAccessKey: given.SecretAccessKey,
    ...(given.SessionToken ? { sessionToken: given.SessionToken } : {}),
  };
}

/** Deploys the member template into `account`, trusting the central account. */
async function deployMemberTemplate(credentials: Credentials): Promise<void> {
  const cloudformation = new CloudFormationClient({ credentials });
  const StackName = 'bucket-classification-member';
  await cloudformation.send(
    new CreateStackCommand({
      StackName,
      TemplateBody: readFileSync(path.join(REPO_ROOT, 'deploy', 'member-account.yaml'), 'utf8'),
      Parameters: [
        { ParameterKey: 'CentralAccountId', ParameterValue: CENTRAL },
        { ParameterKey: 'OrganizationId', ParameterValue: ORGANIZATION },
      ],
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName }));
  expect(Stacks[0]?.StackStatus).toBe('CREATE_COMPLETE');
  expect(Stacks[0]?.Outputs?.find((o) => o.OutputKey === 'MemberRoleName')?.OutputValue).toBe(
    'BucketClassificationMember',
  );
}

/** A team of a member account: its bucket, its opted-in topic and a queue subscribed to it. */
interface MemberTeam {
  readonly account: string;
  readonly credentials: Credentials;
  readonly bucket: string;
  readonly topicArn: string;
  readonly queueUrl: string;
  readonly sqs: SQSClient;
}

async function memberTeam(account: string, index: number): Promise<MemberTeam> {
  const credentials = await actAs(account);
  await deployMemberTemplate(credentials);
  const sns = new SNSClient({ credentials });
  const sqs = new SQSClient({ credentials });
  const topicArn = await createTeamTopic(sns, `member-${index}-alerts-${RUN}`);
  expect(topicArn).toContain(`:${account}:`);
  const queue = await subscribedQueue({ sns, sqs }, topicArn, `member-${index}-inbox-${RUN}`);
  const bucket = `member-${index}-data-${RUN}`;
  await createBucket(new S3Client({ credentials }), bucket, {
    DataClassification: 'Public',
    SupportSNSTopic: topicArn,
    Team: `member-team-${index}`,
  });
  return { account, credentials, bucket, topicArn, queueUrl: queue.url, sqs };
}

interface RecordedPut {
  readonly accessKeyId: string;
  readonly resultToken: string;
  readonly evaluations: Array<{ ComplianceResourceId: string; ComplianceType: string }>;
}

/** A stand-in for the Config API that records who sent each PutEvaluations. */
class ConfigRecorder {
  readonly puts: RecordedPut[] = [];
  endpoint = '';
  private server: Server | undefined;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void this.answer(request).then((body) => {
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): void {
    this.server?.close();
  }

  private async answer(request: IncomingMessage): Promise<unknown> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const body = JSON.parse(text || '{}');
    const operation = String(request.headers['x-amz-target']).split('.')[1];
    if (operation !== 'PutEvaluations') return {};
    // SigV4: Credential=<access key>/<date>/<region>/config/aws4_request
    const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization))?.[1];
    this.puts.push({
      accessKeyId: accessKeyId ?? '',
      resultToken: body.ResultToken,
      evaluations: body.Evaluations,
    });
    return { FailedEvaluations: [] };
  }
}

/** The account a (moto) access key acts as: moto knows every key it handed out. */
async function accountOfKey(accessKeyId: string): Promise<string | undefined> {
  const { Account, Arn } = await new STSClient({
    credentials: { accessKeyId, secretAccessKey: 'moto does not check signatures' },
  }).send(new GetCallerIdentityCommand({}));
  return `${Account} ${Arn}`;
}

function memberFinding(team: MemberTeam): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  // The envelope is the administrator's; the finding is the member's.
  event.account = CENTRAL;
  event.region = REGION;
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  detail.accountId = team.account;
  detail.region = REGION;
  detail.id = `${team.bucket}-finding`;
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = team.bucket;
  s3Bucket.arn = `arn:aws:s3:::${team.bucket}`;
  // Automated discovery's findings often carry no tags: the function reads them.
  s3Bucket.tags = null;
  return event;
}

function bucketChangeEvent(team: MemberTeam): object {
  const capture = '2026-11-30T09:00:00.000Z';
  return {
    version: '1.0',
    invokingEvent: JSON.stringify({
      configurationItem: {
        configurationItemCaptureTime: capture,
        configurationItemStatus: 'OK',
        awsAccountId: team.account,
        awsRegion: REGION,
        resourceType: 'AWS::S3::Bucket',
        resourceId: team.bucket,
        resourceName: team.bucket,
        ARN: `arn:aws:s3:::${team.bucket}`,
        tags: { DataClassification: 'Public', SupportSNSTopic: team.topicArn },
        configuration: { name: team.bucket },
        supplementaryConfiguration: {},
      },
      notificationCreationTime: capture,
      messageType: 'ConfigurationItemChangeNotification',
      recordVersion: '1.3',
    }),
    ruleParameters: '{}',
    resultToken: `token-${team.account}`,
    eventLeftScope: false,
    executionRoleArn: `arn:aws:iam::${team.account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig`,
    configRuleArn: `arn:aws:config:${REGION}:${team.account}:config-rule/config-rule-abc123`,
    configRuleName: 'OrgConfigRule-bucket-tags-abc123',
    configRuleId: 'config-rule-abc123',
    accountId: team.account,
    evaluationMode: 'DETECTIVE',
  };
}

function periodicEvent(team: MemberTeam): object {
  const at = '2026-11-30T10:00:00.000Z';
  return {
    ...bucketChangeEvent(team),
    invokingEvent: JSON.stringify({
      awsAccountId: team.account,
      notificationCreationTime: at,
      messageType: 'ScheduledNotification',
      recordVersion: '1.0',
    }),
  };
}

const ORGANIZATION_ENV = {
  ORGANIZATION_ID: ORGANIZATION,
  CENTRAL_ACCOUNT_ID: CENTRAL,
  MEMBER_ROLE_NAME: 'BucketClassificationMember',
  POLICY_FILE: 'policies/default-policy.yaml',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

let stack: PackagedStack;
let proxy: FaultProxy;
let teams: MemberTeam[];
let centralTopic: string;
let centralQueue: string;
const config = new ConfigRecorder();
const centralSns = new SNSClient({});
const centralSqs = new SQSClient({});
const dynamodb = new DynamoDBClient({});

beforeAll(async () => {
  stack = packageStack('org');
  stack.extract('validateFinding', path.join(stack.work.path, 'finding'));
  stack.extract('checkBucketTags', path.join(stack.work.path, 'rule'));
  await config.start();
  proxy = await startFaultProxy(process.env.AWS_ENDPOINT_URL ?? '');
  await createLedgerTable(dynamodb, LEDGER);
  centralTopic = await createTopic(centralSns, `central-org-${RUN}`);
  centralQueue = (
    await subscribedQueue({ sns: centralSns, sqs: centralSqs }, centralTopic, `central-org-${RUN}`)
  ).url;
  teams = [await memberTeam(MEMBERS[0] as string, 1), await memberTeam(MEMBERS[1] as string, 2)];
}, 300_000);

afterAll(async () => {
  config.stop();
  await proxy?.stop();
  stack?.remove();
  await deleteLedgerTable(dynamodb, LEDGER);
});

/** The packaged validateFinding, as the central stack runs it; `endpoint` replaces moto's. */
function validateFinding(event: RawEvent, endpoint?: string): Promise<unknown> {
  return invokePackaged(
    path.join(stack.work.path, 'finding'),
    'handlers/validate-finding.js',
    event,
    {
      ...process.env,
      ...ORGANIZATION_ENV,
      ...(endpoint ? { AWS_ENDPOINT_URL: endpoint } : {}),
      SECURITY_TOPIC_ARN: centralTopic,
      METRICS_NAMESPACE: `DataClassification/org-${RUN}`,
      WAIVERS_FILE: 'policies/waivers.yaml',
      LEDGER_TABLE: LEDGER,
    },
  );
}

describe('a central deployment for an organisation, with the member template in two accounts', () => {
  it("carries a member's finding to the member team's topic, with the tags read through the member role", async () => {
    const [first, second] = teams as [MemberTeam, MemberTeam];

    const outcome = await validateFinding(memberFinding(first));

    expect(outcome).toMatchObject({
      outcome: 'recorded',
      verdict: 'violation',
      // Card numbers need Restricted; the bucket declares Public (read from its tags).
      severity: 'Critical',
      notice: { kind: 'violation', topics: [first.topicArn] },
    });
    const delivered = await drainQueue(
      first.sqs,
      first.queueUrl,
      (body) => snsMessage(body) as NoticeDocument,
    );
    expect(delivered).toEqual([
      expect.objectContaining({
        kind: 'violation',
        team: 'member-team-1',
        bucket: expect.objectContaining({ name: first.bucket, declaredLevel: 'Public' }),
      }),
    ]);
    expect(await drainQueue(second.sqs, second.queueUrl, snsMessage)).toEqual([]);
    expect(await drainQueue(centralSqs, centralQueue, snsMessage)).toEqual([]);
  }, 120_000);

  it("puts a member bucket's tag evaluation into that member's Config, and sweeps only that member's buckets", async () => {
    const [first, second] = teams as [MemberTeam, MemberTeam];
    const rule = (event: object) =>
      invokePackaged(path.join(stack.work.path, 'rule'), 'handlers/check-bucket-tags.js', event, {
        ...process.env,
        ...ORGANIZATION_ENV,
        AWS_ENDPOINT_URL_CONFIG_SERVICE: config.endpoint,
        AWS_LAMBDA_FUNCTION_NAME: 'bucket-classification-validator-org-checkBucketTags',
      });

    await rule(bucketChangeEvent(second));
    await rule(periodicEvent(first));

    const [change, sweep, ...more] = config.puts;
    expect(more).toEqual([]);
    expect(change?.resultToken).toBe(`token-${second.account}`);
    expect(change?.evaluations).toEqual([
      expect.objectContaining({ ComplianceResourceId: second.bucket, ComplianceType: 'COMPLIANT' }),
    ]);
    expect(await accountOfKey(change?.accessKeyId ?? '')).toBe(
      `${second.account} arn:aws:sts::${second.account}:assumed-role/BucketClassificationMember/bucket-classification-checkBucketTags`,
    );
    // The periodic run lists the first member's buckets, through its role: its one bucket.
    expect(sweep?.evaluations.map((e) => [e.ComplianceResourceId, e.ComplianceType])).toEqual([
      [first.bucket, 'COMPLIANT'],
    ]);
    expect(await accountOfKey(sweep?.accessKeyId ?? '')).toMatch(new RegExp(`^${first.account} `));
  }, 120_000);

  it("sends the notice to central security, saying why, when a member topic's policy does not let the central role publish", async () => {
    const [, second] = teams as [MemberTeam, MemberTeam];
    // moto enforces no topic policy: the proxy answers as SNS does for a topic
    // whose access policy leaves the central role out.
    proxy.use((request) =>
      request.operation === 'Publish' &&
      new URLSearchParams(request.body).get('TopicArn') === second.topicArn
        ? queryError(
            403,
            'AuthorizationError',
            `User: arn:aws:sts::${CENTRAL}:assumed-role/validate-finding/fn is not authorized to perform: SNS:Publish on resource: ${second.topicArn}`,
          )
        : undefined,
    );

    const outcome = await validateFinding(memberFinding(second), proxy.endpoint);

    expect(outcome).toMatchObject({ notice: { kind: 'violation', topics: [centralTopic] } });
    expect(await drainQueue(second.sqs, second.queueUrl, snsMessage)).toEqual([]);
    const atCentral = await drainQueue(
      centralSqs,
      centralQueue,
      (body) => snsMessage(body) as NoticeDocument,
    );
    expect(atCentral).toEqual([
      expect.objectContaining({
        team: 'member-team-2',
        bucket: expect.objectContaining({ name: second.bucket }),
        routing: expect.objectContaining({ fallbackReason: 'PublishRefused' }),
      }),
    ]);
    expect(JSON.stringify(atCentral[0]?.routing)).toContain('AuthorizationError');
  }, 120_000);
});
