import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricCount, MetricsSink } from '../lib/cloudwatch-metrics';
import type { Ledger } from '../lib/dynamodb-ledger';

/**
 * Records a finding's counts after its notice went out, so that no metrics
 * failure can send the notice again:
 *
 * - a failure that a retry can mend (throttling, a server error) keeps the counts
 *   with the finding's ledger marker and fails the invocation; the retry finds the
 *   finding recorded and records only the counts;
 * - a failure that no retry can mend (CloudWatch refuses the request) is logged
 *   with `metricsNotRecorded`, which a log metric filter counts, and the
 *   invocation succeeds.
 *
 * @param owed the counts were owed by an earlier invocation: clear them once recorded.
 */
export async function recordMetricsOnce(
  metrics: MetricsSink,
  ledger: Pick<Ledger, 'setPendingMetrics'>,
  logger: Logger,
  findingId: string,
  counts: readonly MetricCount[],
  owed = false,
): Promise<void> {
  if (counts.length === 0) return;
  try {
    await metrics.record(counts);
  } catch (error) {
    if (!isRetryable(error)) {
      logger.error('metrics not recorded', {
        findingId,
        metricsNotRecorded: counts.length,
        error: (error as Error).name,
        message: (error as Error).message,
      });
      if (owed) await ledger.setPendingMetrics(findingId, []);
      return;
    }
    logger.warn('metrics failed; kept for a retry', { findingId, error: (error as Error).name });
    await ledger.setPendingMetrics(findingId, counts);
    throw error;
  }
  if (owed) await ledger.setPendingMetrics(findingId, []);
}

/** Throttling, server errors and network failures: the same request may pass later. */
function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $fault?: string; $retryable?: unknown };
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  if (/Throttl|LimitExceeded|TooManyRequests|RequestTimeout/i.test(e.name ?? '')) return true;
  // No service answer at all (a network error): retryable.
  return e.$fault === undefined;
}
