/**
 * What a month of the system costs, from call counts per finding and per bucket and the
 * published prices (bench/prices.json). Pure arithmetic: every input is a parameter.
 */

/** Published prices, as bench/prices.json holds them. */
export interface Prices {
  readonly lambda: { readonly usdPerGbSecond: number; readonly usdPerMillionRequests: number };
  readonly sns: { readonly usdPerMillionRequests: number };
  readonly cloudwatch: {
    readonly usdPerMetricMonth: number;
    readonly usdPerThousandPutMetricData: number;
  };
  readonly dynamodb: {
    readonly usdPerMillionWriteRequestUnits: number;
    readonly usdPerMillionReadRequestUnits: number;
  };
  readonly config: {
    readonly ruleEvaluationTiers: ReadonlyArray<{
      readonly upTo: number | null;
      readonly usdEach: number;
    }>;
  };
}

/** AWS calls one unit of work (a finding, a bucket) makes, by what they cost. */
export interface Calls {
  readonly dynamodbWrites: number;
  readonly dynamodbReads: number;
  readonly sns: number;
  readonly putMetricData: number;
}

export const FINDING_KINDS = ['compliant', 'violation', 'repeat', 'noTagsInFinding'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Workload {
  readonly findingsPerMonth: number;
  /** The share of findings of each kind (they add up to 1). */
  readonly findingMix: Readonly<Record<FindingKind, number>>;
  readonly callsPerFinding: Readonly<Record<FindingKind, Calls>>;
  /** How long validateFinding takes per finding, and its memory. */
  readonly findingMs: number;
  readonly findingMemoryMb: number;
  readonly buckets: number;
  /** Periodic sweeps of every bucket a month, and evaluations on changes besides. */
  readonly sweepsPerMonth: number;
  readonly changeEvaluationsPerMonth: number;
  readonly sweepSecondsPerBucket: number;
  readonly sweepMemoryMb: number;
  readonly sweepSnsCallsPerBucket: number;
  /** Custom metrics (name and dimension values) that get a datapoint in a month. */
  readonly customMetrics: number;
  /** The ledger's scheduled runs (digests, bucket metrics): invocations, seconds each, memory. */
  readonly scheduledRunsPerMonth: number;
  readonly scheduledRunSeconds: number;
  readonly scheduledMemoryMb: number;
  readonly scheduledReadUnitsPerRun: number;
  readonly scheduledPutMetricDataPerRun: number;
}

export interface MonthlyCost {
  readonly lambdaUsdPerMonth: number;
  readonly snsUsdPerMonth: number;
  readonly cloudwatchUsdPerMonth: number;
  readonly dynamodbUsdPerMonth: number;
  readonly configUsdPerMonth: number;
  readonly totalUsdPerMonth: number;
}

/** Price of `count` Config rule evaluations in a month, tier by tier. */
export function configEvaluationsUsd(
  count: number,
  tiers: Prices['config']['ruleEvaluationTiers'],
): number {
  let usd = 0;
  let from = 0;
  for (const { upTo, usdEach } of tiers) {
    const to = upTo ?? Number.POSITIVE_INFINITY;
    if (count <= from) break;
    usd += (Math.min(count, to) - from) * usdEach;
    from = to;
  }
  return usd;
}

/** Calls a month by all findings together, by what they cost. */
export function findingCalls(workload: Workload): Calls {
  const total = { dynamodbWrites: 0, dynamodbReads: 0, sns: 0, putMetricData: 0 };
  for (const kind of FINDING_KINDS) {
    const findings = workload.findingsPerMonth * workload.findingMix[kind];
    const calls = workload.callsPerFinding[kind];
    total.dynamodbWrites += findings * calls.dynamodbWrites;
    total.dynamodbReads += findings * calls.dynamodbReads;
    total.sns += findings * calls.sns;
    total.putMetricData += findings * calls.putMetricData;
  }
  return total;
}

/** The monthly cost of `workload` at `prices`. */
export function monthlyCost(workload: Workload, prices: Prices): MonthlyCost {
  const calls = findingCalls(workload);
  const gbSeconds = (ms: number, memoryMb: number): number => (ms / 1000) * (memoryMb / 1024);
  const sweepSeconds = workload.sweepSecondsPerBucket * workload.buckets * workload.sweepsPerMonth;
  const invocations =
    workload.findingsPerMonth + workload.sweepsPerMonth + workload.scheduledRunsPerMonth;
  const lambdaGbSeconds =
    workload.findingsPerMonth * gbSeconds(workload.findingMs, workload.findingMemoryMb) +
    gbSeconds(sweepSeconds * 1000, workload.sweepMemoryMb) +
    workload.scheduledRunsPerMonth *
      gbSeconds(workload.scheduledRunSeconds * 1000, workload.scheduledMemoryMb);
  const lambda =
    lambdaGbSeconds * prices.lambda.usdPerGbSecond +
    (invocations / 1e6) * prices.lambda.usdPerMillionRequests;

  const snsRequests =
    calls.sns + workload.sweepSnsCallsPerBucket * workload.buckets * workload.sweepsPerMonth;
  const sns = (snsRequests / 1e6) * prices.sns.usdPerMillionRequests;

  const putMetricData =
    calls.putMetricData + workload.scheduledRunsPerMonth * workload.scheduledPutMetricDataPerRun;
  const cloudwatch =
    workload.customMetrics * prices.cloudwatch.usdPerMetricMonth +
    (putMetricData / 1000) * prices.cloudwatch.usdPerThousandPutMetricData;

  const readUnits =
    calls.dynamodbReads + workload.scheduledRunsPerMonth * workload.scheduledReadUnitsPerRun;
  const dynamodb =
    (calls.dynamodbWrites / 1e6) * prices.dynamodb.usdPerMillionWriteRequestUnits +
    (readUnits / 1e6) * prices.dynamodb.usdPerMillionReadRequestUnits;

  const evaluations =
    workload.buckets * workload.sweepsPerMonth + workload.changeEvaluationsPerMonth;
  const config = configEvaluationsUsd(evaluations, prices.config.ruleEvaluationTiers);

  return {
    lambdaUsdPerMonth: lambda,
    snsUsdPerMonth: sns,
    cloudwatchUsdPerMonth: cloudwatch,
    dynamodbUsdPerMonth: dynamodb,
    configUsdPerMonth: config,
    totalUsdPerMonth: lambda + sns + cloudwatch + dynamodb + config,
  };
}

/** DynamoDB operations that write (one request unit per KB written). */
const DYNAMODB_WRITES = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;

/**
 * One finding's calls by what they cost, from the most calls a finding of its kind made to
 * each service (`{ dynamodb: 2, sns: 1, monitoring: 1, s3: 0 }`, as the proxy names them by
 * their signing name) and, to split DynamoDB reads from writes, every call of that kind by
 * operation (`{ 'dynamodb:UpdateItem': 40, ... }`); without those, DynamoDB calls count as
 * writes (the dearer kind).
 */
export function callsFromMeasured(
  byService: Readonly<Record<string, number>>,
  byOperation?: Readonly<Record<string, number>>,
): Calls {
  const dynamodb = byService.dynamodb ?? 0;
  let writeShare = 1;
  if (byOperation) {
    let writes = 0;
    let all = 0;
    for (const [call, count] of Object.entries(byOperation)) {
      const [service, operation = ''] = call.split(':');
      if (service !== 'dynamodb') continue;
      all += count;
      if (DYNAMODB_WRITES.test(operation)) writes += count;
    }
    if (all > 0) writeShare = writes / all;
  }
  return {
    dynamodbWrites: dynamodb * writeShare,
    dynamodbReads: dynamodb * (1 - writeShare),
    sns: byService.sns ?? 0,
    putMetricData: byService.monitoring ?? 0,
  };
}
