import {
  isCompliantSweepBucket,
  sweepBucketName,
  sweepBucketTags,
} from '../../../bench/moto/sweep-buckets';
import { sizeFigures } from '../../../bench/sections/config-rule';
import { figures, plannedFindings } from '../../../bench/sections/handler';
import { expectedFailures, matchedBuckets } from '../../../bench/sections/peer';

const TOPICS = ['arn:aws:sns:us-east-1:123456789012:a', 'arn:aws:sns:us-east-1:123456789012:b'];

describe('the handler bench findings', () => {
  const { findings, untaggedBuckets } = plannedFindings('p', TOPICS);
  const detail = (i: number) =>
    findings[i]?.event.detail as unknown as {
      id: string;
      resourcesAffected: { s3Bucket: { name: string; tags: { key: string; value: string }[] } };
    };

  it('are 1,000: 100 first violations, 400 repeats, 300 compliant, 200 without tags', () => {
    const kinds: Record<string, number> = {};
    for (const f of findings) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
    expect(kinds).toEqual({ violation: 100, repeat: 400, compliant: 300, noTagsInFinding: 200 });
  });

  it('have distinct ids', () => {
    expect(new Set(findings.map((_, i) => detail(i).id)).size).toBe(1000);
  });

  it('give each violating bucket its first violation before its repeats', () => {
    const seen = new Set<string>();
    findings.forEach((f, i) => {
      const bucket = detail(i).resourcesAffected.s3Bucket.name;
      if (f.kind === 'violation') {
        expect(seen.has(bucket)).toBe(false);
        seen.add(bucket);
      }
      if (f.kind === 'repeat') expect(seen.has(bucket)).toBe(true);
    });
  });

  it('carry no tags exactly when the kind says so, and those buckets are tagged in S3', () => {
    findings.forEach((f, i) => {
      const { name, tags } = detail(i).resourcesAffected.s3Bucket;
      expect([f.kind, tags.length === 0]).toEqual([f.kind, f.kind === 'noTagsInFinding']);
      if (f.kind === 'noTagsInFinding') {
        expect(untaggedBuckets.get(name)?.DataClassification).toBe('Confidential');
      }
    });
  });
});

describe('the handler figures', () => {
  it('give latency percentiles, throughput and the worst finding of each kind', () => {
    const measured = [10, 20, 30, 40].map((ms) => ({
      kind: 'compliant' as const,
      ms,
      calls: [] as string[],
    }));
    const result = figures({ measured, seconds: 2 }, [
      { kind: 'violation', ms: 1, calls: ['dynamodb:TransactWriteItems', 'sns:Publish'] },
      { kind: 'violation', ms: 1, calls: ['dynamodb:TransactWriteItems'] },
    ]);
    expect(result).toMatchObject({
      findings: 4,
      p50Ms: 20,
      p95Ms: 40,
      perSecond: 2,
      apiCalls: { violation: 2 },
      apiCallsMean: { violation: 1.5 },
      apiCallsByService: { violation: { dynamodb: 1, sns: 1 } },
    });
  });
});

describe('the sweep buckets', () => {
  it('are eight in ten compliant: a level and a topic', () => {
    const compliant = Array.from({ length: 1000 }, (_, i) => i).filter(isCompliantSweepBucket);
    expect(compliant).toHaveLength(800);
  });

  it('declare a level the policy lacks, or no topic, exactly where they are not compliant', () => {
    for (let i = 0; i < 40; i++) {
      const tags = sweepBucketTags(i, TOPICS);
      const valid =
        ['Public', 'Internal', 'Confidential', 'Restricted'].includes(
          tags.DataClassification ?? '',
        ) && tags.SupportSNSTopic !== undefined;
      expect([i, valid]).toEqual([i, isCompliantSweepBucket(i)]);
    }
  });

  it('have names that sort in creation order', () => {
    expect(sweepBucketName(7)).toBe('bench-sweep-00007');
    expect(sweepBucketName(9999)).toBe('bench-sweep-09999');
  });
});

describe('the Cloud Custodian check', () => {
  it('expects the buckets whose index ends in 8 or 9 to fail', () => {
    expect(expectedFailures(20)).toEqual([
      'bench-sweep-00008',
      'bench-sweep-00009',
      'bench-sweep-00018',
      'bench-sweep-00019',
    ]);
  });

  it('reads the bucket names of resources.json, sorted', () => {
    expect(matchedBuckets(JSON.stringify([{ Name: 'b' }, { Name: 'a', Tags: [] }]))).toEqual([
      'a',
      'b',
    ]);
  });
});

describe('the sweep figures', () => {
  // Of buckets 0..9, 8 and 9 fail the rule.
  const run = (seconds: number, evaluations: number, calls?: string[], nonCompliant = 2) => ({
    seconds,
    parts: 1,
    evaluations,
    nonCompliant,
    ...(calls ? { calls } : {}),
  });

  it('give buckets per second from the timed sweep and calls per bucket from the counted one', () => {
    const calls = [...Array(30).fill('s3:GetBucketTagging'), 'config:PutEvaluations'];
    expect(sizeFigures(10, run(4, 10), run(9, 10, calls))).toMatchObject({
      seconds: 4,
      bucketsPerSecond: 2.5,
      apiCallsPerBucket: 3.1,
      apiCalls: { 's3:GetBucketTagging': 30, 'config:PutEvaluations': 1 },
    });
  });

  it('refuse a sweep that reported fewer evaluations than there are buckets', () => {
    expect(() => sizeFigures(10, run(4, 9), run(9, 10, []))).toThrow('only 9 evaluations');
    expect(() => sizeFigures(10, run(4, 10), run(9, 9, []))).toThrow('only 9 evaluations');
  });

  it('refuse a sweep that judged a different number of buckets non-compliant', () => {
    expect(() => sizeFigures(10, run(4, 10, undefined, 3), run(9, 10, []))).toThrow(
      'found 3 non-compliant; 2 are',
    );
    expect(() => sizeFigures(10, run(4, 10), run(9, 10, [], 10))).toThrow(
      'found 10 non-compliant; 2 are',
    );
  });
});
