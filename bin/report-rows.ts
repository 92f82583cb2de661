import { SEVERITIES, type Severity } from '../policies/policy';
import { type CheckResult, resultRank } from './check-result';
import type { Summary } from './report-totals';

/** Receives results as they are judged; writes its format to `write`. */
export interface Report {
  /** `json` is `JSON.stringify(result)` when the caller has it already (made in a worker thread). */
  add(result: CheckResult, json?: string): void;
  unreadable(source: string, reason: string): void;
  finish(summary: Summary): void;
}

/** What the results of one bucket add up to, for the reports that show buckets. */
export interface BucketRow {
  readonly bucket: string;
  accountId: string;
  declaredLevel: string | null;
  /** `null` while every finding of the bucket was ignored (ignored findings are not judged). */
  team: string | null;
  /** The result with the worst verdict and severity. */
  worst: CheckResult;
  findings: number;
  /** `TYPE (requiredLevel)` of every type not allowed. */
  readonly violatingTypes: Set<string>;
  /** Findings that are violations, by severity; samples are not counted. */
  readonly violations: Record<Severity, number>;
  /** A finding (not a sample) found the bucket unclassified. */
  unclassified: boolean;
}

/** Buckets by name; bucket names are unique across accounts. */
export type BucketRows = Map<string, BucketRow>;

export function zeroBySeverity(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<
    Severity,
    number
  >;
}

/** Adds one result to the row of its bucket. */
export function addToRows(rows: BucketRows, result: CheckResult): void {
  let row = rows.get(result.bucket);
  if (!row) {
    row = {
      bucket: result.bucket,
      accountId: result.accountId,
      declaredLevel: null,
      team: null,
      worst: result,
      findings: 0,
      violatingTypes: new Set(),
      violations: zeroBySeverity(),
      unclassified: false,
    };
    rows.set(result.bucket, row);
  }
  row.findings++;
  row.declaredLevel = result.declaredLevel ?? row.declaredLevel;
  row.team = result.team ?? row.team;
  for (const v of result.violations) row.violatingTypes.add(`${v.type} (${v.requiredLevel})`);
  if (resultRank(result) > resultRank(row.worst)) row.worst = result;
  if (!result.sample) {
    if (result.verdict === 'violation' && result.severity !== null) {
      row.violations[result.severity]++;
    }
    if (result.verdict === 'unclassified') row.unclassified = true;
  }
}

/** The rows, worst verdict first, then by bucket name. */
export function worstFirst(rows: Iterable<BucketRow>): BucketRow[] {
  return [...rows].sort(
    (a, b) => resultRank(b.worst) - resultRank(a.worst) || compareText(a.bucket, b.bucket),
  );
}

/** The worst verdict of a row as reports print it, e.g. `violation (sample)`. */
export function verdictText(row: BucketRow): string {
  return row.worst.verdict + (row.worst.sample ? ' (sample)' : '');
}

/** The violating types of a row, sorted and joined, or `-`. */
export function violatingText(row: BucketRow): string {
  return [...row.violatingTypes].sort().join(', ') || '-';
}

/** Code-unit order: the same on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A report that gathers the results into one row per bucket (memory for the
 * buckets, not the findings) and writes when the run is finished. Unreadable
 * records are reported on stderr as they happen and counted in the totals.
 */
export function bucketReport(finish: (rows: BucketRows, summary: Summary) => void): Report {
  const rows: BucketRows = new Map();
  return {
    add(result) {
      addToRows(rows, result);
    },
    unreadable() {},
    finish(summary) {
      finish(rows, summary);
    },
  };
}
