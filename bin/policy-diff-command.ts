import { FindingParseError } from '../lib/errors';
import { type TagKeySettings, tagKeysFromEnv } from '../lib/tag-keys';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import type { Policy, Severity } from '../policies/policy';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import { EXIT_OK, EXIT_THRESHOLD, EXIT_USAGE } from './check-command';
import { type InputLimits, inputLimits } from './input-limits';
import { judge } from './judge-finding';
import {
  createPolicyDiff,
  type DiffTotals,
  newAtOrAbove,
  type PolicyChange,
  type PolicyDiff,
} from './policy-diff';
import { type ReadHooks, readInputs } from './read-inputs';
import { formatTable } from './report';
import { severityOption } from './severity-option';
import { loadTagsFile, type TagsByBucket } from './tags-file';
import { UsageError } from './usage-error';

export const DIFF_FORMATS = ['table', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** `policy diff` as given on the command line. */
export interface PolicyDiffFlags {
  /**
   * OLD and NEW policy files (`default` names the shipped policy), then any more
   * findings paths: `--findings a b` leaves `b` among the arguments.
   */
  readonly positionals: readonly string[];
  /** The values of `--findings` (the option may be repeated). */
  readonly findings: readonly string[];
  readonly tags: string | undefined;
  readonly format: string;
  readonly failOnNew: string | undefined;
}

export interface PolicyDiffOptions {
  readonly oldPolicy: Policy;
  readonly newPolicy: Policy;
  readonly inputs: readonly string[];
  readonly limits?: InputLimits;
  readonly tags: TagsByBucket;
  readonly tagKeys: TagKeySettings;
  readonly format: DiffFormat;
  readonly failOnNew?: Severity;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly hooks?: ReadHooks;
}

/** The name that stands for the policy shipped with the project, as with `extends`. */
const DEFAULT_POLICY_NAME = 'default';

/**
 * Checks the flags of `policy diff` and loads what they name.
 *
 * @throws UsageError naming the flag that is wrong; PolicyError for a policy that
 *   cannot be used.
 */
export function policyDiffOptions(
  flags: PolicyDiffFlags,
  env: NodeJS.ProcessEnv,
  io: { readonly stdout: (text: string) => void; readonly stderr: (text: string) => void },
): PolicyDiffOptions {
  const [oldFile, newFile, ...morePaths] = flags.positionals;
  if (oldFile === undefined || newFile === undefined) {
    throw new UsageError(
      'policy diff takes two policies, OLD and NEW (a file, or "default" for the shipped policy)',
    );
  }
  if (flags.findings.length === 0) {
    throw new UsageError(
      morePaths.length > 0
        ? `policy diff takes two policies; give findings after --findings (got "${morePaths[0]}" as a third argument)`
        : 'policy diff needs --findings PATH...: files, directories or - for stdin',
    );
  }
  if (!(DIFF_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(
      `--format must be one of ${DIFF_FORMATS.join(', ')}; got "${flags.format}"`,
    );
  }
  const failOnNew =
    flags.failOnNew === undefined ? undefined : severityOption('--fail-on-new', flags.failOnNew);
  const limits = inputLimits({ maxRecordBytes: undefined, maxInputBytes: undefined }, env);
  return {
    oldPolicy: loadPolicy(policyFile(oldFile)),
    newPolicy: loadPolicy(policyFile(newFile)),
    inputs: [...flags.findings, ...morePaths],
    limits,
    tags: flags.tags === undefined ? new Map() : loadTagsFile(flags.tags, limits, io.stderr),
    tagKeys: tagKeysFromEnv(env),
    format: flags.format as DiffFormat,
    ...(failOnNew === undefined ? {} : { failOnNew }),
    stdout: io.stdout,
    stderr: io.stderr,
    hooks: {
      onSkip: (file, reason) => io.stderr(`skipped ${inert(file, MAX_MESSAGE)}: ${reason}\n`),
    },
  };
}

function policyFile(name: string): string {
  return name === DEFAULT_POLICY_NAME ? DEFAULT_POLICY_FILE : name;
}

/** A policy as reports name it: its file, or `default` for the shipped policy. */
function policyName(policy: Policy): string {
  return policy.source === DEFAULT_POLICY_FILE ? DEFAULT_POLICY_NAME : policy.source;
}

/**
 * `policy diff`: judges every finding of the inputs under both policies, as
 * `check` does, and writes what changes, by team.
 *
 * @returns 2 when a record could not be read or no finding was read; else 1 when
 *   `failOnNew` is given and a new violation or a raised severity reaches it;
 *   else 0.
 */
export async function runPolicyDiff(options: PolicyDiffOptions): Promise<number> {
  const builder = createPolicyDiff();
  let unreadableRecords = 0;
  for await (const { source, result } of readInputs(
    options.inputs,
    options.hooks,
    options.limits,
  )) {
    if (result instanceof FindingParseError) {
      unreadableRecords++;
      options.stderr(`${inert(source)}: ${inert(result.message, MAX_MESSAGE)}\n`);
      continue;
    }
    builder.add(
      judge(result.finding, source, { ...options, policy: options.oldPolicy }),
      judge(result.finding, source, { ...options, policy: options.newPolicy }),
    );
  }
  const diff = builder.finish();
  const failing = options.failOnNew === undefined ? [] : newAtOrAbove(diff, options.failOnNew);
  const report: DiffReport = {
    oldPolicy: policyName(options.oldPolicy),
    newPolicy: policyName(options.newPolicy),
    diff,
    unreadableRecords,
    ...(options.failOnNew === undefined
      ? {}
      : { failOnNew: { severity: options.failOnNew, reached: failing } }),
  };
  options.stdout(RENDERERS[options.format](report));

  if (diff.totals.findings === 0 && unreadableRecords === 0) {
    options.stderr('policy diff: no finding was read from the inputs\n');
    return EXIT_USAGE;
  }
  if (unreadableRecords > 0) return EXIT_USAGE;
  if (options.failOnNew !== undefined && failing.length > 0) {
    options.stderr(`${failureText(options.failOnNew, failing)}\n`);
    return EXIT_THRESHOLD;
  }
  return EXIT_OK;
}

/** Everything a format shows. */
export interface DiffReport {
  readonly oldPolicy: string;
  readonly newPolicy: string;
  readonly diff: PolicyDiff;
  readonly unreadableRecords: number;
  readonly failOnNew?: { readonly severity: Severity; readonly reached: readonly PolicyChange[] };
}

const RENDERERS: Record<DiffFormat, (report: DiffReport) => string> = {
  table: tableText,
  json: jsonText,
  markdown: markdownText,
};

/** Stderr when `--fail-on-new` is reached: the threshold, then each change that reached it. */
function failureText(threshold: Severity, failing: readonly PolicyChange[]): string {
  const lines = failing.map(
    (change) =>
      `  ${change.change} ${severityCell(change.oldSeverity)} -> ${severityCell(change.newSeverity)}: bucket ${change.bucket} (team ${change.team}) ${change.types.join(', ') || change.newVerdict} [${change.source}]`,
  );
  return inertLines([
    `policy diff: ${failing.length} new violation${failing.length === 1 ? '' : 's'} or raised severit${failing.length === 1 ? 'y' : 'ies'} at or above ${threshold} (--fail-on-new ${threshold}):`,
    ...lines,
  ]);
}

function severityCell(severity: Severity | null): string {
  return severity ?? '-';
}

/** A severity with the verdict when it is not a plain violation (an unclassified bucket). */
function judgementCell(severity: Severity | null, verdict: PolicyChange['oldVerdict']): string {
  if (severity === null) return '-';
  return verdict === 'violation' ? severity : `${severity} (${verdict})`;
}

function totalsSentence(totals: DiffTotals): string {
  return `${totals.new} new, ${totals.raised} raised, ${totals.lowered} lowered, ${totals.gone} gone; violations ${totals.oldViolations} -> ${totals.newViolations}`;
}

function headline(report: DiffReport): string[] {
  const { totals } = report.diff;
  const lines = [
    `Policy diff: ${report.oldPolicy} -> ${report.newPolicy}`,
    `${totals.findings} finding${totals.findings === 1 ? '' : 's'} judged under both: ${totalsSentence(totals)}.`,
  ];
  if (report.unreadableRecords > 0) {
    lines.push(`${report.unreadableRecords} record(s) could not be read (listed on stderr).`);
  }
  return lines;
}

const CHANGE_HEADINGS = ['TEAM', 'CHANGE', 'OLD', 'NEW', 'BUCKET', 'OBJECT', 'TYPES'];
const TEAM_HEADINGS = ['TEAM', 'NEW', 'RAISED', 'LOWERED', 'GONE', 'VIOLATIONS (OLD -> NEW)'];

function changeCells(change: PolicyChange): string[] {
  return [
    change.team,
    change.change + (change.sample ? ' (sample)' : ''),
    judgementCell(change.oldSeverity, change.oldVerdict),
    judgementCell(change.newSeverity, change.newVerdict),
    change.bucket,
    change.objectKey ?? '-',
    change.types.join(', ') || '-',
  ];
}

function teamCells(team: string, totals: DiffTotals): string[] {
  return [
    team,
    String(totals.new),
    String(totals.raised),
    String(totals.lowered),
    String(totals.gone),
    `${totals.oldViolations} -> ${totals.newViolations}`,
  ];
}

/** The changes in one table, then the totals by team in another. */
function tableText(report: DiffReport): string {
  const { diff } = report;
  const parts = [`${inertLines(headline(report))}\n`];
  if (diff.changes.length === 0) {
    parts.push('\nNo finding is judged differently.\n');
  } else {
    parts.push('\n', formatTable([CHANGE_HEADINGS, ...diff.changes.map(changeCells)]));
  }
  if (diff.teams.length > 0) {
    parts.push(
      '\n',
      formatTable([
        TEAM_HEADINGS,
        ...diff.teams.map((team) => teamCells(team.team, team)),
        teamCells('TOTAL', diff.totals),
      ]),
    );
  }
  return parts.join('');
}

function jsonText(report: DiffReport): string {
  const { diff } = report;
  return `${JSON.stringify(
    {
      oldPolicy: report.oldPolicy,
      newPolicy: report.newPolicy,
      totals: diff.totals,
      teams: diff.teams,
      changes: diff.changes,
      unreadableRecords: report.unreadableRecords,
      ...(report.failOnNew === undefined ? {} : { failOnNew: report.failOnNew }),
    },
    null,
    2,
  )}\n`;
}

/** For a pull request or a ticket: the totals, then a section per team with its changes. */
function markdownText(report: DiffReport): string {
  const { diff } = report;
  const [title = '', ...rest] = headline(report);
  const lines = [
    `### ${markdownInline(title)}`,
    '',
    ...rest.map((line) => markdownInline(line)),
    '',
  ];
  if (diff.teams.length > 0) {
    const rows = [
      ...diff.teams.map((team) => teamCells(team.team, team)),
      teamCells('TOTAL', diff.totals),
    ];
    lines.push(...markdownTable(TEAM_HEADINGS, rows), '');
  }
  if (diff.changes.length === 0) lines.push('No finding is judged differently.', '');
  for (const team of diff.teams) {
    const changes = diff.changes.filter((change) => change.team === team.team);
    if (changes.length === 0) continue;
    lines.push(
      `#### Team ${markdownInline(team.team)}: ${markdownInline(totalsSentence(team))}`,
      '',
      ...markdownTable(
        CHANGE_HEADINGS.slice(1),
        changes.map((change) => changeCells(change).slice(1)),
      ),
      '',
    );
  }
  return lines.join('\n');
}

/** A Markdown table; every cell goes through {@link markdownInline}. */
function markdownTable(headings: readonly string[], rows: readonly string[][]): string[] {
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell) => markdownInline(cell)).join(' | ')} |`;
  return [line(headings), `|${headings.map(() => ' --- ').join('|')}|`, ...rows.map(line)];
}

/**
 * One line of untrusted text for Markdown: made inert (no line break can end a
 * table row), with every mark Markdown reads within a line escaped, so a `|`
 * cannot end a cell nor `*`, `[`, `<` or `&` become emphasis, a link, HTML or an
 * entity (`>` and `!` mean something only at the start of a line or before `[`).
 */
export function markdownInline(text: string, max = MAX_MESSAGE): string {
  return inert(text, max).replace(/[\\`*_[\]<|~&#]/g, (mark) => `\\${mark}`);
}
