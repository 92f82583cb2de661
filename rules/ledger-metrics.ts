import { SEVERITIES } from '../policies/policy';
import type { BucketAssessment } from './bucket-state';

/** Metric names; the dimensions are part of the contract (see README). */
export const BUCKETS_IN_VIOLATION_METRIC = 'BucketsInViolation';
export const UNCLASSIFIED_BUCKETS_METRIC = 'UnclassifiedBuckets';

/** A count to record, by metric name and dimensions. */
export interface LedgerMetric {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly count: number;
}

/**
 * The ledger's state as gauges: buckets in violation by `Team` and worst
 * `Severity`, and unclassified buckets by `Team`. Every team in the ledger
 * (any bucket ever recorded for it, open or not) gets a datapoint for each
 * severity and for unclassified buckets, 0 where it has none, so that a
 * dashboard line falls to zero when a team's last violation is resolved
 * rather than stopping at its last value.
 */
export function ledgerMetrics(
  assessments: readonly Pick<BucketAssessment, 'team' | 'verdict' | 'severity'>[],
): LedgerMetric[] {
  const teams = new Map<string, { violations: Map<string, number>; unclassified: number }>();
  for (const assessment of assessments) {
    const counts = teams.get(assessment.team) ?? { violations: new Map(), unclassified: 0 };
    if (assessment.verdict === 'violation' && assessment.severity) {
      counts.violations.set(
        assessment.severity,
        (counts.violations.get(assessment.severity) ?? 0) + 1,
      );
    }
    if (assessment.verdict === 'unclassified') counts.unclassified++;
    teams.set(assessment.team, counts);
  }
  return [...teams]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([team, counts]) => [
      ...SEVERITIES.map((severity) => ({
        name: BUCKETS_IN_VIOLATION_METRIC,
        dimensions: { Team: team, Severity: severity },
        count: counts.violations.get(severity) ?? 0,
      })),
      {
        name: UNCLASSIFIED_BUCKETS_METRIC,
        dimensions: { Team: team },
        count: counts.unclassified,
      },
    ]);
}
