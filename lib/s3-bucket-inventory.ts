import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { TagSource } from './s3-tag-source';

/**
 * The most buckets one `ListBuckets` page holds (S3's own limit). Always asked for:
 * S3 refuses `ListBuckets` without `MaxBuckets` in accounts allowed more than
 * 10,000 buckets.
 */
export const BUCKETS_PER_PAGE = 10_000;

/** Port: the buckets of the caller's account in a region. */
export interface BucketInventory {
  bucketNames(region: string): Promise<string[]>;
}

/** One page of a region's buckets. */
export interface BucketPage {
  readonly names: string[];
  /** Where the next page starts; absent on the last page. */
  readonly next?: string;
}

/** Port: the buckets of a region page by page, so a long sweep can stop and go on. */
export interface PagedBucketInventory extends BucketInventory {
  /** The page that starts at `token` (the first page without one). */
  page(region: string, token?: string): Promise<BucketPage>;
}

/** S3 `ListBuckets`, filtered to one region by S3 itself, 10,000 buckets a page. */
export class S3BucketInventory implements PagedBucketInventory {
  constructor(private readonly client: S3Client = new S3Client({})) {}

  async page(region: string, token?: string): Promise<BucketPage> {
    const output = await this.client.send(
      new ListBucketsCommand({
        BucketRegion: region,
        MaxBuckets: BUCKETS_PER_PAGE,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    const names = (output.Buckets ?? []).flatMap((bucket) => (bucket.Name ? [bucket.Name] : []));
    return { names, ...(output.ContinuationToken ? { next: output.ContinuationToken } : {}) };
  }

  /** Every page, one after the other. */
  async bucketNames(region: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.page(region, token);
      names.push(...page.names);
      token = page.next;
    } while (token);
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
