import type { Logger } from '@aws-lambda-powertools/logger';
import type { EvaluatedResources, Evaluation } from '../lib/config-evaluations';
import { BUCKET_RESOURCE_TYPE } from '../lib/config-rule-event';
import { type BucketInventory, readBucketTags } from '../lib/s3-bucket-inventory';
import type { TagSource } from '../lib/s3-tag-source';

/** Judges one bucket's tags (the tag rule, with its topic lookups). */
export type JudgeBucket = (
  bucket: string,
  accountId: string,
  tags: Record<string, string>,
  orderingTimestamp: Date,
) => Promise<Evaluation>;

export interface SweepDependencies {
  readonly inventory: BucketInventory;
  readonly tags: TagSource;
  readonly earlier: EvaluatedResources;
  readonly logger: Logger;
  /** The rule's region: the sweep judges the buckets S3 lists for it. */
  readonly region: string;
  readonly tagReadConcurrency: number;
}

/** One periodic run: whose buckets, when, and for which rule. */
export interface Sweep {
  readonly accountId: string;
  /** The notification time: every evaluation's ordering timestamp. */
  readonly at: Date;
  /** The invocation's `configRuleName`; without it no earlier results are cleaned up. */
  readonly configRuleName: string | undefined;
}

/**
 * A periodic run of the tag rule: judges every bucket of the region, and makes
 * sure no result outlives its bucket. One odd bucket never stops the sweep:
 *
 * - a bucket whose tags cannot be read is NON_COMPLIANT, naming the error;
 * - a bucket S3 still lists but that is gone by the time its tags are read
 *   (`NoSuchBucket`) is NOT_APPLICABLE, so Config drops its result;
 * - every bucket the rule has a COMPLIANT or NON_COMPLIANT result for that S3 no
 *   longer lists is NOT_APPLICABLE too (as the Config rule development kit's
 *   template does), found with `GetComplianceDetailsByConfigRule`. When that read
 *   fails the sweep still reports its buckets; the next sweep cleans up.
 *
 * @returns the evaluations to report, in the order S3 listed the buckets, then the
 *   earlier results to clear.
 */
export async function sweepBuckets(
  deps: SweepDependencies,
  sweep: Sweep,
  judge: JudgeBucket,
): Promise<Evaluation[]> {
  const { logger } = deps;
  const buckets = await deps.inventory.bucketNames(deps.region);
  // The inventory lists this account's buckets: a read must not reach another's.
  const reads = await readBucketTags(buckets, deps.tags, deps.tagReadConcurrency, sweep.accountId);
  const evaluations: Evaluation[] = [];
  for (const read of reads) {
    if (!('error' in read)) {
      evaluations.push(await judge(read.bucket, sweep.accountId, read.tags, sweep.at));
    } else if (read.error.name === 'NoSuchBucket') {
      evaluations.push(notApplicable(read.bucket, 'The bucket no longer exists.', sweep.at));
      logger.info('bucket deleted during the sweep', { bucket: read.bucket });
    } else {
      evaluations.push(unreadableTags(read.bucket, read.error.name, sweep.at));
      logger.warn('bucket tags unreadable', { bucket: read.bucket, error: read.error.name });
    }
  }
  evaluations.push(...(await staleResults(deps, sweep, new Set(buckets))));
  return evaluations;
}

/** Earlier results of this rule for buckets S3 no longer lists: NOT_APPLICABLE. */
async function staleResults(
  deps: SweepDependencies,
  sweep: Sweep,
  listed: ReadonlySet<string>,
): Promise<Evaluation[]> {
  if (sweep.configRuleName === undefined) {
    deps.logger.warn('no configRuleName in the event: earlier results not cleaned up');
    return [];
  }
  let earlier: Awaited<ReturnType<EvaluatedResources['evaluatedBy']>>;
  try {
    earlier = await deps.earlier.evaluatedBy(sweep.configRuleName);
  } catch (error) {
    deps.logger.warn('earlier results unreadable: not cleaned up this time', {
      configRuleName: sweep.configRuleName,
      error: (error as Error).name,
    });
    return [];
  }
  const gone = new Set(
    earlier
      .filter((r) => r.resourceType === BUCKET_RESOURCE_TYPE && !listed.has(r.resourceId))
      .map((r) => r.resourceId),
  );
  if (gone.size > 0)
    deps.logger.info('results of vanished buckets cleared', { buckets: gone.size });
  return [...gone].map((bucket) =>
    notApplicable(bucket, `The bucket is no longer listed in ${deps.region}.`, sweep.at),
  );
}

/**
 * Tags that cannot be read cannot be shown valid: NON_COMPLIANT, so an old
 * COMPLIANT result does not stay on a bucket nobody can check.
 */
export function unreadableTags(
  bucket: string,
  reason: string,
  orderingTimestamp: Date,
): Evaluation {
  return {
    resourceType: BUCKET_RESOURCE_TYPE,
    resourceId: bucket,
    compliance: 'NON_COMPLIANT',
    annotation: `Tags could not be read: ${reason.slice(0, 200)}.`,
    orderingTimestamp,
  };
}

function notApplicable(bucket: string, annotation: string, orderingTimestamp: Date): Evaluation {
  return {
    resourceType: BUCKET_RESOURCE_TYPE,
    resourceId: bucket,
    compliance: 'NOT_APPLICABLE',
    annotation,
    orderingTimestamp,
  };
}
