/** Buckets with tags, made the one way integration tests against moto need them. */
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

export interface BucketOptions {
  /** The bucket's region when it is not the client's default (us-east-1 needs none). */
  readonly locationConstraint?: BucketLocationConstraint;
}

/**
 * Creates the bucket `name` with `tags`. With no tags, or none at all in `tags`, the
 * bucket has no tag set, so GetBucketTagging fails with NoSuchTagSet as in AWS.
 */
export async function createBucket(
  s3: S3Client,
  name: string,
  tags?: Record<string, string>,
  options: BucketOptions = {},
): Promise<void> {
  const { locationConstraint } = options;
  await s3.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(locationConstraint
        ? { CreateBucketConfiguration: { LocationConstraint: locationConstraint } }
        : {}),
    }),
  );
  if (tags && Object.keys(tags).length > 0) {
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: name,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }
}
