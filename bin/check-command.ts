import { FindingParseError } from '../lib/errors';
import type { TagKeySettings } from '../lib/tag-keys';
import { type Policy, SEVERITIES, type Severity } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import type { VerdictKind } from '../rules/verdict';
import { type CheckResult, reaches } from './check-result';
import {
  type CheckWorkers,
  checkWorkers,
  type WorkersOption,
  type WorkerTuning,
} from './check-workers';
import { duplicatesNote, FindingIds } from './finding-ids';
import type { InputLimits } from './input-limits';
import { judge } from './judge-finding';
import { isJudged, type JudgedFinding } from './line-records';
import { type LiveInput, LiveReading } from './live-findings';
import { type InputRecord, type ReadHooks, readInputBatches } from './read-inputs';
import { CHECK_FORMATS, type CheckFormat, createReport, type Summary } from './report';
import { createResultFilter, parseCriteria, type ResultCriteria } from './report-filter';
import { type GroupBy, parseGroupBy } from './report-summary';
import type { S3ReadOptions } from './s3-inputs';
import type { TagsByBucket } from './tags-file';
import { UsageError } from './usage-error';

export interface CheckOptions {
  readonly inputs: readonly string[];
  /** Findings read from Macie itself (`--live`), before the inputs. */
  readonly live?: LiveInput;
  /** How much one record and one input may hold; the defaults when not given. */
  readonly limits?: InputLimits;
  readonly policy: Policy;
  readonly tags: TagsByBucket;
  readonly tagKeys: TagKeySettings;
  readonly format: CheckFormat;
  /** One row per team, account or bucket instead of the results. */
  readonly groupBy?: GroupBy;
  /** Which results are reported, counted and held against `failOn`; all when absent. */
  readonly criteria?: ResultCriteria;
  readonly failOn?: Severity;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly hooks?: ReadHooks;
  /** How `s3://` inputs are read: objects open at once, where they come from. */
  readonly s3?: S3ReadOptions;
  /** Worker threads that read and judge JSON Lines: a count (0: none), or automatic (the default). */
  readonly workers?: WorkersOption;
  /** Chunk size and heap cap of the workers; tests make both small. */
  readonly workerTuning?: Partial<WorkerTuning>;
}

export const EXIT_OK = 0;
export const EXIT_THRESHOLD = 1;
export const EXIT_USAGE = 2;

/** The command-line values that shape the report, unchecked. */
export interface RawReportOptions {
  readonly format: string;
  readonly summary?: string | undefined;
  readonly severity?: string | undefined;
  readonly verdict?: string | undefined;
  readonly team?: string | undefined;
}

export type ReportOptions = Pick<CheckOptions, 'format' | 'groupBy' | 'criteria'>;

/**
 * `--format`, `--summary`, `--severity`, `--verdict` and `--team` checked.
 *
 * @throws UsageError naming the option and its valid values.
 */
export function checkReportOptions(raw: RawReportOptions): ReportOptions {
  if (!(CHECK_FORMATS as readonly string[]).includes(raw.format)) {
    throw new UsageError(
      `--format must be one of ${CHECK_FORMATS.join(', ')}; got "${raw.format}"`,
    );
  }
  const criteria = parseCriteria(raw);
  return {
    format: raw.format as CheckFormat,
    ...(raw.summary === undefined ? {} : { groupBy: parseGroupBy(raw.summary) }),
    ...(Object.keys(criteria).length === 0 ? {} : { criteria }),
  };
}

/**
 * Judges every finding read from Macie (`live`) and the inputs, and writes the
 * report of those that meet `criteria`. Unreadable records are reported on stderr
 * with file and line while the rest are still judged. A finding id seen again is
 * skipped: the first copy read is judged (Macie's own, when `live` is given), and
 * stderr says how many copies were skipped.
 *
 * @returns the exit code: 2 when a record could not be read or no finding was
 *   read at all (unless Macie answered that it has none), else 1 when a result
 *   reaches `failOn` (the results that do are named on stderr), else 0.
 */
export async function runCheck(options: CheckOptions): Promise<number> {
  const report = createReport(options.format, options.stdout, options.groupBy);
  const filter = options.criteria && createResultFilter(options.criteria);
  const verdicts: Record<VerdictKind, number> = {
    compliant: 0,
    violation: 0,
    unclassified: 0,
    ignored: 0,
  };
  const severities = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const buckets = new Set<string>();
  let findings = 0;
  let unreadableRecords = 0;
  let samples = 0;
  let filteredOut = 0;
  const reachingFailOn: CheckResult[] = [];
  const ids = new FindingIds();
  const live = options.live && new LiveReading(options.live, options.stderr);
  const workers = checkWorkers(options.workers ?? 'auto', options, options.workerTuning);

  try {
    for await (const batch of records(options, live, workers)) {
      for (const { source, result } of batch) {
        if (result instanceof FindingParseError) {
          unreadableRecords++;
          options.stderr(`${inert(source)}: ${inert(result.message, MAX_MESSAGE)}\n`);
          report.unreadable(source, result.message);
          continue;
        }
        const judged = isJudged(result);
        if (!ids.firstSighting(judged ? result.findingId : result.finding.id)) continue;
        const checked = judged ? result.judged : judge(result.finding, source, options);
        if (filter && !filter.keeps(checked)) {
          filteredOut++;
          continue;
        }
        findings++;
        buckets.add(checked.bucket);
        verdicts[checked.verdict]++;
        if (checked.sample) samples++;
        else if (checked.severity !== null) severities[checked.severity]++;
        if (options.failOn && reaches(checked, options.failOn)) reachingFailOn.push(checked);
        report.add(checked, judged ? result.json : undefined);
      }
    }
  } finally {
    await workers?.close();
  }

  const summary: Summary = {
    findings,
    buckets: buckets.size,
    unreadableRecords,
    samples,
    verdicts,
    severities,
    filteredOut,
    duplicates: ids.duplicates,
  };
  report.finish(summary);
  if (ids.duplicates > 0) options.stderr(duplicatesNote(ids.duplicates));
  for (const team of filter?.unmatchedTeams() ?? []) {
    options.stderr(`note: --team "${inert(team)}" matched no finding's team\n`);
  }
  if (unreadableRecords > 0) return EXIT_USAGE;
  if (findings + filteredOut === 0 && !live?.answered) {
    // A wrong path or an export that wrote nothing must not pass a CI job as "all clear".
    // Findings left out by the filters were read: a run that filters all of them out is fine.
    options.stderr(
      `no findings were read from ${options.inputs.map((input) => inert(input)).join(', ')}: nothing was judged; check the paths (in a directory only .json, .jsonl and .ndjson files, optionally .gz, are read)\n`,
    );
    return EXIT_USAGE;
  }
  if (options.failOn === undefined || reachingFailOn.length === 0) return EXIT_OK;
  options.stderr(failOnText(options.failOn, reachingFailOn));
  return EXIT_THRESHOLD;
}

/**
 * Macie's findings first, then the inputs in the order given, in batches. Macie's copy of a
 * finding is its current state, so that is the copy judged when an export holds
 * the finding too.
 */
async function* records(
  options: CheckOptions,
  live: LiveReading | undefined,
  workers: CheckWorkers | undefined,
): AsyncGenerator<Array<InputRecord<JudgedFinding>>> {
  if (live) for await (const record of live.records()) yield [record];
  const hooks: ReadHooks<JudgedFinding> = {
    ...options.hooks,
    ...(workers && { chunks: workers }),
  };
  yield* readInputBatches(options.inputs, hooks, options.limits, options.s3);
}

/** Results named on stderr when --fail-on is reached; the report has them all. */
const MAX_NAMED_RESULTS = 10;

/** Which results reached `--fail-on`: bucket, severity, verdict, types and where each was read. */
function failOnText(failOn: Severity, results: readonly CheckResult[]): string {
  const count = results.length === 1 ? '1 result reaches it' : `${results.length} results reach it`;
  const lines = results.slice(0, MAX_NAMED_RESULTS).map((result) => {
    const types = result.violations.map(({ type }) => inert(type)).join(', ');
    return `  ${inert(result.bucket)}: ${result.severity} ${result.verdict}${types ? ` (${types})` : ''} at ${inert(result.source)}`;
  });
  const more = results.length - lines.length;
  if (more > 0) lines.push(`  and ${more} more (see the report)`);
  return `--fail-on ${failOn}: ${count}, so the exit code is ${EXIT_THRESHOLD}:\n${lines.join('\n')}\n`;
}
