/**
 * A monthly estimate for 10,000 buckets, 1,000,000 findings a month and 30 teams, from
 * the call counts and times the other sections measured in this run and the published
 * prices in bench/prices.json. An input this run did not measure falls back to the
 * budget figure and is listed under `cost.assumed`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type Calls,
  callsFromMeasured,
  FINDING_KINDS,
  type FindingKind,
  monthlyCost,
  type Prices,
  type Workload,
} from '../cost-model';
import { valueAt } from '../report';
import type { BenchContext, BenchSection } from '../section';
import { memoryOf, paramOf, readServerless } from '../serverless-file';

const BUCKETS = 10_000;
const FINDINGS_PER_MONTH = 1_000_000;
const TEAMS = 30;
const DAYS = 30;

/**
 * A scenario, not a measurement: most findings are in buckets that may hold what they
 * hold; a bucket in violation keeps getting findings until it is fixed.
 */
const FINDING_MIX: Record<FindingKind, number> = {
  compliant: 0.8,
  violation: 0.02,
  repeat: 0.17,
  noTagsInFinding: 0.01,
};

/** Calls per finding at the API-call budgets: the fallback when the handler was not measured. */
const BUDGET_CALLS: Record<FindingKind, Calls> = {
  // the ledger's write
  compliant: { dynamodbWrites: 1, dynamodbReads: 0, sns: 0, putMetricData: 0 },
  // the ledger's write, the topic's opt-in tag, the notice, the metrics
  violation: { dynamodbWrites: 1, dynamodbReads: 0, sns: 2, putMetricData: 1 },
  // the ledger's write, the metrics
  repeat: { dynamodbWrites: 1, dynamodbReads: 0, sns: 0, putMetricData: 1 },
  // as compliant, and the tags read from S3 (S3 requests are not priced here)
  noTagsInFinding: { dynamodbWrites: 1, dynamodbReads: 0, sns: 0, putMetricData: 0 },
};

/** Periodic runs a month for each Config frequency. */
const SWEEPS_PER_MONTH: Record<string, number> = {
  One_Hour: 24 * DAYS,
  Three_Hours: 8 * DAYS,
  Six_Hours: 4 * DAYS,
  Twelve_Hours: 2 * DAYS,
  TwentyFour_Hours: DAYS,
};

/** The numbers of earlier sections this estimate uses. */
function measured(results: Record<string, unknown>) {
  const number = (key: string): number | undefined => {
    const value = valueAt(results, key);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  };
  const record = (key: string): Record<string, number> | undefined => {
    const value = valueAt(results, key);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, number>)
      : undefined;
  };
  const sweepCalls = record(`configRule.periodic.${BUCKETS}.apiCalls`);
  return {
    findingMs: number('handler.p50Ms'),
    callsPerFinding: Object.fromEntries(
      FINDING_KINDS.map((kind) => {
        const byService = record(`handler.apiCallsByService.${kind}`);
        return [
          kind,
          byService && callsFromMeasured(byService, record(`handler.apiCallsByOperation.${kind}`)),
        ];
      }),
    ) as Record<FindingKind, Calls | undefined>,
    sweepSeconds: number(`configRule.periodic.${BUCKETS}.seconds`),
    sweepSnsCalls:
      sweepCalls &&
      Object.entries(sweepCalls)
        .filter(([call]) => call.startsWith('sns:'))
        .reduce((sum, [, count]) => sum + count, 0),
  };
}

async function estimate(ctx: BenchContext): Promise<Record<string, unknown>> {
  const prices = JSON.parse(
    readFileSync(path.join(ctx.root, 'bench', 'prices.json'), 'utf8'),
  ) as Omit<Prices, 'lambda'> & {
    lambda: { usdPerGbSecond: Record<string, number>; usdPerMillionRequests: number };
  };
  const serverless = readServerless(ctx.root);
  const architecture = paramOf(serverless, 'architecture');
  const usdPerGbSecond = prices.lambda.usdPerGbSecond[architecture];
  if (usdPerGbSecond === undefined) {
    throw new Error(
      `bench/prices.json: no Lambda price for the architecture ${architecture} of serverless.yml`,
    );
  }
  const frequency = paramOf(serverless, 'configPeriodicFrequency');
  const sweepsPerMonth = SWEEPS_PER_MONTH[frequency];
  if (sweepsPerMonth === undefined)
    throw new Error(`serverless.yml: unknown configPeriodicFrequency ${frequency}`);

  const found = measured(ctx.results ?? {});
  const assumed: string[] = [
    'findingMix',
    'changeEvaluationsPerMonth',
    'customMetrics',
    'scheduledRunSeconds',
  ];
  const orAssumed = <T>(name: string, value: T | undefined, fallback: T): T => {
    if (value !== undefined) return value;
    assumed.push(name);
    return fallback;
  };
  const callsPerFinding = Object.fromEntries(
    FINDING_KINDS.map((kind) => [
      kind,
      orAssumed(`callsPerFinding.${kind}`, found.callsPerFinding[kind], BUDGET_CALLS[kind]),
    ]),
  ) as Record<FindingKind, Calls>;
  const workload: Workload = {
    findingsPerMonth: FINDINGS_PER_MONTH,
    findingMix: FINDING_MIX,
    callsPerFinding,
    findingMs: orAssumed('findingMs', found.findingMs, 100),
    findingMemoryMb: memoryOf(serverless, 'validateFinding'),
    buckets: BUCKETS,
    sweepsPerMonth,
    // every bucket changes about once a month
    changeEvaluationsPerMonth: BUCKETS,
    sweepSecondsPerBucket: orAssumed(
      'sweepSecondsPerBucket',
      found.sweepSeconds === undefined ? undefined : found.sweepSeconds / BUCKETS,
      0.01,
    ),
    sweepMemoryMb: memoryOf(serverless, 'checkBucketTags'),
    sweepSnsCallsPerBucket: orAssumed(
      'sweepSnsCallsPerBucket',
      found.sweepSnsCalls === undefined ? undefined : found.sweepSnsCalls / BUCKETS,
      TEAMS / BUCKETS,
    ),
    // every team in every severity: violations, buckets in violation and waived (Team x
    // Severity), unclassified buckets (Team), and a few by reason
    customMetrics: TEAMS * 4 * 3 + TEAMS + 10,
    // the daily digest and the hourly bucket metrics
    scheduledRunsPerMonth: DAYS + 24 * DAYS,
    scheduledRunSeconds: 5,
    scheduledMemoryMb: memoryOf(serverless, 'summarizeLedger'),
    // a scan of one item per bucket of about 1 KB, eventually consistent: 1/8 unit each
    scheduledReadUnitsPerRun: BUCKETS / 8,
    scheduledPutMetricDataPerRun: 1,
  };
  const cost = monthlyCost(workload, {
    ...prices,
    lambda: { usdPerGbSecond, usdPerMillionRequests: prices.lambda.usdPerMillionRequests },
  });
  ctx.log(`assumed (not measured in this run): ${assumed.join(', ')}`);
  return {
    ...cost,
    inputs: {
      ...workload,
      architecture,
      teams: TEAMS,
      pricesReadOn: (prices as { readOn?: string }).readOn,
    },
    assumed,
  };
}

export const costSection: BenchSection = {
  name: 'cost',
  run: estimate,
  budgets: [],
};
