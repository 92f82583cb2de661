import { paginateListBuckets, S3Client } from '@aws-sdk/client-s3';
import type { TagSource } from './s3-tag-source';

/** Port: the buckets of the caller's account in a region. */
export interface BucketInventory {
  bucketNames(region: string): Promise<string[]>;
}

/** S3 `ListBuckets`, every page, filtered to one region by S3 itself. */
export class S3BucketInventory implements BucketInventory {
  constructor(private readonly client: S3Client = new S3Client({})) {}

  async bucketNames(region: string): Promise<string[]> {
    const names: string[] = [];
    for await (const page of paginateListBuckets(
      { client: this.client },
      { BucketRegion: region },
    )) {
      for (const bucket of page.Buckets ?? []) if (bucket.Name) names.push(bucket.Name);
    }
    return names;
  }
}

export type BucketTagsRead =
  | { readonly bucket: string; readonly tags: Record<string, string> }
  | { readonly bucket: string; readonly error: Error };

/**
 * Reads the tags of many buckets, at most `concurrency` requests at a time, in
 * the order given. A bucket whose tags cannot be read is reported with its
 * error rather than failing the whole sweep.
 */
export async function readBucketTags(
  buckets: readonly string[],
  source: TagSource,
  concurrency: number,
  expectedOwner?: string,
): Promise<BucketTagsRead[]> {
  const results: BucketTagsRead[] = new Array(buckets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < buckets.length) {
      const index = next++;
      const bucket = buckets[index] as string;
      try {
        results[index] = { bucket, tags: await source.tagsOf(bucket, expectedOwner) };
      } catch (error) {
        results[index] = { bucket, error: error as Error };
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, buckets.length)) }, worker),
  );
  return results;
}
