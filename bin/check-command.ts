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
 * @returns the exit code: 2 when a record could not be read, else 1 when a
 *   result reaches `failOn`, else 0.
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
  let thresholdReached = false;

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
    if (options.failOn && reaches(checked, options.failOn)) thresholdReached = true;
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
  return thresholdReached ? EXIT_THRESHOLD : EXIT_OK;
}

/** One finding judged as `check` reports it: its tags, with the tags file's laid over them. */
export function judge(
  finding: Parameters<typeof tagsOfFinding>[0],
  source: string,
  options: Pick<CheckOptions, 'policy' | 'tags' | 'tagKeys'>,
): CheckResult {
  const bucket = finding.resourcesAffected.s3Bucket.name;
  const tags = { ...tagsOfFinding(finding), ...options.tags.get(bucket) };
  const verdict = evaluateFinding(finding, tags, options.policy, options.tagKeys);
  const declaration = declaredLevelOf(options.policy, tags[options.tagKeys.classification]);
  const declaredLevel = declaration.kind === 'declared' ? declaration.level : null;
  return toCheckResult(finding, verdict, declaredLevel, source);
}
