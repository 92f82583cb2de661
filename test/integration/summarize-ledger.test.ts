/**
 * The ledger's daily run and the `ledger` CLI against moto: a real DynamoDB table
 * (created here, keyed by `pk`), SNS topics with SQS subscribers to read what was
 * delivered, CloudWatch metrics read back with GetMetricData.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createLedgerSummary } from '../../flows/summarize-ledger';
import { CloudWatchMetricsSink } from '../../lib/cloudwatch-metrics';
import { DynamoDbLedger } from '../../lib/dynamodb-ledger';
import { SnsAlertPublisher } from '../../lib/sns-alert-publisher';
import { CachedTopicTags, SnsTopicDirectory } from '../../lib/sns-topic-directory';
import { loadPolicy } from '../../policies/load-policy';
import type { BucketState } from '../../rules/bucket-state';
import type { DigestDocument } from '../../rules/digest';
import type { NoticeDocument } from '../../rules/notice';
import { runCli } from '../support/cli';
import { clearEnv } from '../support/env';
import { cardNumbersBucket } from '../support/ledger-states';
import { createLedgerTable } from '../support/ledger-table';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import { createTeamTopic, createTopic } from '../support/sns-topics';
import { drainQueue, snsMessage, subscribedQueue } from '../support/sqs-inbox';

const TIMEOUT = 120_000;
const RUN = Date.now().toString(36);
const TABLE = `ledger-${RUN}`;
const NAMESPACE = `DataClassification/ledger-it-${RUN}`;
const TEAM = `team-a-${RUN}`;

const sns = new SNSClient({});
const sqs = new SQSClient({});
const dynamodb = new DynamoDBClient({});
const cloudwatch = new CloudWatchClient({});

let centralTopic: string;
let teamTopic: string;
let teamQueue: string;
let digestOnlyQueue: string;

/** A team's topic opts in to notices; central security's need not. */
async function topic(name: string, role: 'team' | 'central' = 'team'): Promise<string> {
  return role === 'team'
    ? createTeamTopic(sns, `${name}-${RUN}`)
    : createTopic(sns, `${name}-${RUN}`);
}

function state(bucket: string, level: string): BucketState {
  return cardNumbersBucket({
    accountId: ACCOUNT,
    bucket,
    level,
    topicArn: teamTopic,
    team: TEAM,
    notifiedSeverity: level === 'Internal' ? 'High' : 'Medium',
  });
}

async function bucketsInViolation(severity: string): Promise<number> {
  const { MetricDataResults = [] } = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 3_600_000),
      EndTime: new Date(Date.now() + 3_600_000),
      MetricDataQueries: [
        {
          Id: 'buckets',
          MetricStat: {
            Metric: {
              Namespace: NAMESPACE,
              MetricName: 'BucketsInViolation',
              Dimensions: [
                { Name: 'Team', Value: TEAM },
                { Name: 'Severity', Value: severity },
              ],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    }),
  );
  return Math.max(0, ...(MetricDataResults[0]?.Values ?? []));
}

const ledger = new DynamoDbLedger<BucketState>(TABLE, dynamodb);

function summary() {
  return createLedgerSummary({
    settings: {
      securityTopicArn: centralTopic,
      metricsNamespace: NAMESPACE,
      tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
      allowedTopicAccounts: [],
      policyFile: undefined,
      waiversFile: undefined,
      ledgerTable: TABLE,
      reminderAfterMs: 24 * 3_600_000,
      topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
      centralAccountId: ACCOUNT,
      organization: undefined,
    },
    policy: loadPolicy(),
    waivers: () => () => undefined,
    ledger,
    publisher: new SnsAlertPublisher(),
    topicTags: new CachedTopicTags(new SnsTopicDirectory()),
    metrics: new CloudWatchMetricsSink(NAMESPACE),
    logger: new Logger({ logLevel: 'SILENT' }),
  });
}

beforeAll(async () => {
  await createLedgerTable(dynamodb, TABLE);
  centralTopic = await topic('central-security', 'central');
  teamTopic = await topic('team-a-alerts');
  teamQueue = (await subscribedQueue({ sns, sqs }, teamTopic, `team-a-${RUN}`)).url;
  digestOnlyQueue = (
    await subscribedQueue({ sns, sqs }, teamTopic, `team-a-digests-${RUN}`, { kind: ['digest'] })
  ).url;
  await ledger.save(state(`exports-${RUN}`, 'Confidential'), undefined);
  await ledger.save(state(`archive-${RUN}`, 'Internal'), undefined);
}, TIMEOUT);

describe('the daily run against moto', () => {
  it(
    "delivers the team's digest to its topic with kind=digest",
    async () => {
      const outcome = await summary().run({ job: 'digest' });

      expect(outcome).toEqual(expect.objectContaining({ job: 'digest', notices: [] }));
      const digests = await drainQueue(
        sqs,
        digestOnlyQueue,
        (body) => snsMessage(body) as DigestDocument,
      );
      expect(digests).toHaveLength(1);
      expect(digests[0]).toEqual(
        expect.objectContaining({
          schema: 'bucket-classification-validator/digest/v1',
          kind: 'digest',
          team: TEAM,
          severity: 'High',
        }),
      );
      expect(digests[0]?.buckets.map((b) => b.name)).toEqual([`archive-${RUN}`, `exports-${RUN}`]);
      await drainQueue(sqs, teamQueue, (body) => body);
    },
    TIMEOUT,
  );

  it(
    'publishes BucketsInViolation, readable with GetMetricData',
    async () => {
      await summary().run({ job: 'metrics' });

      expect(await bucketsInViolation('High')).toBe(1);
      expect(await bucketsInViolation('Medium')).toBe(1);
      expect(await bucketsInViolation('Critical')).toBe(0);
    },
    TIMEOUT,
  );
});

describe('the ledger CLI against moto', () => {
  it(
    'shows the buckets of the table',
    async () => {
      const run = await runCli(
        'ledger',
        'show',
        '--table',
        TABLE,
        '--team',
        TEAM,
        '--format',
        'json',
      );

      expect(run.code).toBe(0);
      const shown = JSON.parse(run.stdout) as {
        buckets: Array<{ bucket: string; severity: string }>;
      };
      expect(shown.buckets.map((b) => [b.bucket, b.severity])).toEqual([
        [`archive-${RUN}`, 'High'],
        [`exports-${RUN}`, 'Medium'],
      ]);
    },
    TIMEOUT,
  );

  it(
    "resolves a bucket, recording the caller's identity, and sends one resolved notice",
    async () => {
      const env = clearEnv(['SECURITY_TOPIC_ARN']);
      process.env.SECURITY_TOPIC_ARN = centralTopic;
      try {
        const run = await runCli(
          'ledger',
          'resolve',
          `exports-${RUN}`,
          '--reason',
          'exports deleted',
          '--table',
          TABLE,
        );

        expect(run).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
        const stored = await ledger.bucket(ACCOUNT, `exports-${RUN}`);
        expect(stored?.state.resolution).toEqual(
          expect.objectContaining({
            by: expect.stringContaining(ACCOUNT),
            reason: 'exports deleted',
            types: ['CREDIT_CARD_NUMBER'],
          }),
        );
        expect(stored?.state.lastNotice).toEqual(
          expect.objectContaining({ kind: 'resolved', delivery: 'sent' }),
        );
        const notices = await drainQueue(
          sqs,
          teamQueue,
          (body) => snsMessage(body) as NoticeDocument,
        );
        expect(notices.map((n) => [n.kind, n.bucket.name])).toEqual([
          ['resolved', `exports-${RUN}`],
        ]);
      } finally {
        env.restore();
      }
    },
    TIMEOUT,
  );
});
