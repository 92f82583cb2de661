import {
  type Calls,
  callsFromMeasured,
  configEvaluationsUsd,
  findingCalls,
  monthlyCost,
  type Prices,
  type Workload,
} from '../../../bench/cost-model';

const TIERS = [
  { upTo: 100_000, usdEach: 0.001 },
  { upTo: 500_000, usdEach: 0.0008 },
  { upTo: null, usdEach: 0.0005 },
];

const PRICES: Prices = {
  lambda: { usdPerGbSecond: 0.00002, usdPerMillionRequests: 0.2 },
  sns: { usdPerMillionRequests: 0.5 },
  cloudwatch: { usdPerMetricMonth: 0.3, usdPerThousandPutMetricData: 0.01 },
  dynamodb: { usdPerMillionWriteRequestUnits: 1, usdPerMillionReadRequestUnits: 0.25 },
  config: { ruleEvaluationTiers: TIERS },
};

const NONE: Calls = { dynamodbWrites: 0, dynamodbReads: 0, sns: 0, putMetricData: 0 };

/** One kind of finding only, a million of them, and nothing else going on. */
const ONLY_FINDINGS: Workload = {
  findingsPerMonth: 1_000_000,
  findingMix: { compliant: 0.5, violation: 0.5, repeat: 0, noTagsInFinding: 0 },
  callsPerFinding: {
    compliant: { ...NONE, dynamodbWrites: 1 },
    violation: { dynamodbWrites: 2, dynamodbReads: 4, sns: 2, putMetricData: 1 },
    repeat: NONE,
    noTagsInFinding: NONE,
  },
  findingMs: 100,
  findingMemoryMb: 512,
  buckets: 0,
  sweepsPerMonth: 0,
  changeEvaluationsPerMonth: 0,
  sweepSecondsPerBucket: 0,
  sweepMemoryMb: 256,
  sweepSnsCallsPerBucket: 0,
  customMetrics: 0,
  scheduledRunsPerMonth: 0,
  scheduledRunSeconds: 0,
  scheduledMemoryMb: 512,
  scheduledReadUnitsPerRun: 0,
  scheduledPutMetricDataPerRun: 0,
};

describe('configEvaluationsUsd', () => {
  it('prices each evaluation at its tier', () => {
    expect(configEvaluationsUsd(0, TIERS)).toBe(0);
    expect(configEvaluationsUsd(100_000, TIERS)).toBeCloseTo(100, 9);
    expect(configEvaluationsUsd(100_001, TIERS)).toBeCloseTo(100.0008, 9);
    expect(configEvaluationsUsd(500_000, TIERS)).toBeCloseTo(420, 9);
    expect(configEvaluationsUsd(600_000, TIERS)).toBeCloseTo(470, 9);
  });
});

describe('monthlyCost', () => {
  it('adds up the calls of each kind of finding by its share', () => {
    expect(findingCalls(ONLY_FINDINGS)).toEqual({
      dynamodbWrites: 1_500_000,
      dynamodbReads: 2_000_000,
      sns: 1_000_000,
      putMetricData: 500_000,
    });
  });

  it('prices a month of findings service by service', () => {
    const cost = monthlyCost(ONLY_FINDINGS, PRICES);
    // 1M x 0.1 s x 0.5 GB = 50,000 GB-s at 0.00002, and 1M requests at 0.2 per million
    expect(cost.lambdaUsdPerMonth).toBeCloseTo(1.2, 9);
    expect(cost.snsUsdPerMonth).toBeCloseTo(0.5, 9);
    // 500,000 PutMetricData at 0.01 per thousand
    expect(cost.cloudwatchUsdPerMonth).toBeCloseTo(5, 9);
    // 1.5M write units at 1 per million, 2M read units at 0.25 per million
    expect(cost.dynamodbUsdPerMonth).toBeCloseTo(2, 9);
    expect(cost.configUsdPerMonth).toBe(0);
    expect(cost.totalUsdPerMonth).toBeCloseTo(8.7, 9);
  });

  it('prices the sweeps, the scheduled runs and the custom metrics', () => {
    const cost = monthlyCost(
      {
        ...ONLY_FINDINGS,
        findingsPerMonth: 0,
        buckets: 10_000,
        sweepsPerMonth: 30,
        changeEvaluationsPerMonth: 10_000,
        sweepSecondsPerBucket: 0.01,
        sweepSnsCallsPerBucket: 0.5,
        customMetrics: 100,
        scheduledRunsPerMonth: 10,
        scheduledRunSeconds: 2,
        scheduledReadUnitsPerRun: 100_000,
        scheduledPutMetricDataPerRun: 100,
      },
      PRICES,
    );
    // sweeps: 10,000 x 0.01 s x 30 = 3,000 s at 0.25 GB = 750 GB-s; scheduled: 10 x 2 s x
    // 0.5 GB = 10 GB-s; 40 invocations
    expect(cost.lambdaUsdPerMonth).toBeCloseTo(760 * 0.00002 + 40 * 0.2e-6, 12);
    // 150,000 topic look-ups
    expect(cost.snsUsdPerMonth).toBeCloseTo(0.075, 9);
    // 100 metrics, 1,000 PutMetricData
    expect(cost.cloudwatchUsdPerMonth).toBeCloseTo(30.01, 9);
    expect(cost.dynamodbUsdPerMonth).toBeCloseTo(0.25, 9);
    // 310,000 evaluations: 100,000 at 0.001, 210,000 at 0.0008
    expect(cost.configUsdPerMonth).toBeCloseTo(268, 9);
  });
});

describe('callsFromMeasured', () => {
  it('splits DynamoDB calls into reads and writes by the operations seen', () => {
    expect(
      callsFromMeasured(
        { dynamodb: 4, sns: 2, monitoring: 1, s3: 1 },
        {
          'dynamodb:GetItem': 10,
          'dynamodb:UpdateItem': 20,
          'dynamodb:PutItem': 10,
          'sns:Publish': 5,
        },
      ),
    ).toEqual({ dynamodbWrites: 3, dynamodbReads: 1, sns: 2, putMetricData: 1 });
  });

  it('counts DynamoDB calls as writes when the operations are not known', () => {
    expect(callsFromMeasured({ dynamodb: 2 })).toEqual({
      dynamodbWrites: 2,
      dynamodbReads: 0,
      sns: 0,
      putMetricData: 0,
    });
  });
});
