import {
  ListBucketsCommand,
  type ListBucketsCommandInput,
  type ListBucketsCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { readBucketTags, S3BucketInventory } from '../../../lib/s3-bucket-inventory';
import type { TagSource } from '../../../lib/s3-tag-source';
import { awsError } from '../../support/aws-errors';

/** Lets every pending promise callback run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A tag source whose reads stay pending until the test finishes them, counting
 * how many are in flight at once.
 */
class ControlledTagSource implements TagSource {
  readonly started: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly pending = new Map<string, () => void>();

  constructor(private readonly failing: ReadonlySet<string> = new Set()) {}

  tagsOf(bucket: string): Promise<Record<string, string>> {
    this.started.push(bucket);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      this.pending.set(bucket, () => {
        this.pending.delete(bucket);
        this.inFlight--;
        if (this.failing.has(bucket)) reject(awsError(`AccessDenied:${bucket}`));
        else resolve({ Team: `team-of-${bucket}` });
      });
    });
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Finishes the most recently started read, so reads end out of order. */
  finishLatest(): void {
    const finish = [...this.pending.values()].at(-1);
    if (!finish) throw new Error('no read is pending');
    finish();
  }

  /** Finishes reads, newest first, until none is left. */
  async finishAll(): Promise<void> {
    await settle();
    while (this.pendingCount > 0) {
      this.finishLatest();
      await settle();
    }
  }
}

describe('S3BucketInventory', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  afterAll(() => s3.restore());

  /**
   * S3 serves `pages` by continuation token (`first` for the first page) and
   * fails on a token it does not know. Each request is recorded when it is
   * made: the SDK paginator reuses one input object for every page.
   */
  function servePages(pages: Record<string, ListBucketsCommandOutput>) {
    const requests: {
      token: string | undefined;
      region: string | undefined;
      max: number | undefined;
    }[] = [];
    s3.on(ListBucketsCommand).callsFake((input: ListBucketsCommandInput) => {
      requests.push({
        token: input.ContinuationToken,
        region: input.BucketRegion,
        max: input.MaxBuckets,
      });
      const page = pages[input.ContinuationToken ?? 'first'];
      if (!page) throw new Error(`unexpected token ${input.ContinuationToken}`);
      return page;
    });
    return requests;
  }

  function page(output: Omit<ListBucketsCommandOutput, '$metadata'>): ListBucketsCommandOutput {
    return { $metadata: {}, ...output };
  }

  it('asks S3 for the buckets of the region, 10,000 a page', async () => {
    const requests = servePages({ first: page({ Buckets: [{ Name: 'acme' }] }) });

    const names = await new S3BucketInventory(new S3Client({})).bucketNames('eu-west-1');

    expect(names).toEqual(['acme']);
    expect(requests).toEqual([{ token: undefined, region: 'eu-west-1', max: 10_000 }]);
  });

  it('reads one page, and says where the next starts', async () => {
    const requests = servePages({
      'page-2': page({ Buckets: [{ Name: 'b-1' }, { Name: 'b-2' }], ContinuationToken: 'page-3' }),
    });

    const result = await new S3BucketInventory(new S3Client({})).page('eu-west-1', 'page-2');

    expect(result).toEqual({ names: ['b-1', 'b-2'], next: 'page-3' });
    expect(requests).toEqual([{ token: 'page-2', region: 'eu-west-1', max: 10_000 }]);
  });

  it('reads the first page without a token, and the last without a next', async () => {
    const requests = servePages({ first: page({ Buckets: [{ Name: 'a-1' }] }) });

    const result = await new S3BucketInventory(new S3Client({})).page('eu-west-1');

    expect(result).toEqual({ names: ['a-1'] });
    expect(requests).toEqual([{ token: undefined, region: 'eu-west-1', max: 10_000 }]);
  });

  it('follows the continuation token through every page, keeping the region', async () => {
    const requests = servePages({
      first: page({ Buckets: [{ Name: 'a-1' }, { Name: 'a-2' }], ContinuationToken: 'page-2' }),
      'page-2': page({ Buckets: [{ Name: 'b-1' }], ContinuationToken: 'page-3' }),
      'page-3': page({ Buckets: [{ Name: 'c-1' }] }),
    });

    const names = await new S3BucketInventory(new S3Client({})).bucketNames('us-east-2');

    expect(names).toEqual(['a-1', 'a-2', 'b-1', 'c-1']);
    expect(requests).toEqual([
      { token: undefined, region: 'us-east-2', max: 10_000 },
      { token: 'page-2', region: 'us-east-2', max: 10_000 },
      { token: 'page-3', region: 'us-east-2', max: 10_000 },
    ]);
  });

  it('skips entries without a name, and pages without buckets', async () => {
    servePages({
      first: page({ Buckets: [{ Name: 'a-1' }, {}, { Name: '' }], ContinuationToken: 'page-2' }),
      'page-2': page({ ContinuationToken: 'page-3' }),
      'page-3': page({ Buckets: [{ CreationDate: new Date(0) }, { Name: 'c-1' }] }),
    });

    const names = await new S3BucketInventory(new S3Client({})).bucketNames('eu-west-1');

    expect(names).toEqual(['a-1', 'c-1']);
  });

  it('returns no names when the region has no buckets', async () => {
    servePages({ first: page({ Buckets: [] }) });

    const names = await new S3BucketInventory(new S3Client({})).bucketNames('eu-west-1');

    expect(names).toEqual([]);
  });

  it('lets errors from S3 through', async () => {
    s3.on(ListBucketsCommand).rejects(awsError('AccessDenied'));

    await expect(
      new S3BucketInventory(new S3Client({ maxAttempts: 1 })).bucketNames('eu-west-1'),
    ).rejects.toThrow('AccessDenied');
  });
});

describe('readBucketTags', () => {
  const buckets = ['b-0', 'b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6', 'b-7', 'b-8', 'b-9'];

  it('returns the tags in the order given, though reads finish out of order', async () => {
    const source = new ControlledTagSource();

    const reading = readBucketTags(buckets, source, 3);
    await source.finishAll();
    const results = await reading;

    expect(results).toEqual(
      buckets.map((bucket) => ({ bucket, tags: { Team: `team-of-${bucket}` } })),
    );
  });

  it('reads every bucket exactly once', async () => {
    const source = new ControlledTagSource();

    const reading = readBucketTags(buckets, source, 3);
    await source.finishAll();
    await reading;

    expect([...source.started].sort()).toEqual(buckets);
  });

  it('reports a bucket whose tags cannot be read with its error, and reads the rest', async () => {
    const source = new ControlledTagSource(new Set(['b-2', 'b-7']));

    const reading = readBucketTags(buckets, source, 3);
    await source.finishAll();
    const results = await reading;

    expect(results.map((r) => r.bucket)).toEqual(buckets);
    expect(results[2]).toEqual({ bucket: 'b-2', error: awsError('AccessDenied:b-2') });
    expect(results[7]).toEqual({ bucket: 'b-7', error: awsError('AccessDenied:b-7') });
    expect(results.filter((r) => 'tags' in r)).toHaveLength(8);
  });

  it.each([[1], [3], [4]])('keeps at most %i read(s) in flight', async (concurrency) => {
    const source = new ControlledTagSource();

    const reading = readBucketTags(buckets, source, concurrency);
    await settle();
    const inFlightAtStart = source.inFlight;
    await source.finishAll();
    await reading;

    expect(inFlightAtStart).toBe(concurrency);
    expect(source.maxInFlight).toBe(concurrency);
  });

  it('starts the next read as soon as one finishes', async () => {
    const source = new ControlledTagSource();

    const reading = readBucketTags(buckets, source, 3);
    await settle();
    source.finishLatest();
    await settle();

    expect(source.started).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
    expect(source.inFlight).toBe(3);
    await source.finishAll();
    await reading;
  });

  it('handles a concurrency larger than the list', async () => {
    const source = new ControlledTagSource();

    const reading = readBucketTags(['b-0', 'b-1'], source, 10);
    await source.finishAll();
    const results = await reading;

    expect(results).toEqual([
      { bucket: 'b-0', tags: { Team: 'team-of-b-0' } },
      { bucket: 'b-1', tags: { Team: 'team-of-b-1' } },
    ]);
    expect(source.maxInFlight).toBe(2);
  });

  it('reads nothing for an empty list', async () => {
    const source = new ControlledTagSource();

    const results = await readBucketTags([], source, 3);

    expect(results).toEqual([]);
    expect(source.started).toEqual([]);
  });

  it('still reads, one at a time, when the concurrency is below one', async () => {
    const source = new ControlledTagSource();

    const reading = readBucketTags(['b-0', 'b-1'], source, 0);
    await source.finishAll();
    const results = await reading;

    expect(results.map((r) => r.bucket)).toEqual(['b-0', 'b-1']);
    expect(source.maxInFlight).toBe(1);
  });
});
