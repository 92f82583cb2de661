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

export function toCheckResult(
  finding: Finding,
  verdict: Verdict,
  declaredLevel: string | null,
  source: string,
): CheckResult {
  const judged = verdict.kind === 'ignored' ? undefined : verdict;
  // Key order is the order people read the JSON output in.
  return {
    findingId: finding.id,
    bucket: finding.resourcesAffected.s3Bucket.name,
    declaredLevel: verdict.kind === 'unclassified' ? null : declaredLevel,
    verdict: verdict.kind,
    severity: judged && judged.kind !== 'compliant' ? judged.severity : null,
    team: judged?.team ?? null,
    violations: judged && judged.kind !== 'compliant' ? judged.violations.map(reported) : [],
    source,
    detected: judged?.detections.map(reported) ?? [],
    reason: reasonOf(verdict),
    sample: finding.sample,
    publiclyAccessible: judged?.publiclyAccessible ?? false,
    accountId: finding.accountId,
    region: finding.region,
    objectKey: finding.resourcesAffected.s3Object?.key ?? null,
    findingType: finding.type,
  };
}

function reasonOf(verdict: Verdict): string | null {
  switch (verdict.kind) {
    case 'ignored':
      return verdict.reason;
    case 'unclassified':
      return verdict.reason === 'missing'
        ? 'no classification tag'
        : `classification tag "${verdict.tagValue}" is not a level`;
    default:
      return null;
  }
}

function reported(detection: JudgedDetection): ReportedType {
  return {
    type: detection.type,
    category: detection.category,
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
