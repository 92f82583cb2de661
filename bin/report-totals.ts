import { SEVERITIES, type Severity } from '../policies/policy';
import type { VerdictKind } from '../rules/verdict';

/** What a `check` run adds up to; every format ends with it. */
export interface Summary {
  readonly findings: number;
  readonly buckets: number;
  readonly unreadableRecords: number;
  readonly samples: number;
  readonly verdicts: Readonly<Record<VerdictKind, number>>;
  /** Severities of violations and unclassified buckets, samples excluded. */
  readonly severities: Readonly<Record<Severity, number>>;
  /**
   * Findings judged but left out by `--severity`, `--verdict` or `--team`; every
   * other count is of the findings kept.
   */
  readonly filteredOut: number;
  /** Copies of a finding already read (the same id), skipped: each finding counts once. */
  readonly duplicates: number;
}

/** The totals as sentences, one a line; the first always, the others when they say something. */
export function totalsLines(summary: Summary): string[] {
  const { verdicts, severities } = summary;
  const bySeverity = [...SEVERITIES]
    .reverse()
    .filter((severity) => severities[severity] > 0)
    .map((severity) => `${severities[severity]} ${severity}`)
    .join(', ');
  const parts = [
    `${verdicts.violation} violation${verdicts.violation === 1 ? '' : 's'}`,
    `${verdicts.unclassified} unclassified`,
    `${verdicts.compliant} compliant`,
    `${verdicts.ignored} ignored`,
  ];
  const lines = [
    `${summary.findings} finding${summary.findings === 1 ? '' : 's'} in ${summary.buckets} bucket${summary.buckets === 1 ? '' : 's'}: ${parts.join(', ')}.`,
  ];
  if (bySeverity) lines.push(`Alerting severities: ${bySeverity}.`);
  if (summary.samples > 0) {
    lines.push(`${summary.samples} sample finding(s) judged but not counted in severities.`);
  }
  if (summary.filteredOut > 0) {
    lines.push(`${summary.filteredOut} finding(s) left out by --severity, --verdict or --team.`);
  }
  if (summary.unreadableRecords > 0) {
    lines.push(`${summary.unreadableRecords} record(s) could not be read (listed on stderr).`);
  }
  return lines;
}
