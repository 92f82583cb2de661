import { inert, MAX_MESSAGE, MAX_UNTRUSTED } from '../policies/untrusted-text';
import {
  type BucketRows,
  bucketReport,
  type Report,
  verdictText,
  violatingText,
  worstFirst,
} from './report-rows';
import {
  GROUP_LABELS,
  type GroupBy,
  groupCounts,
  groupRows,
  SEVERITY_COLUMNS,
} from './report-summary';
import { type Summary, totalsLines } from './report-totals';

/**
 * Characters that mean something inline in GitHub Flavored Markdown: a cell
 * boundary (`|`), emphasis, code, links and images (`[`, `!`), HTML tags and
 * entities (`<`, `&`), mentions (`@`), and the escape itself.
 */
const MARKDOWN_ACTIVE = /[\\`*_[\]<>|~&!@]/g;

/**
 * One table cell of untrusted text: made inert (a line break becomes `?`, so it
 * cannot end the row) and every character Markdown would act on escaped with a
 * backslash, so a bucket name or tag value shows as written and can neither
 * split the cell, link, load an image nor mention anyone.
 */
export function markdownCell(value: string, max: number = MAX_UNTRUSTED): string {
  return inert(value, max).replace(MARKDOWN_ACTIVE, '\\$&') || '-';
}

/**
 * For tickets and pull requests: a totals line, then a table of buckets (or,
 * with `groupBy`, of teams, accounts or buckets), worst first.
 */
export function markdownReport(write: (text: string) => void, groupBy?: GroupBy): Report {
  return bucketReport((rows, summary) => {
    write(`${totalsLine(summary)}\n\n`);
    if (groupBy) writeSummaryTable(rows, groupBy, write);
    else writeBucketTable(rows, write);
  });
}

function totalsLine(summary: Summary): string {
  return totalsLines(summary).join(' ');
}

function writeBucketTable(rows: BucketRows, write: (text: string) => void): void {
  writeRow(
    ['Bucket', 'Account', 'Declared', 'Verdict', 'Severity', 'Team', 'Findings', 'Violating types'],
    write,
  );
  write('| --- | --- | --- | --- | --- | --- | ---: | --- |\n');
  for (const row of worstFirst(rows.values())) {
    writeRow(
      [
        markdownCell(row.bucket),
        markdownCell(row.accountId),
        markdownCell(row.declaredLevel ?? '-'),
        verdictText(row),
        row.worst.severity ?? '-',
        markdownCell(row.team ?? '-'),
        String(row.findings),
        markdownCell(violatingText(row), MAX_MESSAGE),
      ],
      write,
    );
  }
}

function writeSummaryTable(rows: BucketRows, groupBy: GroupBy, write: (text: string) => void) {
  writeRow([GROUP_LABELS[groupBy].heading, 'Buckets', ...SEVERITY_COLUMNS, 'Unclassified'], write);
  write(`| --- |${' ---: |'.repeat(SEVERITY_COLUMNS.length + 2)}\n`);
  for (const row of groupRows(rows.values(), groupBy)) {
    writeRow([markdownCell(row.group ?? '-'), ...groupCounts(row)], write);
  }
}

/** Cells already escaped. */
function writeRow(cells: readonly string[], write: (text: string) => void): void {
  write(`| ${cells.join(' | ')} |\n`);
}
