/**
 * Load: 2,000 findings across 200 buckets and 20 teams through the packaged
 * validateFinding function, 16 warm containers taking invocations at once against
 * moto, so that findings of one bucket race each other for its ledger entry.
 *
 * Each bucket's findings are alike, so the notice rules give one answer whatever
 * order the containers take them in: one notice per violating bucket, and one
 * escalation for the buckets whose later findings (sent after the first wave) add
 * a type that needs a higher level. Invocations that fail are retried as Lambda
 * retries an asynchronous event (twice); none may be left failed.
 *
 * Prints invocations per second and handler latency: figures to read, not budgets.
 */
import * as path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { NoticeDocument } from '../../rules/notice';
import { loadMacieEvent, type RawEvent } from '../support/fixtures';
import { createLedgerTable, deleteLedgerTable } from '../support/ledger-table';
import { violationCount } from '../support/metrics';
import { motoAccountId as ACCOUNT } from '../support/moto-server';
import {
  type PackagedStack,
  packageStack,
  startWarmContainer,
  type WarmContainer,
  type WarmResult,
} from '../support/package-stack';
import { createTeamTopic, createTopic } from '../support/sns-topics';
import { drainQueue, snsMessage, subscribedQueue } from '../support/sqs-inbox';

const REGION = process.env.AWS_REGION ?? 'us-east-1';
const RUN = Date.now().toString(36);
const NAMESPACE = `DataClassification/load-${RUN}`;
const LEDGER = `ledger-load-${RUN}`;

/** Each team has one bucket of each plan below. */
const TEAMS = 20;
const FINDINGS_PER_BUCKET = 10;
const CONTAINERS = 16;
/** Lambda retries a failed asynchronous invocation twice. */
const RETRIES = 2;

const sns = new SNSClient({});
const sqs = new SQSClient({});
const cloudwatch = new CloudWatchClient({});
const dynamodb = new DynamoDBClient({});

/**
 * What each of a team's ten buckets declares and holds. `later` types come in the
 * findings sent after the first wave.
 */
interface BucketPlan {
  readonly classification?: string;
  readonly types: readonly string[];
  readonly later?: readonly string[];
}

// EMAIL_ADDRESS needs Confidential (its category's level), CREDIT_CARD_NUMBER Restricted.
const PLANS: readonly BucketPlan[] = [
  { classification: 'Restricted', types: ['CREDIT_CARD_NUMBER'] },
  { classification: 'Confidential', types: ['EMAIL_ADDRESS'] },
  { classification: 'Internal', types: ['EMAIL_ADDRESS'] },
  { classification: 'Internal', types: ['EMAIL_ADDRESS'] },
  { classification: 'Internal', types: ['EMAIL_ADDRESS'] },
  { classification: 'Public', types: ['CREDIT_CARD_NUMBER'] },
  { classification: 'Public', types: ['CREDIT_CARD_NUMBER'] },
  { types: ['EMAIL_ADDRESS'] },
  { classification: 'Internal', types: ['EMAIL_ADDRESS'], later: ['CREDIT_CARD_NUMBER'] },
  { classification: 'Internal', types: ['EMAIL_ADDRESS'], later: ['CREDIT_CARD_NUMBER'] },
];

/** The notices each plan must produce, by kind, whatever the order of its findings. */
const EXPECTED_NOTICES: readonly (readonly string[])[] = [
  [],
  [],
  ['violation'],
  ['violation'],
  ['violation'],
  ['violation'],
  ['violation'],
  ['violation'],
  ['violation', 'escalation'],
  ['violation', 'escalation'],
];

/**
 * Violating findings each team must count, by severity: Internal holding a
 * Confidential type is one level short (Medium); Public holding a Restricted type
 * three (Critical); an unclassified bucket is judged as Public with at least the
 * unclassified severity (EMAIL_ADDRESS two levels short: High); the later findings
 * of the escalating buckets are two levels short (High).
 */
const EXPECTED_COUNTS_PER_TEAM: Readonly<Record<string, number>> = {
  Medium: 3 * 10 + 2 * 5,
  High: 10 + 2 * 5,
  Critical: 2 * 10,
};

interface Team {
  readonly name: string;
  readonly topicArn: string;
  readonly queueUrl: string;
}

let stack: PackagedStack;
let functionDir: string;
let central: Team;
let teams: Team[];

function bucketName(team: number, plan: number): string {
  return `load-${RUN}-t${team}-b${plan}`;
}

function findingEvent(team: Team, teamIndex: number, plan: number, index: number): RawEvent {
  const { classification, types, later } = PLANS[plan] as BucketPlan;
  const event = loadMacieEvent('sensitive-financial.json');
  event.account = ACCOUNT;
  event.region = REGION;
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  const bucket = bucketName(teamIndex, plan);
  detail.accountId = ACCOUNT;
  detail.region = REGION;
  detail.id = `${bucket}-finding-${index}`;
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = bucket;
  s3Bucket.arn = `arn:aws:s3:::${bucket}`;
  const tags: Record<string, string> = { SupportSNSTopic: team.topicArn, Team: team.name };
  if (classification) tags.DataClassification = classification;
  s3Bucket.tags = Object.entries(tags).map(([key, value]) => ({ key, value }));
  const found = later && index >= FINDINGS_PER_BUCKET / 2 ? [...types, ...later] : types;
  const result = (detail.classificationDetails as { result: Record<string, unknown> }).result;
  result.sensitiveData = [
    {
      category: 'PERSONAL_INFORMATION',
      totalCount: found.length,
      detections: found.map((type) => ({ type, count: 1 })),
    },
  ];
  return event;
}

/** The findings of the first wave, then the second, interleaved across buckets. */
function waves(): [RawEvent[], RawEvent[]] {
  const first: RawEvent[] = [];
  const second: RawEvent[] = [];
  for (let index = 0; index < FINDINGS_PER_BUCKET; index++) {
    teams.forEach((team, teamIndex) => {
      PLANS.forEach((plan, planIndex) => {
        const event = findingEvent(team, teamIndex, planIndex, index);
        (plan.later && index >= FINDINGS_PER_BUCKET / 2 ? second : first).push(event);
      });
    });
  }
  return [first, second];
}

interface Invocation {
  readonly findingId: string;
  readonly attempts: WarmResult[];
}

/** Runs every event on the containers, each taking the next event when it is free. */
async function runAll(containers: WarmContainer[], events: RawEvent[]): Promise<Invocation[]> {
  const invocations: Invocation[] = [];
  let next = 0;
  await Promise.all(
    containers.map(async (container) => {
      while (next < events.length) {
        const event = events[next++] as RawEvent;
        const attempts: WarmResult[] = [];
        for (let attempt = 0; attempt <= RETRIES; attempt++) {
          const result = await container.invoke(event);
          attempts.push(result);
          if (!('error' in result)) break;
        }
        invocations.push({ findingId: (event.detail as { id: string }).id, attempts });
      }
    }),
  );
  return invocations;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** A topic with a queue subscribed; a team's topic opts in to notices, central's needs not. */
async function inbox(name: string, team = true): Promise<Team> {
  const topicArn = await (team ? createTeamTopic : createTopic)(sns, `${name}-${RUN}`);
  const queue = await subscribedQueue({ sns, sqs }, topicArn, `${name}-${RUN}`);
  return { name, topicArn, queueUrl: queue.url };
}

async function delivered(queueUrl: string): Promise<NoticeDocument[]> {
  return drainQueue(sqs, queueUrl, (body) => snsMessage(body) as NoticeDocument);
}

beforeAll(async () => {
  stack = packageStack('load');
  functionDir = path.join(stack.work.path, 'task');
  stack.extract('validateFinding', functionDir);
  await createLedgerTable(dynamodb, LEDGER);
  central = await inbox('load-central', false);
  teams = [];
  for (let index = 0; index < TEAMS; index++) teams.push(await inbox(`load-team-${index}`));
}, 300_000);

afterAll(async () => {
  stack?.remove();
  await deleteLedgerTable(dynamodb, LEDGER);
});

describe('validateFinding under load', () => {
  it('notifies each bucket as the notice rules say and counts every violating finding, losing no invocation', async () => {
    const env = {
      ...process.env,
      SECURITY_TOPIC_ARN: central.topicArn,
      METRICS_NAMESPACE: NAMESPACE,
      POLICY_FILE: 'policies/default-policy.yaml',
      WAIVERS_FILE: 'policies/waivers.yaml',
      LEDGER_TABLE: LEDGER,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const containers = Array.from({ length: CONTAINERS }, () =>
      startWarmContainer(functionDir, 'handlers/validate-finding.js', env),
    );
    const [first, second] = waves();
    expect(first.length + second.length).toBe(2000);

    const started = process.hrtime.bigint();
    let invocations: Invocation[];
    try {
      invocations = [...(await runAll(containers, first)), ...(await runAll(containers, second))];
    } finally {
      await Promise.all(containers.map((container) => container.stop()));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    const latencies = invocations
      .flatMap((i) => i.attempts.map((attempt) => attempt.ms))
      .sort((a, b) => a - b);
    const retried = invocations.filter((i) => i.attempts.length > 1).length;
    process.stdout.write(
      `load: ${invocations.length} findings, ${CONTAINERS} containers, ` +
        `${(invocations.length / seconds).toFixed(1)} invocations/s, ` +
        `handler p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(0)} ms, ${retried} retried\n`,
    );

    // No invocation lost: every finding ends recorded, after Lambda's retries at most.
    const last = (i: Invocation) => i.attempts[i.attempts.length - 1] as WarmResult;
    const failed = invocations.filter((i) => 'error' in last(i));
    expect(failed.map((i) => [i.findingId, i.attempts])).toEqual([]);
    expect(new Set(invocations.map((i) => i.findingId)).size).toBe(2000);
    const outcomes = invocations.map(
      (i) => (last(i) as { result: { outcome: string } }).result.outcome,
    );
    expect(outcomes.filter((outcome) => outcome !== 'recorded')).toEqual([]);

    // Each team's topic got exactly the notices the rules give, one per change.
    for (const [teamIndex, team] of teams.entries()) {
      const notices = await delivered(team.queueUrl);
      const byBucket = new Map<string, string[]>();
      for (const notice of notices) {
        byBucket.set(notice.bucket.name, [
          ...(byBucket.get(notice.bucket.name) ?? []),
          notice.kind,
        ]);
      }
      for (const [plan, kinds] of EXPECTED_NOTICES.entries()) {
        expect([
          bucketName(teamIndex, plan),
          byBucket.get(bucketName(teamIndex, plan)) ?? [],
        ]).toEqual([bucketName(teamIndex, plan), kinds]);
      }
      expect(notices).toHaveLength(10);
    }
    // Central security gets a copy of each unclassified bucket's notice, and nothing else.
    const centralNotices = await delivered(central.queueUrl);
    expect(centralNotices.map((n) => n.bucket.name).sort()).toEqual(
      teams.map((_, teamIndex) => bucketName(teamIndex, 7)).sort(),
    );

    // The metrics count every violating finding, by team and severity.
    for (const team of teams) {
      for (const [severity, count] of Object.entries(EXPECTED_COUNTS_PER_TEAM)) {
        expect([
          team.name,
          severity,
          await violationCount(cloudwatch, NAMESPACE, team.name, severity),
        ]).toEqual([team.name, severity, count]);
      }
    }
  }, 900_000);
});
