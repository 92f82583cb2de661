/** Many tagged buckets in moto, made fast: CreateBucket + PutBucketTagging, a few at a time. */
import type { S3Client } from '@aws-sdk/client-s3';
import { createBucket } from '../../test/support/s3-buckets';

/** Runs `work` for 0..count-1 with at most `concurrency` at once. */
export async function forEachBounded(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Creates buckets `from`..`to`-1 named by `name`, tagged by `tags`. */
export async function createTaggedBuckets(
  s3: S3Client,
  range: { readonly from: number; readonly to: number },
  name: (index: number) => string,
  tags: (index: number) => Record<string, string>,
  concurrency = 16,
): Promise<void> {
  await forEachBounded(range.to - range.from, concurrency, (offset) => {
    const index = range.from + offset;
    return createBucket(s3, name(index), tags(index));
  });
}
