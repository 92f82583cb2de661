/**
 * A periodic run of checkBucketTags that does not fit in one invocation: pages of
 * buckets, batches reported as they are judged, and the rest handed to a fresh
 * invocation when time runs short. The account, the clock and Lambda are fakes;
 * each handed-over event goes through JSON, as Lambda carries it.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createTagRule, type TagRuleOutcome } from '../../../flows/check-bucket-tags';
import {
  type EvaluatedResource,
  type Evaluation,
  type EvaluationReporter,
  EvaluationsRejectedError,
} from '../../../lib/config-evaluations';
import { ConfigEventError, SweepError } from '../../../lib/errors';
import type { SweepHandover } from '../../../lib/lambda-sweep-handover';
import type { BucketPage, PagedBucketInventory } from '../../../lib/s3-bucket-inventory';
import type { TagSource } from '../../../lib/s3-tag-source';
import type { TopicDirectory, TopicStatus } from '../../../lib/sns-topic-directory';
import { loadPolicy } from '../../../policies/load-policy';
import { awsError } from '../../support/aws-errors';
import { loadConfigEvent } from '../../support/config-events';
import { FakeTopicTags } from '../../support/fakes';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:team-a-alerts';
const NOTIFIED = new Date('2024-05-15T12:00:00.118Z');
const VALID = { DataClassification: 'Internal', SupportSNSTopic: TOPIC, Team: 'a' };
const MARGIN_MS = 60_000;

/** `b-00000` .. : names that sort as they are numbered. */
function bucketNames(count: number, prefix = 'b'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
}

/** An account whose buckets S3 lists `pageSize` a page, with opaque page tokens. */
class PagedAccount implements PagedBucketInventory, TagSource, TopicDirectory {
  readonly tagReads = new Map<string, number>();
  readonly pageRequests: Array<string | undefined> = [];
  fullListings = 0;

  constructor(
    public names: string[],
    private readonly pageSize = 10_000,
    private readonly tags: (bucket: string) => Record<string, string> = (bucket) =>
      Number(bucket.slice(-1)) % 2 === 0 ? VALID : {},
  ) {}

  async page(_region: string, token?: string): Promise<BucketPage> {
    this.pageRequests.push(token);
    const start = token === undefined ? 0 : Number(token.replace('page-from-', ''));
    const end = start + this.pageSize;
    return {
      names: this.names.slice(start, end),
      ...(end < this.names.length ? { next: `page-from-${end}` } : {}),
    };
  }

  async bucketNames(): Promise<string[]> {
    this.fullListings++;
    return [...this.names];
  }

  async tagsOf(bucket: string): Promise<Record<string, string>> {
    this.tagReads.set(bucket, (this.tagReads.get(bucket) ?? 0) + 1);
    return this.tags(bucket);
  }

  async check(): Promise<TopicStatus> {
    return { kind: 'deliverable' };
  }
}

/** Lambda's time left: every reported batch takes `msPerReport` of it. */
class FakeClock {
  constructor(
    private remaining: number,
    private readonly msPerReport = 0,
  ) {}
  getRemainingTimeInMillis(): number {
    return this.remaining;
  }
  reported(): void {
    this.remaining -= this.msPerReport;
  }
}

class RecordingReporter implements EvaluationReporter {
  readonly reports: Evaluation[][] = [];
  clock: FakeClock | undefined;
  /** Called before each report is recorded; may throw. */
  refuse: (evaluations: readonly Evaluation[], call: number) => void = () => {};

  async report(evaluations: readonly Evaluation[]): Promise<void> {
    this.clock?.reported();
    this.refuse(evaluations, this.reports.length);
    this.reports.push([...evaluations]);
  }
  evaluations(): Evaluation[] {
    return this.reports.flat();
  }
}

class CapturingHandover implements SweepHandover {
  readonly events: Array<Record<string, unknown>> = [];
  async handOver(event: Readonly<Record<string, unknown>>): Promise<void> {
    // What Lambda would deliver: the payload as JSON.
    this.events.push(JSON.parse(JSON.stringify(event)));
  }
}

function setup(account: PagedAccount, earlier: EvaluatedResource[] = []) {
  const reporter = new RecordingReporter();
  const handover = new CapturingHandover();
  const rule = createTagRule({
    settings: {
      tagKeys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
      allowedTopicAccounts: [],
      policyFile: undefined,
      region: 'us-east-1',
      tagReadConcurrency: 8,
      functionName: 'check-bucket-tags',
      sweepSafetyMarginMs: MARGIN_MS,
      topicOptIn: { key: 'AcceptsClassificationAlerts', value: 'true' },
      organization: undefined,
    },
    policy: loadPolicy(),
    reporter,
    history: { itemAt: async () => undefined },
    inventory: account,
    tags: account,
    topics: account,
    topicTags: new FakeTopicTags(),
    earlier: { evaluatedBy: async () => earlier },
    handover,
    logger: new Logger({ logLevel: 'SILENT' }),
  });

  /**
   * Runs the periodic event, then every event handed over, each as a fresh
   * invocation with its own clock, until no part hands over any more.
   */
  async function runChain(clock: () => FakeClock, maxParts = 100) {
    const outcomes: TagRuleOutcome[] = [];
    let event: unknown = loadConfigEvent('periodic.json');
    while (event !== undefined) {
      if (outcomes.length === maxParts) throw new Error(`more than ${maxParts} parts`);
      const handedBefore = handover.events.length;
      reporter.clock = clock();
      outcomes.push(await rule(event, reporter.clock));
      event = handover.events.length > handedBefore ? handover.events.at(-1) : undefined;
    }
    return outcomes;
  }

  return { rule, reporter, handover, runChain };
}

/** How often each bucket was reported. */
function timesReported(evaluations: readonly Evaluation[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const e of evaluations) times.set(e.resourceId, (times.get(e.resourceId) ?? 0) + 1);
  return times;
}

describe('a periodic run of checkBucketTags over many buckets', () => {
  describe('50,000 buckets in 10,000-bucket pages, 10 s per batch of a 300 s invocation', () => {
    // Each part starts with 300 s and hands over when less than 60 s are left:
    // after 25 batches (2,500 buckets), so 20 parts judge the buckets and a 21st
    // clears the results of vanished buckets.
    const names = bucketNames(50_000);
    let run: {
      outcomes: TagRuleOutcome[];
      reporter: RecordingReporter;
      handover: CapturingHandover;
      account: PagedAccount;
    };

    beforeAll(async () => {
      const account = new PagedAccount(names);
      const { reporter, handover, runChain } = setup(account, [
        { resourceType: 'AWS::S3::Bucket', resourceId: 'b-00007' },
        { resourceType: 'AWS::S3::Bucket', resourceId: 'gone-bucket' },
      ]);
      const outcomes = await runChain(() => new FakeClock(300_000, 10_000));
      run = { outcomes, reporter, handover, account };
    }, 120_000);

    it('judges and reports every bucket exactly once across the parts', () => {
      const times = timesReported(run.reporter.evaluations());

      expect(times.size).toBe(50_001);
      expect([...times.values()].every((n) => n === 1)).toBe(true);
      expect(names.every((name) => times.get(name) === 1)).toBe(true);
      expect([...run.account.tagReads.values()].every((n) => n === 1)).toBe(true);
      expect(run.account.tagReads.size).toBe(50_000);
    });

    it('reports in batches of at most 100', () => {
      const sizes = run.reporter.reports.map((r) => r.length);

      expect(Math.max(...sizes)).toBe(100);
      expect(sizes.filter((size) => size === 100)).toHaveLength(500);
    });

    it('gives every result the notification time as ordering timestamp, in every part', () => {
      const stamps = new Set(run.reporter.evaluations().map((e) => e.orderingTimestamp.getTime()));

      expect([...stamps]).toEqual([NOTIFIED.getTime()]);
    });

    it('runs in 21 parts, numbered in order, each but the last handing over', () => {
      expect(run.outcomes.map((o) => o.sweep)).toEqual([
        ...Array.from({ length: 20 }, (_, i) => ({ part: i + 1, handedOver: true })),
        { part: 21, handedOver: false },
      ]);
      expect(run.outcomes.slice(0, 20).every((o) => o.evaluations === 2_500)).toBe(true);
      expect(run.outcomes[20]?.evaluations).toBe(1);
    });

    it('hands over the Config event unchanged, plus where to go on', () => {
      const original = loadConfigEvent('periodic.json');

      for (const event of run.handover.events) {
        const { sweepContinuation, ...rest } = event;
        expect(rest).toEqual(original);
        expect(sweepContinuation).toEqual(expect.objectContaining({ refused: 0 }));
      }
      expect(run.handover.events.map((e) => e.sweepContinuation).slice(0, 5)).toEqual([
        { part: 2, next: { stage: 'buckets', done: 2_500, lastBucket: 'b-02499' }, refused: 0 },
        { part: 3, next: { stage: 'buckets', done: 5_000, lastBucket: 'b-04999' }, refused: 0 },
        { part: 4, next: { stage: 'buckets', done: 7_500, lastBucket: 'b-07499' }, refused: 0 },
        {
          part: 5,
          next: { stage: 'buckets', pageToken: 'page-from-10000', done: 0 },
          refused: 0,
        },
        {
          part: 6,
          next: {
            stage: 'buckets',
            pageToken: 'page-from-10000',
            done: 2_500,
            lastBucket: 'b-12499',
          },
          refused: 0,
        },
      ]);
      expect(run.handover.events.at(-1)?.sweepContinuation).toEqual({
        part: 21,
        next: { stage: 'cleanup' },
        refused: 0,
      });
    });

    it('keeps every handed-over event far below the 256 KB of an asynchronous invocation', () => {
      const sizes = run.handover.events.map((e) => Buffer.byteLength(JSON.stringify(e)));

      expect(Math.max(...sizes)).toBeLessThan(2_000);
    });

    it('clears the results of vanished buckets once, in the last part, from a fresh listing', () => {
      const cleared = run.reporter.evaluations().filter((e) => e.compliance === 'NOT_APPLICABLE');

      expect(cleared).toEqual([
        {
          resourceType: 'AWS::S3::Bucket',
          resourceId: 'gone-bucket',
          compliance: 'NOT_APPLICABLE',
          annotation: 'The bucket is no longer listed in us-east-1.',
          orderingTimestamp: NOTIFIED,
        },
      ]);
      expect(run.account.fullListings).toBe(1);
      expect(run.reporter.reports.at(-1)).toEqual(cleared);
    });
  });

  it('reports each batch as soon as it is judged, so a failure later keeps them', async () => {
    const { rule, reporter } = setup(new PagedAccount(bucketNames(250)));
    reporter.refuse = (_, call) => {
      if (call === 2) throw awsError('ThrottlingException');
    };

    await expect(rule(loadConfigEvent('periodic.json'))).rejects.toThrow('ThrottlingException');

    expect(reporter.reports.map((r) => r.length)).toEqual([100, 100]);
  });

  it('never hands over without a clock, however many buckets', async () => {
    const { rule, reporter, handover } = setup(new PagedAccount(bucketNames(1_050), 500));

    const outcome = await rule(loadConfigEvent('periodic.json'));

    expect(outcome.sweep).toEqual({ part: 1, handedOver: false });
    expect(handover.events).toEqual([]);
    expect(reporter.reports.map((r) => r.length)).toEqual([...Array(10).fill(100), 50, 0]);
  });

  it('judges one batch in every part even when time is short from the start', async () => {
    const account = new PagedAccount(bucketNames(250));
    const { reporter, handover, runChain } = setup(account);

    const outcomes = await runChain(() => new FakeClock(1_000));

    expect(outcomes.map((o) => [o.sweep?.part, o.evaluations])).toEqual([
      [1, 100],
      [2, 100],
      [3, 50],
      [4, 0],
    ]);
    expect(handover.events.map((e) => e.sweepContinuation)).toEqual([
      { part: 2, next: { stage: 'buckets', done: 100, lastBucket: 'b-00099' }, refused: 0 },
      { part: 3, next: { stage: 'buckets', done: 200, lastBucket: 'b-00199' }, refused: 0 },
      { part: 4, next: { stage: 'cleanup' }, refused: 0 },
    ]);
    expect(timesReported(reporter.evaluations()).size).toBe(250);
  });

  it('hands over at the margin, not before', async () => {
    // 10 s a batch from 80 s: 70 s left after one batch, 60 s after two (not below
    // the margin), 50 s after three.
    const { runChain, handover } = setup(new PagedAccount(bucketNames(450)));

    const outcomes = await runChain(() => new FakeClock(80_000, 10_000));

    expect(outcomes[0]?.evaluations).toBe(300);
    expect(handover.events[0]?.sweepContinuation).toEqual({
      part: 2,
      next: { stage: 'buckets', done: 300, lastBucket: 'b-00299' },
      refused: 0,
    });
  });

  describe('going on in a page that changed since the last part', () => {
    function continued(next: object) {
      return {
        ...loadConfigEvent('periodic.json'),
        sweepContinuation: { part: 2, next, refused: 0 },
      };
    }

    it('goes on after the last bucket judged, though buckets were created before it', async () => {
      const account = new PagedAccount(['a-new', ...bucketNames(5)]);
      const { rule, reporter } = setup(account);

      await rule(continued({ stage: 'buckets', done: 3, lastBucket: 'b-00002' }));

      expect(reporter.reports[0]?.map((e) => e.resourceId)).toEqual(['b-00003', 'b-00004']);
    });

    it('goes on after as many as were judged when the last one is gone', async () => {
      const account = new PagedAccount(bucketNames(5).filter((name) => name !== 'b-00002'));
      const { rule, reporter } = setup(account);

      await rule(continued({ stage: 'buckets', done: 3, lastBucket: 'b-00002' }));

      expect(reporter.reports[0]?.map((e) => e.resourceId)).toEqual(['b-00004']);
    });

    it('asks S3 for the page the sweep was in', async () => {
      const account = new PagedAccount(bucketNames(25), 10);
      const { rule, reporter } = setup(account);

      await rule(
        continued({ stage: 'buckets', pageToken: 'page-from-10', done: 4, lastBucket: 'b-00013' }),
      );

      expect(account.pageRequests).toEqual(['page-from-10', 'page-from-20']);
      expect(reporter.evaluations().map((e) => e.resourceId)).toEqual(bucketNames(25).slice(14));
    });

    it('only clears vanished results when that is what is left', async () => {
      const account = new PagedAccount(bucketNames(5));
      const { rule, reporter } = setup(account, [
        { resourceType: 'AWS::S3::Bucket', resourceId: 'gone-bucket' },
      ]);

      await rule(continued({ stage: 'cleanup' }));

      expect(account.pageRequests).toEqual([]);
      expect(reporter.evaluations().map((e) => [e.resourceId, e.compliance])).toEqual([
        ['gone-bucket', 'NOT_APPLICABLE'],
      ]);
    });
  });

  describe('evaluations Config refuses', () => {
    const refuseFirstBatch = (reporter: RecordingReporter) => {
      reporter.refuse = (evaluations, call) => {
        if (call === 0) {
          reporter.reports.push([...evaluations]);
          throw new EvaluationsRejectedError([
            'AWS::S3::Bucket/b-00001',
            'AWS::S3::Bucket/b-00002',
          ]);
        }
      };
    };

    it('go on to the next batch, and are counted into the next part', async () => {
      const { reporter, handover, runChain } = setup(new PagedAccount(bucketNames(250)));
      refuseFirstBatch(reporter);

      await expect(runChain(() => new FakeClock(1_000))).rejects.toThrow(EvaluationsRejectedError);

      expect(timesReported(reporter.evaluations()).size).toBe(250);
      expect(
        handover.events.map((e) => (e.sweepContinuation as { refused: number }).refused),
      ).toEqual([2, 2, 2]);
    });

    it('fail the part that ends the sweep, saying how many there were', async () => {
      const { reporter, runChain } = setup(new PagedAccount(bucketNames(250)));
      refuseFirstBatch(reporter);

      const error = await runChain(() => new FakeClock(1_000)).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(EvaluationsRejectedError);
      expect((error as EvaluationsRejectedError).total).toBe(2);
      expect((error as Error).message).toBe(
        'AWS Config rejected 2 evaluation(s) twice (2 in earlier parts of the sweep, named in their logs)',
      );
    });

    it('fail a sweep of one part, naming them', async () => {
      const { rule, reporter } = setup(new PagedAccount(bucketNames(150)));
      refuseFirstBatch(reporter);

      await expect(rule(loadConfigEvent('periodic.json'))).rejects.toThrow(
        'AWS Config rejected 2 evaluation(s) twice: AWS::S3::Bucket/b-00001, AWS::S3::Bucket/b-00002',
      );
      expect(timesReported(reporter.evaluations()).size).toBe(150);
    });
  });

  it('stops, failing, rather than go beyond 1000 parts', async () => {
    const { rule, handover, reporter } = setup(new PagedAccount(bucketNames(250)));
    const event = {
      ...loadConfigEvent('periodic.json'),
      sweepContinuation: { part: 1000, next: { stage: 'buckets', done: 0 }, refused: 0 },
    };

    await expect(rule(event, new FakeClock(1_000))).rejects.toThrow(SweepError);
    await expect(rule(event, new FakeClock(1_000))).rejects.toThrow(
      'the sweep reached 1000 parts without finishing',
    );

    expect(handover.events).toEqual([]);
    expect(reporter.reports[0]).toHaveLength(100);
  });

  it('finishes its last part at 1000 parts when nothing is left to hand over', async () => {
    const { rule, handover } = setup(new PagedAccount(bucketNames(50)));
    const event = {
      ...loadConfigEvent('periodic.json'),
      sweepContinuation: { part: 1000, next: { stage: 'buckets', done: 0 }, refused: 0 },
    };

    const outcome = await rule(event, new FakeClock(300_000));

    expect(outcome.sweep).toEqual({ part: 1000, handedOver: false });
    expect(handover.events).toEqual([]);
  });

  it('refuses a continuation marker on a change notification', async () => {
    const { rule, reporter } = setup(new PagedAccount([]));
    const event = {
      ...loadConfigEvent('change-compliant.json'),
      sweepContinuation: { part: 2, next: { stage: 'cleanup' }, refused: 0 },
    };

    await expect(rule(event)).rejects.toThrow(ConfigEventError);
    await expect(rule(event)).rejects.toThrow(
      'sweepContinuation continues a periodic run (ScheduledNotification), not a change message',
    );
    expect(reporter.reports).toEqual([]);
  });
});
