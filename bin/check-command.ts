import { FindingParseError } from '../lib/errors';
import { tagsOfFinding } from '../lib/macie-finding';
import type { TagKeySettings } from '../lib/tag-keys';
import { type Policy, SEVERITIES, type Severity } from '../policies/policy';
import { inert, MAX_MESSAGE } from '../policies/untrusted-text';
import { declaredLevelOf } from '../rules/declared-level';
import type { VerdictKind } from '../rules/verdict';
import { evaluateFinding } from '../rules/verdict';
import { type CheckResult, reaches, toCheckResult } from './check-result';
import type { InputLimits } from './input-limits';
import { type ReadHooks, readInputs } from './read-inputs';
import { createReport, type Format, type Summary } from './report';
import type { TagsByBucket } from './tags-file';

export interface CheckOptions {
  readonly inputs: readonly string[];
  /** How much one record and one input may hold; the defaults when not given. */
  readonly limits?: InputLimits;
  readonly policy: Policy;
  readonly tags: TagsByBucket;
  readonly tagKeys: TagKeySettings;
  readonly format: Format;
  readonly failOn?: Severity;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly hooks?: ReadHooks;
}

export const EXIT_OK = 0;
export const EXIT_THRESHOLD = 1;
export const EXIT_USAGE = 2;

/**
 * Judges every finding in the inputs and writes the report. Unreadable records
 * are reported on stderr with file and line while the rest are still judged.
 *
 * @returns the exit code: 2 when a record could not be read or no finding was
 *   read at all, else 1 when a result reaches `failOn` (the results that do are
 *   named on stderr), else 0.
 */
export async function runCheck(options: CheckOptions): Promise<number> {
  const report = createReport(options.format, options.stdout);
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
  const reachingFailOn: CheckResult[] = [];

  for await (const { source, result } of readInputs(
    options.inputs,
    options.hooks,
    options.limits,
  )) {
    if (result instanceof FindingParseError) {
      unreadableRecords++;
      options.stderr(`${inert(source)}: ${inert(result.message, MAX_MESSAGE)}\n`);
      report.unreadable(source, result.message);
      continue;
    }
    const checked = judge(result.finding, source, options);
    findings++;
    buckets.add(checked.bucket);
    verdicts[checked.verdict]++;
    if (checked.sample) samples++;
    else if (checked.severity !== null) severities[checked.severity]++;
    if (options.failOn && reaches(checked, options.failOn)) reachingFailOn.push(checked);
    report.add(checked);
  }

  const summary: Summary = {
    findings,
    buckets: buckets.size,
    unreadableRecords,
    samples,
    verdicts,
    severities,
  };
  report.finish(summary);
  if (unreadableRecords > 0) return EXIT_USAGE;
  if (findings === 0) {
    // A wrong path or an export that wrote nothing must not pass a CI job as "all clear".
    options.stderr(
      `no findings were read from ${options.inputs.map((input) => inert(input)).join(', ')}: nothing was judged; check the paths (in a directory only .json, .jsonl and .ndjson files, optionally .gz, are read)\n`,
    );
    return EXIT_USAGE;
  }
  if (options.failOn === undefined || reachingFailOn.length === 0) return EXIT_OK;
  options.stderr(failOnText(options.failOn, reachingFailOn));
  return EXIT_THRESHOLD;
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

function judge(
  finding: Parameters<typeof tagsOfFinding>[0],
  source: string,
  options: CheckOptions,
): CheckResult {
  const bucket = finding.resourcesAffected.s3Bucket.name;
  const tags = { ...tagsOfFinding(finding), ...options.tags.get(bucket) };
  const verdict = evaluateFinding(finding, tags, options.policy, options.tagKeys);
  const declaration = declaredLevelOf(options.policy, tags[options.tagKeys.classification]);
  const declaredLevel = declaration.kind === 'declared' ? declaration.level : null;
  return toCheckResult(finding, verdict, declaredLevel, source);
}
