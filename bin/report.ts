import { inert } from '../policies/untrusted-text';
import type { ReportedType } from './check-result';
import { htmlReport } from './report-html';
import { markdownReport } from './report-markdown';
import { bucketReport, type Report, verdictText, violatingText, worstFirst } from './report-rows';
import {
  GROUP_LABELS,
  type GroupBy,
  type GroupRow,
  groupCounts,
  groupRows,
  SEVERITY_COLUMNS,
} from './report-summary';
import { totalsLines } from './report-totals';

export type { Summary } from './report-totals';

/** The formats of every command's report. */
export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

/** `check` also writes reports for people to read elsewhere: tickets, pull requests, a browser. */
export const CHECK_FORMATS = [...FORMATS, 'markdown', 'html'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export type { Report } from './report-rows';

/**
 * The report of `format`: one row per finding (JSON, CSV) or per bucket (table,
 * Markdown, HTML), or with `groupBy` one row per team, account or bucket.
 */
export function createReport(
  format: CheckFormat,
  write: (text: string) => void,
  groupBy?: GroupBy,
): Report {
  switch (format) {
    case 'json':
      return groupBy ? jsonSummaryReport(groupBy, write) : jsonReport(write);
    case 'csv':
      return groupBy ? csvSummaryReport(groupBy, write) : csvReport(write);
    case 'table':
      return groupBy ? tableSummaryReport(groupBy, write) : tableReport(write);
    case 'markdown':
      return markdownReport(write, groupBy);
    case 'html':
      return htmlReport(write, groupBy);
  }
}

/**
 * Unreadable records listed under `errors` in JSON. They come after the results,
 * so they wait in memory; past this many, only `summary.unreadableRecords` counts
 * them (stderr still names every one).
 */
export const MAX_JSON_ERRORS = 1000;

/**
 * Text gathered into writes of about {@link BATCH_CHARS}: a report of many rows
 * then costs one write per batch rather than one per row. `flush` writes the rest.
 */
function batched(write: (text: string) => void): { add(text: string): void; flush(): void } {
  let pending = '';
  return {
    add(text) {
      pending += text;
      if (pending.length >= BATCH_CHARS) {
        write(pending);
        pending = '';
      }
    },
    flush() {
      if (pending !== '') write(pending);
      pending = '';
    },
  };
}

/** Characters of report text gathered before a write: results still stream, in batches. */
const BATCH_CHARS = 64 * 1024;

/** Streams results, so large inputs need no memory for them; the summary comes last. */
function jsonReport(writeText: (text: string) => void): Report {
  const out = batched(writeText);
  const write = out.add;
  let first = true;
  const errors: Array<{ source: string; reason: string }> = [];
  write('{"results":[');
  return {
    add(result, json = JSON.stringify(result)) {
      write(`${first ? '\n' : ',\n'}${json}`);
      first = false;
    },
    unreadable(source, reason) {
      if (errors.length < MAX_JSON_ERRORS) errors.push({ source, reason });
    },
    finish(summary) {
      write(`\n],\n"errors":${JSON.stringify(errors)},\n"summary":${JSON.stringify(summary)}}\n`);
      out.flush();
    },
  };
}

const CSV_COLUMNS = [
  'findingId',
  'bucket',
  'accountId',
  'region',
  'declaredLevel',
  'verdict',
  'severity',
  'team',
  'sample',
  'publiclyAccessible',
  'violations',
  'detected',
  'reason',
  'objectKey',
  'findingType',
  'source',
] as const;

function csvReport(writeText: (text: string) => void): Report {
  const out = batched(writeText);
  const write = out.add;
  write(`${CSV_COLUMNS.join(',')}\n`);
  return {
    add(result) {
      const cells = CSV_COLUMNS.map((column) => {
        const value = result[column];
        if (column === 'violations' || column === 'detected') {
          return typesCell(value as readonly ReportedType[]);
        }
        return value === null ? '' : String(value);
      });
      write(`${cells.map(csvCell).join(',')}\n`);
    },
    unreadable() {
      // Reported on stderr as they happen; a CSV row per finding has no place for them.
    },
    finish() {
      out.flush();
    },
  };
}

/** `TYPE:requiredLevel:count` joined by `|`. */
function typesCell(types: readonly ReportedType[]): string {
  return types.map((t) => `${t.type}:${t.requiredLevel}:${t.count}`).join('|');
}

/** A CSV cell holds more than a table cell: type lists of many types. */
const MAX_CSV_CELL = 4096;

/**
 * One CSV cell of untrusted text: a cell a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with
 * `'`, control and other invisible characters are taken out, and the cell is
 * quoted when it holds a comma or a quote.
 */
export function csvCell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  const safe = inert(defused, MAX_CSV_CELL);
  return /[",]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const TABLE_HEADINGS = [
  'BUCKET',
  'DECLARED',
  'VERDICT',
  'SEVERITY',
  'TEAM',
  'FINDINGS',
  'VIOLATING TYPES',
] as const;
const MAX_TYPES_WIDTH = 70;

/** One row per bucket with its worst verdict, then totals. */
function tableReport(write: (text: string) => void): Report {
  return bucketReport((rows, summary) => {
    const cells = worstFirst(rows.values()).map((row) => [
      row.bucket,
      row.declaredLevel ?? '-',
      verdictText(row),
      row.worst.severity ?? '-',
      row.team ?? '-',
      String(row.findings),
      truncate(violatingText(row), MAX_TYPES_WIDTH),
    ]);
    writeTable([[...TABLE_HEADINGS], ...cells], write);
    write(`\n${totalsLines(summary).join('\n')}\n`);
  });
}

/** The heading of a summary table: the group, buckets, each severity, unclassified. */
function summaryHeadings(groupBy: GroupBy): string[] {
  return [GROUP_LABELS[groupBy].heading, 'Buckets', ...SEVERITY_COLUMNS, 'Unclassified'];
}

function tableSummaryReport(groupBy: GroupBy, write: (text: string) => void): Report {
  return bucketReport((rows, summary) => {
    const cells = groupRows(rows.values(), groupBy).map((row) => [
      row.group ?? '-',
      ...groupCounts(row),
    ]);
    writeTable([summaryHeadings(groupBy).map((heading) => heading.toUpperCase()), ...cells], write);
    write(`\n${totalsLines(summary).join('\n')}\n`);
  });
}

function csvSummaryReport(groupBy: GroupBy, write: (text: string) => void): Report {
  return bucketReport((rows) => {
    const { key } = GROUP_LABELS[groupBy];
    write(`${[key, 'buckets', ...SEVERITY_COLUMNS, 'unclassifiedBuckets'].join(',')}\n`);
    for (const row of groupRows(rows.values(), groupBy)) {
      write(`${[csvCell(row.group ?? ''), ...groupCounts(row)].join(',')}\n`);
    }
  });
}

/** `{"groupBy", "groups": [...], "errors", "summary"}`; a group is keyed `team`, `accountId` or `bucket`. */
function jsonSummaryReport(groupBy: GroupBy, write: (text: string) => void): Report {
  const errors: Array<{ source: string; reason: string }> = [];
  const buckets = bucketReport((rows, summary) => {
    const { key } = GROUP_LABELS[groupBy];
    const groups = groupRows(rows.values(), groupBy).map(({ group, ...counts }: GroupRow) => ({
      [key]: group,
      ...counts,
    }));
    write(
      `{"groupBy":${JSON.stringify(groupBy)},\n"groups":[${groups.map((g) => `\n${JSON.stringify(g)}`).join(',')}\n],\n"errors":${JSON.stringify(errors)},\n"summary":${JSON.stringify(summary)}}\n`,
    );
  });
  return {
    ...buckets,
    unreadable(source, reason) {
      if (errors.length < MAX_JSON_ERRORS) errors.push({ source, reason });
    },
  };
}

/**
 * Rows of cells in aligned columns, two spaces apart; the first row is the
 * heading. Cells are untrusted text (bucket names, tag values, types), so each
 * goes through `inert` first.
 */
export function formatTable(cellRows: readonly string[][]): string {
  const lines: string[] = [];
  writeTable(cellRows, (line) => lines.push(line));
  return lines.join('');
}

/**
 * {@link formatTable}, written a line at a time, so a table of many rows is never
 * one string. Each cell is cut to 256 characters by `inert`.
 */
export function writeTable(cellRows: readonly string[][], write: (line: string) => void): void {
  const rows = cellRows.map((row) => row.map((cell) => inert(cell)));
  const widths = (rows[0] ?? []).map((_, column) =>
    rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), 0),
  );
  for (const row of rows) {
    const line = row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
    write(`${line}\n`);
  }
}

/** Cuts `text` to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
