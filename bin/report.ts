import { SEVERITIES, type Severity } from '../policies/policy';
import { inert } from '../policies/untrusted-text';
import type { VerdictKind } from '../rules/verdict';
import { type CheckResult, type ReportedType, resultRank } from './check-result';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface Summary {
  readonly findings: number;
  readonly buckets: number;
  readonly unreadableRecords: number;
  readonly samples: number;
  readonly verdicts: Readonly<Record<VerdictKind, number>>;
  /** Severities of violations and unclassified buckets, samples excluded. */
  readonly severities: Readonly<Record<Severity, number>>;
}

/** Receives results as they are judged; writes its format to `write`. */
export interface Report {
  add(result: CheckResult): void;
  unreadable(source: string, reason: string): void;
  finish(summary: Summary): void;
}

export function createReport(format: Format, write: (text: string) => void): Report {
  switch (format) {
    case 'json':
      return jsonReport(write);
    case 'csv':
      return csvReport(write);
    case 'table':
      return tableReport(write);
  }
}

/**
 * Unreadable records listed under `errors` in JSON. They come after the results,
 * so they wait in memory; past this many, only `summary.unreadableRecords` counts
 * them (stderr still names every one).
 */
export const MAX_JSON_ERRORS = 1000;

/** Streams results, so large inputs need no memory for them; the summary comes last. */
function jsonReport(write: (text: string) => void): Report {
  let first = true;
  const errors: Array<{ source: string; reason: string }> = [];
  write('{"results":[');
  return {
    add(result) {
      write(`${first ? '\n' : ',\n'}${JSON.stringify(result)}`);
      first = false;
    },
    unreadable(source, reason) {
      if (errors.length < MAX_JSON_ERRORS) errors.push({ source, reason });
    },
    finish(summary) {
      write(`\n],\n"errors":${JSON.stringify(errors)},\n"summary":${JSON.stringify(summary)}}\n`);
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

function csvReport(write: (text: string) => void): Report {
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
    finish() {},
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

interface BucketRow {
  bucket: string;
  declaredLevel: string | null;
  worst: CheckResult;
  team: string | null;
  findings: number;
  violating: Set<string>;
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
  const rows = new Map<string, BucketRow>();
  return {
    add(result) {
      const row = rows.get(result.bucket);
      const violating = result.violations.map((v) => `${v.type} (${v.requiredLevel})`);
      if (!row) {
        rows.set(result.bucket, {
          bucket: result.bucket,
          declaredLevel: result.declaredLevel,
          worst: result,
          team: result.team,
          findings: 1,
          violating: new Set(violating),
        });
        return;
      }
      row.findings++;
      row.declaredLevel = result.declaredLevel ?? row.declaredLevel;
      row.team = result.team ?? row.team;
      for (const type of violating) row.violating.add(type);
      if (resultRank(result) > resultRank(row.worst)) row.worst = result;
    },
    unreadable() {
      // Reported on stderr as they happen; counted in the totals.
    },
    finish(summary) {
      const sorted = [...rows.values()].sort(
        (a, b) => resultRank(b.worst) - resultRank(a.worst) || compare(a.bucket, b.bucket),
      );
      const cells = sorted.map((row) => [
        row.bucket,
        row.declaredLevel ?? '-',
        row.worst.verdict + (row.worst.sample ? ' (sample)' : ''),
        row.worst.severity ?? '-',
        row.team ?? '-',
        String(row.findings),
        truncate([...row.violating].sort().join(', ') || '-', MAX_TYPES_WIDTH),
      ]);
      writeTable([[...TABLE_HEADINGS], ...cells], write);
      write(`\n${totals(summary)}\n`);
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

function totals(summary: Summary): string {
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
  if (summary.unreadableRecords > 0) {
    lines.push(`${summary.unreadableRecords} record(s) could not be read (listed on stderr).`);
  }
  return lines.join('\n');
}

/** Cuts `text` to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
