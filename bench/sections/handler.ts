/**
 * The packaged validateFinding function (the zip `serverless package` writes), warm,
 * over 1,000 findings against moto: latency, throughput and AWS API calls per
 * finding by kind.
 *
 * Two warm containers take the same mix of findings, each for buckets of its own:
 * one talks to moto directly and is timed; the other talks to moto through a proxy
 * that counts every request it passes on (SDK retries included), and each finding's
 * calls are those made while it was handled (the container takes one at a time).
 */
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { startFaultProxy } from '../../test/support/fault-proxy';
import { loadMacieEvent, type RawEvent } from '../../test/support/fixtures';
import { createLedgerTable } from '../../test/support/ledger-table';
import { motoAccountId, motoClientConfig, motoRegion } from '../../test/support/moto-server';
import {
  packageStack,
  startWarmContainer,
  type WarmContainer,
} from '../../test/support/package-stack';
import { createTeamTopic, createTopic } from '../../test/support/sns-topics';
import { createTaggedBuckets } from '../moto/buckets';
import { tallyByKind } from '../moto/call-tally';
import { envFor, withMoto } from '../moto/server';
import { percentile, round } from '../percentiles';
import type { BenchContext, BenchSection, Budget } from '../section';

/** What a finding is to its bucket, as the API-call budgets name them. */
export type FindingKind = 'compliant' | 'violation' | 'repeat' | 'noTagsInFinding';

export interface PlannedFinding {
  readonly kind: FindingKind;
  readonly event: RawEvent;
}

const TEAMS = 30;
/** Buckets of each plan; with the findings per bucket below, 1,000 findings. */
const VIOLATING_BUCKETS = 100;
const FINDINGS_PER_VIOLATING_BUCKET = 5;
const COMPLIANT_BUCKETS = 100;
const FINDINGS_PER_COMPLIANT_BUCKET = 3;
const UNTAGGED_FINDING_BUCKETS = 100;
const FINDINGS_PER_UNTAGGED_FINDING_BUCKET = 2;
/**
 * Each container first takes one violation per team, not measured: a warm
 * container has loaded its modules, opened its connections and read each team
 * topic's opt-in tag (cached per container, see lib/sns-topic-directory.ts).
 */
const WARM_UP_FINDINGS = TEAMS;

interface BucketDeclaration {
  readonly classification: string;
  readonly topicArn: string;
  readonly team: string;
}

function tagMap(declaration: BucketDeclaration): Record<string, string> {
  return {
    DataClassification: declaration.classification,
    SupportSNSTopic: declaration.topicArn,
    Team: declaration.team,
  };
}

/** A Macie finding about `bucket`, detecting `type`, carrying the bucket's tags or none. */
function finding(
  bucket: string,
  id: string,
  type: string,
  tags: Record<string, string> | undefined,
): RawEvent {
  const event = loadMacieEvent('sensitive-financial.json');
  event.account = motoAccountId;
  event.region = motoRegion;
  const detail = event.detail as RawEvent['detail'] & Record<string, unknown>;
  detail.accountId = motoAccountId;
  detail.region = motoRegion;
  detail.id = id;
  const s3Bucket = detail.resourcesAffected.s3Bucket;
  s3Bucket.name = bucket;
  s3Bucket.arn = `arn:aws:s3:::${bucket}`;
  s3Bucket.tags = tags ? Object.entries(tags).map(([key, value]) => ({ key, value })) : [];
  const result = (detail.classificationDetails as { result: Record<string, unknown> }).result;
  result.sensitiveData = [
    { category: 'PERSONAL_INFORMATION', totalCount: 1, detections: [{ type, count: 1 }] },
  ];
  return event;
}

/**
 * The findings of one run, interleaved across buckets as Macie's job would send
 * them: an Internal bucket holding card numbers (Restricted) violates with its
 * first finding and repeats with the next; a Restricted bucket holding card
 * numbers is compliant; an Internal bucket holding e-mail addresses (Confidential)
 * whose findings carry no tags is read from S3 (its tags say Confidential).
 */
export function plannedFindings(
  prefix: string,
  topics: readonly string[],
): { findings: PlannedFinding[]; untaggedBuckets: Map<string, Record<string, string>> } {
  const declaration = (index: number, classification: string): BucketDeclaration => ({
    classification,
    topicArn: topics[index % topics.length] as string,
    team: `team-${index % topics.length}`,
  });
  const rounds = Math.max(
    FINDINGS_PER_VIOLATING_BUCKET,
    FINDINGS_PER_COMPLIANT_BUCKET,
    FINDINGS_PER_UNTAGGED_FINDING_BUCKET,
  );
  const findings: PlannedFinding[] = [];
  const untaggedBuckets = new Map<string, Record<string, string>>();
  for (let index = 0; index < UNTAGGED_FINDING_BUCKETS; index++) {
    untaggedBuckets.set(`${prefix}-s3tags-${index}`, tagMap(declaration(index, 'Confidential')));
  }
  for (let round = 0; round < rounds; round++) {
    for (
      let index = 0;
      index < VIOLATING_BUCKETS && round < FINDINGS_PER_VIOLATING_BUCKET;
      index++
    ) {
      const bucket = `${prefix}-violating-${index}`;
      findings.push({
        kind: round === 0 ? 'violation' : 'repeat',
        event: finding(
          bucket,
          `${bucket}-${round}`,
          'CREDIT_CARD_NUMBER',
          tagMap(declaration(index, 'Internal')),
        ),
      });
    }
    for (
      let index = 0;
      index < COMPLIANT_BUCKETS && round < FINDINGS_PER_COMPLIANT_BUCKET;
      index++
    ) {
      const bucket = `${prefix}-compliant-${index}`;
      findings.push({
        kind: 'compliant',
        event: finding(
          bucket,
          `${bucket}-${round}`,
          'CREDIT_CARD_NUMBER',
          tagMap(declaration(index, 'Restricted')),
        ),
      });
    }
    for (
      let index = 0;
      index < UNTAGGED_FINDING_BUCKETS && round < FINDINGS_PER_UNTAGGED_FINDING_BUCKET;
      index++
    ) {
      const bucket = `${prefix}-s3tags-${index}`;
      findings.push({
        kind: 'noTagsInFinding',
        event: finding(bucket, `${bucket}-${round}`, 'EMAIL_ADDRESS', undefined),
      });
    }
  }
  return { findings, untaggedBuckets };
}

interface Measured {
  readonly kind: FindingKind;
  readonly ms: number;
  readonly calls: readonly string[];
}

/** Hands the findings to the container one at a time; `calls` says what each one called. */
async function runFindings(
  container: WarmContainer,
  findings: readonly PlannedFinding[],
  calls: () => string[] = () => [],
): Promise<{ measured: Measured[]; seconds: number }> {
  const measured: Measured[] = [];
  const started = process.hrtime.bigint();
  for (const { kind, event } of findings) {
    const reply = await container.invoke(event);
    if ('error' in reply)
      throw new Error(`validateFinding failed on a ${kind} finding: ${reply.error}`);
    const outcome = (reply.result as { outcome?: string }).outcome;
    if (outcome !== 'recorded') {
      throw new Error(
        `validateFinding answered a ${kind} finding with ${JSON.stringify(reply.result)}`,
      );
    }
    measured.push({ kind, ms: reply.ms, calls: calls() });
  }
  return { measured, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  ctx.log('packaging the stack (serverless package, about a minute)');
  const stack = packageStack('bench');
  try {
    const taskRoot = path.join(stack.work.path, 'task');
    stack.extract('validateFinding', taskRoot);
    return await withMoto(ctx, async (moto) => {
      const sns = new SNSClient(motoClientConfig(moto.endpoint));
      const s3 = new S3Client(motoClientConfig(moto.endpoint));
      const dynamodb = new DynamoDBClient(motoClientConfig(moto.endpoint));
      const central = await createTopic(sns, 'bench-central-security');
      const topics: string[] = [];
      for (let team = 0; team < TEAMS; team++) {
        topics.push(await createTeamTopic(sns, `bench-team-${team}`));
      }
      const proxy = await startFaultProxy(moto.endpoint);
      try {
        const measure = async (
          name: string,
          endpoint: string,
          calls?: () => string[],
        ): Promise<{ measured: Measured[]; seconds: number }> => {
          const ledger = await createLedgerTable(dynamodb, `bench-ledger-${name}`);
          const warmUp = plannedFindings(`bench-${name}-warm`, topics)
            .findings.filter((f) => f.kind === 'violation')
            .slice(0, WARM_UP_FINDINGS);
          const planned = plannedFindings(`bench-${name}`, topics);
          for (const [bucket, tags] of planned.untaggedBuckets)
            await createTaggedBuckets(
              s3,
              { from: 0, to: 1 },
              () => bucket,
              () => tags,
            );
          const container = startWarmContainer(
            taskRoot,
            'handlers/validate-finding.js',
            envFor(endpoint, {
              SECURITY_TOPIC_ARN: central,
              METRICS_NAMESPACE: `DataClassification/bench-${name}`,
              POLICY_FILE: 'policies/default-policy.yaml',
              WAIVERS_FILE: 'policies/waivers.yaml',
              LEDGER_TABLE: ledger,
              POWERTOOLS_LOG_LEVEL: 'ERROR',
            }),
          );
          try {
            for (const { event } of warmUp) await container.invoke(event);
            calls?.();
            ctx.log(`${name}: ${planned.findings.length} findings`);
            return await runFindings(container, planned.findings, calls);
          } finally {
            await container.stop();
          }
        };

        const timed = await measure('timed', moto.endpoint);
        const counted = await measure('counted', proxy.endpoint, () => proxy.seen.splice(0));
        return figures(timed, counted.measured);
      } finally {
        await proxy.stop();
      }
    });
  } finally {
    stack.remove();
  }
}

/** The section's figures from the timed run and the counted one. */
export function figures(
  timed: { readonly measured: readonly Measured[]; readonly seconds: number },
  counted: readonly Measured[],
): Record<string, unknown> {
  const latencies = timed.measured.map((m) => m.ms);
  const kinds = tallyByKind(counted);
  const pick = <T>(value: (tally: (typeof kinds)[string]) => T): Record<string, T> =>
    Object.fromEntries(Object.entries(kinds).map(([kind, tally]) => [kind, value(tally)]));
  return {
    findings: timed.measured.length,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    perSecond: round(timed.measured.length / timed.seconds, 1),
    apiCalls: pick((tally) => tally.max),
    apiCallsMean: pick((tally) => round(tally.mean)),
    apiCallsByService: pick((tally) => tally.maxByService),
    apiCallsByOperation: pick((tally) => tally.operations),
  };
}

/** At most `limit` calls per finding of `kind`. */
function callsAtMost(kind: FindingKind, limit: number): Budget {
  return {
    key: `handler.apiCalls.${kind}`,
    check: (value) =>
      typeof value === 'number' && value <= limit
        ? undefined
        : `a ${kind} finding made ${String(value)} AWS API calls; the budget is ${limit}`,
  };
}

/** A finding that carries its bucket's tags never reads them from S3. */
function noS3Reads(kind: FindingKind): Budget {
  return {
    key: `handler.apiCallsByService.${kind}`,
    check: (value) => {
      const s3 = (value as Record<string, number> | undefined)?.s3 ?? 0;
      return s3 === 0 ? undefined : `a ${kind} finding carries its tags but made ${s3} S3 calls`;
    },
  };
}

export const handlerSection: BenchSection = {
  name: 'handler',
  run,
  budgets: [
    callsAtMost('compliant', 1),
    callsAtMost('repeat', 2),
    callsAtMost('violation', 4),
    noS3Reads('compliant'),
    noS3Reads('repeat'),
    noS3Reads('violation'),
  ],
};
