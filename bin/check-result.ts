import type { Finding } from '../lib/macie-finding';
import { SEVERITIES, type Severity, severityRank } from '../policies/policy';
import { describeRequirement } from '../rules/required-level';
import type { JudgedDetection, Verdict, VerdictKind } from '../rules/verdict';

/** A detected type as reports show it. */
export interface ReportedType {
  readonly type: string;
  readonly category: string;
  /** A level name, or `forbidden`. */
  readonly requiredLevel: string;
  readonly count: number;
}

/** One judged finding, as every output format sees it. */
export interface CheckResult {
  readonly findingId: string;
  readonly findingType: string;
  readonly bucket: string;
  readonly accountId: string;
  readonly region: string;
  readonly objectKey: string | null;
  /** The level the bucket declares; `null` when it declares none the policy knows. */
  readonly declaredLevel: string | null;
  readonly verdict: VerdictKind;
  readonly severity: Severity | null;
  readonly team: string | null;
  readonly sample: boolean;
  readonly publiclyAccessible: boolean;
  /** Why the finding is ignored or the bucket unclassified. */
  readonly reason: string | null;
  /** Types not allowed at the declared level (at the lowest level when unclassified). */
  readonly violations: readonly ReportedType[];
  readonly detected: readonly ReportedType[];
  /** `file:line` the finding was read from. */
  readonly source: string;
}

/**
 * Characters of one text value in a result. Nothing real is longer: tag values
 * hold 256 characters, S3 object keys 1024 bytes, bucket names 63. A longer value
 * (a forged finding or tags file) is cut, so one value cannot swell every result
 * that repeats it into gigabytes of output.
 */
export const MAX_RESULT_TEXT = 1024;

/** A tag value quoted in a reason: AWS allows 256 characters. */
const MAX_QUOTED_TAG_VALUE = 256;

/** `text` cut to `max` characters, the cut marked with `…`. */
function bounded(text: string, max?: number): string;
function bounded(text: string | null, max?: number): string | null;
function bounded(text: string | null, max = MAX_RESULT_TEXT): string | null {
  if (text === null || text.length <= max) return text;
  let kept = text.slice(0, max - 1);
  // Do not leave half of a character that takes two UTF-16 units.
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}…`;
}

export function toCheckResult(
  finding: Finding,
  verdict: Verdict,
  declaredLevel: string | null,
  source: string,
): CheckResult {
  const judged = verdict.kind === 'ignored' ? undefined : verdict;
  // Key order is the order people read the JSON output in.
  return {
    findingId: bounded(finding.id),
    bucket: bounded(finding.resourcesAffected.s3Bucket.name),
    declaredLevel: verdict.kind === 'unclassified' ? null : bounded(declaredLevel),
    verdict: verdict.kind,
    severity: judged && judged.kind !== 'compliant' ? judged.severity : null,
    team: bounded(judged?.team ?? null),
    violations: judged && judged.kind !== 'compliant' ? judged.violations.map(reported) : [],
    source: bounded(source),
    detected: judged?.detections.map(reported) ?? [],
    reason: bounded(reasonOf(verdict)),
    sample: finding.sample,
    publiclyAccessible: judged?.publiclyAccessible ?? false,
    accountId: bounded(finding.accountId),
    region: bounded(finding.region),
    objectKey: bounded(finding.resourcesAffected.s3Object?.key ?? null),
    findingType: bounded(finding.type),
  };
}

function reasonOf(verdict: Verdict): string | null {
  switch (verdict.kind) {
    case 'ignored':
      return verdict.reason;
    case 'unclassified':
      return verdict.reason === 'missing'
        ? 'no classification tag'
        : `classification tag "${bounded(verdict.tagValue ?? '', MAX_QUOTED_TAG_VALUE)}" is not a level`;
    default:
      return null;
  }
}

function reported(detection: JudgedDetection): ReportedType {
  return {
    type: bounded(detection.type),
    category: bounded(detection.category),
    requiredLevel: describeRequirement(detection.requirement),
    count: detection.count,
  };
}

/** Ranks results for "worst": ignored < compliant < alerting results by severity. */
export function resultRank(result: Pick<CheckResult, 'verdict' | 'severity'>): number {
  if (result.verdict === 'ignored') return 0;
  if (result.severity === null) return 1;
  return 2 + severityRank(result.severity) * 2 + (result.verdict === 'violation' ? 1 : 0);
}

/** Does the result reach `threshold`? Samples never do: they are not real data. */
export function reaches(result: CheckResult, threshold: Severity): boolean {
  return (
    !result.sample &&
    result.severity !== null &&
    severityRank(result.severity) >= severityRank(threshold)
  );
}

export function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}
