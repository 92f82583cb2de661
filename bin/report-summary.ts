import { SEVERITIES, type Severity } from '../policies/policy';
import { type BucketRow, compareText, zeroBySeverity } from './report-rows';
import { UsageError } from './usage-error';

/** What `--summary` groups buckets by. */
export const GROUP_BYS = ['team', 'account', 'bucket'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** One row of a summary: the buckets of one team, account or bucket. */
export interface GroupRow {
  /** The team, account ID or bucket; `null` for buckets whose findings were all ignored (no team). */
  readonly group: string | null;
  readonly buckets: number;
  /** Findings that are violations, by severity; samples are not counted. */
  readonly violations: Readonly<Record<Severity, number>>;
  /** Buckets a finding (not a sample) found unclassified. */
  readonly unclassifiedBuckets: number;
}

/** Severities as summary columns: the worst first. */
export const SEVERITY_COLUMNS: readonly Severity[] = [...SEVERITIES].reverse();

/** What a group is called in headings and in JSON. */
export const GROUP_LABELS: Readonly<Record<GroupBy, { heading: string; key: string }>> = {
  team: { heading: 'Team', key: 'team' },
  account: { heading: 'Account', key: 'accountId' },
  bucket: { heading: 'Bucket', key: 'bucket' },
};

/** `--summary`'s value, in any case. */
export function parseGroupBy(value: string): GroupBy {
  const groupBy = GROUP_BYS.find((name) => name === value.trim().toLowerCase());
  if (groupBy === undefined) {
    throw new UsageError(`--summary must be one of ${GROUP_BYS.join(', ')}; got "${value}"`);
  }
  return groupBy;
}

function groupOf(row: BucketRow, by: GroupBy): string | null {
  switch (by) {
    case 'team':
      return row.team;
    case 'account':
      return row.accountId;
    case 'bucket':
      return row.bucket;
  }
}

/**
 * The bucket rows added up by team, account or bucket, worst first: most
 * Critical violations, then High, Medium, Low, then unclassified buckets, then
 * by name (no team last).
 */
export function groupRows(rows: Iterable<BucketRow>, by: GroupBy): GroupRow[] {
  const groups = new Map<string | null, GroupRow>();
  for (const row of rows) {
    const group = groupOf(row, by);
    const sum = groups.get(group) ?? {
      group,
      buckets: 0,
      violations: zeroBySeverity(),
      unclassifiedBuckets: 0,
    };
    const violations = { ...sum.violations };
    for (const severity of SEVERITIES) violations[severity] += row.violations[severity];
    groups.set(group, {
      group,
      buckets: sum.buckets + 1,
      violations,
      unclassifiedBuckets: sum.unclassifiedBuckets + (row.unclassified ? 1 : 0),
    });
  }
  return [...groups.values()].sort(worseGroupFirst);
}

function worseGroupFirst(a: GroupRow, b: GroupRow): number {
  for (const severity of SEVERITY_COLUMNS) {
    const difference = b.violations[severity] - a.violations[severity];
    if (difference !== 0) return difference;
  }
  if (a.unclassifiedBuckets !== b.unclassifiedBuckets) {
    return b.unclassifiedBuckets - a.unclassifiedBuckets;
  }
  if (a.group === null || b.group === null) return a.group === null ? 1 : -1;
  return compareText(a.group, b.group);
}

/** The cells of a group row after its name: buckets, each severity, unclassified buckets. */
export function groupCounts(row: GroupRow): string[] {
  return [
    String(row.buckets),
    ...SEVERITY_COLUMNS.map((severity) => String(row.violations[severity])),
    String(row.unclassifiedBuckets),
  ];
}
