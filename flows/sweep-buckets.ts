import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type EvaluatedResources,
  type Evaluation,
  type EvaluationReporter,
  EvaluationsRejectedError,
  MAX_EVALUATIONS_PER_CALL,
} from '../lib/config-evaluations';
import { BUCKET_RESOURCE_TYPE } from '../lib/config-rule-event';
import { SweepError } from '../lib/errors';
import type { SweepHandover } from '../lib/lambda-sweep-handover';
import { type PagedBucketInventory, readBucketTags } from '../lib/s3-bucket-inventory';
import type { TagSource } from '../lib/s3-tag-source';
import {
  continuationEvent,
  MAX_SWEEP_PARTS,
  type SweepContinuation,
  type SweepStep,
} from '../lib/sweep-continuation';

/** Judges one bucket's tags (the tag rule, with its topic lookups). */
export type JudgeBucket = (
  bucket: string,
  accountId: string,
  tags: Record<string, string>,
  orderingTimestamp: Date,
) => Promise<Evaluation>;

export interface SweepDependencies {
  readonly inventory: PagedBucketInventory;
  readonly tags: TagSource;
  readonly earlier: EvaluatedResources;
  readonly reporter: EvaluationReporter;
  readonly handover: SweepHandover;
  readonly logger: Logger;
  /** The rule's region: the sweep judges the buckets S3 lists for it. */
  readonly region: string;
  readonly tagReadConcurrency: number;
  /** The rest is handed over when less time than this is left: enough for one batch. */
  readonly safetyMarginMs: number;
}

/** One periodic run, or one part of it: whose buckets, when, for which rule, from where. */
export interface Sweep {
  readonly accountId: string;
  /** The notification time: every evaluation's ordering timestamp, in every part. */
  readonly at: Date;
  /** The invocation's `configRuleName`; without it no earlier results are cleaned up. */
  readonly configRuleName: string | undefined;
  readonly resultToken: string;
  /** The event Config started the sweep with: each part passes it on unchanged. */
  readonly event: Readonly<Record<string, unknown>>;
  /** Where this part starts; `undefined` for the first part. */
  readonly continuation: SweepContinuation | undefined;
  /** The time this invocation has left, in milliseconds. */
  readonly remainingMs: () => number;
}

/** What one part of a sweep did. */
export interface SweepOutcome {
  readonly part: number;
  /** Evaluations this part reported. */
  readonly evaluations: number;
  readonly nonCompliant: number;
  /** The rest of the sweep went to a fresh invocation. */
  readonly handedOver: boolean;
}

/**
 * A periodic run of the tag rule: judges every bucket of the region, and makes
 * sure no result outlives its bucket.
 *
 * It lists the buckets page by page (`ListBuckets`, 10,000 a page) and judges
 * them in batches of 100, each reported with one `PutEvaluations` call as soon as
 * it is judged. Before each batch it looks at the time left: below the safety
 * margin, it hands the rest of the sweep to a fresh invocation (the Config event
 * with a continuation marker, see `sweep-continuation.ts`) and ends. Every part
 * judges at least one batch, so a sweep always gets on. One odd bucket never
 * stops it:
 *
 * - a bucket whose tags cannot be read is NON_COMPLIANT, naming the error;
 * - a bucket S3 still lists but that is gone by the time its tags are read
 *   (`NoSuchBucket`) is NOT_APPLICABLE, so Config drops its result;
 * - evaluations Config refuses twice are logged with their buckets and the sweep
 *   goes on; the part that ends the sweep then fails, so the error shows.
 *
 * When every bucket is judged, every bucket the rule has a COMPLIANT or
 * NON_COMPLIANT result for (`GetComplianceDetailsByConfigRule`) that S3 no longer
 * lists is NOT_APPLICABLE (as the Config rule development kit's template does),
 * compared with a fresh listing of names, so no part carries the list along. When
 * the results cannot be read the sweep still ends well; the next one cleans up.
 */
export async function sweepBuckets(
  deps: SweepDependencies,
  sweep: Sweep,
  judge: JudgeBucket,
): Promise<SweepOutcome> {
  const { logger } = deps;
  const part = sweep.continuation?.part ?? 1;
  const tally = { evaluations: 0, nonCompliant: 0, rejected: [] as string[] };
  const refusedBefore = sweep.continuation?.refused ?? 0;
  let judgedABatch = false;
  const timeIsUp = () => judgedABatch && sweep.remainingMs() < deps.safetyMarginMs;

  const report = async (evaluations: Evaluation[]): Promise<void> => {
    try {
      await deps.reporter.report(evaluations, sweep.resultToken);
    } catch (error) {
      if (!(error instanceof EvaluationsRejectedError)) throw error;
      // One refused batch must not cost the buckets after it their results.
      logger.error('AWS Config refused evaluations twice', { part, rejected: error.rejected });
      tally.rejected.push(...error.rejected);
    }
    tally.evaluations += evaluations.length;
    tally.nonCompliant += evaluations.filter((e) => e.compliance === 'NON_COMPLIANT').length;
  };

  const handOver = async (next: SweepStep): Promise<SweepOutcome> => {
    if (part >= MAX_SWEEP_PARTS) {
      throw new SweepError(
        `the sweep reached ${MAX_SWEEP_PARTS} parts without finishing; the rest of the buckets are not judged in this run`,
      );
    }
    const refused = refusedBefore + tally.rejected.length;
    await deps.handover.handOver(continuationEvent(sweep.event, { part: part + 1, next, refused }));
    logger.info('sweep handed over', { part, next: part + 1, stage: next.stage });
    return { part, ...counts(tally), handedOver: true };
  };

  let step: SweepStep = sweep.continuation?.next ?? { stage: 'buckets', done: 0 };
  while (step.stage === 'buckets') {
    const { pageToken } = step;
    const page = await deps.inventory.page(deps.region, pageToken);
    for (let start = resumeAt(page.names, step); start < page.names.length; ) {
      if (timeIsUp()) {
        return handOver({
          stage: 'buckets',
          ...(pageToken ? { pageToken } : {}),
          done: start,
          ...(start > 0 ? { lastBucket: page.names[start - 1] } : {}),
        });
      }
      const batch = page.names.slice(start, start + MAX_EVALUATIONS_PER_CALL);
      await report(await judgeBatch(deps, sweep, judge, batch));
      judgedABatch = true;
      start += batch.length;
    }
    step = page.next ? { stage: 'buckets', pageToken: page.next, done: 0 } : { stage: 'cleanup' };
  }
  if (timeIsUp()) return handOver({ stage: 'cleanup' });
  await report(await staleResults(deps, sweep));

  const refused = refusedBefore + tally.rejected.length;
  if (refused > 0) throw new EvaluationsRejectedError(tally.rejected, refused);
  return { part, ...counts(tally), handedOver: false };
}

function counts(tally: { evaluations: number; nonCompliant: number }) {
  return { evaluations: tally.evaluations, nonCompliant: tally.nonCompliant };
}

/**
 * Where to go on in a page listed again: after the last bucket judged. Should
 * that bucket be gone meanwhile, after as many buckets as were judged; a bucket
 * created or deleted in the part of the page already judged may then be judged
 * twice or left to the next run.
 */
function resumeAt(names: readonly string[], step: SweepStep & { stage: 'buckets' }): number {
  if (step.lastBucket !== undefined) {
    const last = names.indexOf(step.lastBucket);
    if (last >= 0) return last + 1;
  }
  return Math.min(step.done, names.length);
}

/** Reads a batch's tags and judges each bucket, in the order listed. */
async function judgeBatch(
  deps: SweepDependencies,
  sweep: Sweep,
  judge: JudgeBucket,
  buckets: readonly string[],
): Promise<Evaluation[]> {
  const { logger } = deps;
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
  return evaluations;
}

/** Earlier results of this rule for buckets S3 no longer lists: NOT_APPLICABLE. */
async function staleResults(deps: SweepDependencies, sweep: Sweep): Promise<Evaluation[]> {
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
  const buckets = earlier.filter((r) => r.resourceType === BUCKET_RESOURCE_TYPE);
  if (buckets.length === 0) return [];
  const listed = new Set(await deps.inventory.bucketNames(deps.region));
  const gone = new Set(buckets.filter((r) => !listed.has(r.resourceId)).map((r) => r.resourceId));
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
