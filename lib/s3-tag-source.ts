import { GetBucketTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { MemberRoleError, type PerAccount } from './member-credentials';

/** Port: the tags of a bucket, as key -> value. */
export interface TagSource {
  /**
   * @param expectedOwner the account that owns the bucket, when the caller knows it:
   *   the read then fails (`AccessDenied`, permanent) rather than return the tags of
   *   a bucket of the same name in another account.
   */
  tagsOf(bucket: string, expectedOwner?: string): Promise<Record<string, string>>;
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

/**
 * How a permanent read failure is told in alerts: the error's name, and the member
 * role when it was assuming the role that failed.
 */
export function tagReadFailure(error: Error): string {
  return error instanceof MemberRoleError ? `${error.name} assuming ${error.roleArn}` : error.name;
}

/** Tags change rarely; a warm container reuses what it read for this long. */
export const TAG_CACHE_MS = 5 * 60 * 1000;

/**
 * Reads tags with S3 `GetBucketTagging`, caching them per container, with
 * `ExpectedBucketOwner` when the caller names the owner (S3 answers `AccessDenied`
 * when another account owns the bucket). A bucket without tags answers
 * `NoSuchTagSet`, which means no tags. Any other error
 * propagates, so the invocation fails and EventBridge retries it.
 */
export class S3TagSource implements TagSource {
  private readonly cache = new Map<string, { tags: Record<string, string>; expires: number }>();

  constructor(
    private readonly client: S3Client = new S3Client({}),
    private readonly ttlMs: number = TAG_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async tagsOf(bucket: string, expectedOwner?: string): Promise<Record<string, string>> {
    // Keyed by owner too: a read checked against one owner says nothing of another.
    const key = `${expectedOwner ?? ''}/${bucket}`;
    const cached = this.cache.get(key);
    if (cached && cached.expires > this.now()) return cached.tags;
    const tags = await this.read(bucket, expectedOwner);
    this.cache.set(key, { tags, expires: this.now() + this.ttlMs });
    return tags;
  }

  private async read(bucket: string, expectedOwner?: string): Promise<Record<string, string>> {
    try {
      const output = await this.client.send(
        new GetBucketTaggingCommand({
          Bucket: bucket,
          ...(expectedOwner === undefined ? {} : { ExpectedBucketOwner: expectedOwner }),
        }),
      );
      return Object.fromEntries(
        (output.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']),
      );
    } catch (error) {
      if ((error as Error).name === 'NoSuchTagSet') return {};
      throw error;
    }
  }
}

/**
 * The tags of buckets in several accounts: each read goes through the source of the
 * bucket's owner (in an organisation, a source acting through that account's member
 * role; see `PerAccount`). A read that names no owner uses the caller's own.
 */
export class AccountTagSources implements TagSource {
  constructor(private readonly sources: PerAccount<TagSource>) {}

  tagsOf(bucket: string, expectedOwner?: string): Promise<Record<string, string>> {
    return this.sources.for(expectedOwner).tagsOf(bucket, expectedOwner);
  }
}
