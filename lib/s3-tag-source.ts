import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';

/** Port: the tags of a bucket, as key -> value. */
export interface TagSource {
  tagsOf(bucket: string): Promise<Record<string, string>>;
}

/**
 * Errors after which reading the same bucket's tags cannot succeed: the caller may
 * not read them (a bucket of another account, or a bucket policy that denies it), or
 * the bucket is gone. Retrying the event would only end in the dead-letter queue.
 */
const PERMANENT_READ_ERRORS = new Set(['AccessDenied', 'AllAccessDisabled', 'NoSuchBucket']);

/** Did reading tags fail for good (see PERMANENT_READ_ERRORS)? */
export function isPermanentTagReadError(error: unknown): error is Error {
  return error instanceof Error && PERMANENT_READ_ERRORS.has(error.name);
}

/** Tags change rarely; a warm container reuses what it read for this long. */
export const TAG_CACHE_MS = 5 * 60 * 1000;

/**
 * Reads tags with S3 `GetBucketTagging`, caching them per container. A bucket
 * without tags answers `NoSuchTagSet`, which means no tags. Any other error
 * propagates, so the invocation fails and EventBridge retries it.
 */
export class S3TagSource implements TagSource {
  private readonly cache = new Map<string, { tags: Record<string, string>; expires: number }>();

  constructor(
    private readonly client: S3Client = new S3Client({}),
    private readonly ttlMs: number = TAG_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async tagsOf(bucket: string): Promise<Record<string, string>> {
    const cached = this.cache.get(bucket);
    if (cached && cached.expires > this.now()) return cached.tags;
    const tags = await this.read(bucket);
    this.cache.set(bucket, { tags, expires: this.now() + this.ttlMs });
    return tags;
  }

  private async read(bucket: string): Promise<Record<string, string>> {
    try {
      const output = await this.client.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      return Object.fromEntries(
        (output.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']),
      );
    } catch (error) {
      if ((error as Error).name === 'NoSuchTagSet') return {};
      throw error;
    }
  }
}
