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
  const base = {
    findingId: finding.id,
    findingType: finding.type,
    bucket: finding.resourcesAffected.s3Bucket.name,
    accountId: finding.accountId,
    region: finding.region,
    objectKey: finding.resourcesAffected.s3Object?.key ?? null,
    verdict: verdict.kind,
    source,
  };
  if (verdict.kind === 'ignored') {
    return {
      ...base,
      declaredLevel,
      severity: null,
      team: null,
      sample: finding.sample,
      publiclyAccessible: false,
      reason: verdict.reason,
      violations: [],
      detected: [],
    };
  }
  return {
    ...base,
    declaredLevel: verdict.kind === 'unclassified' ? null : verdict.declaredLevel,
    severity: verdict.kind === 'compliant' ? null : verdict.severity,
    team: verdict.team,
    sample: verdict.sample,
    publiclyAccessible: verdict.publiclyAccessible,
    reason:
      verdict.kind !== 'unclassified'
        ? null
        : verdict.reason === 'missing'
          ? 'no classification tag'
          : `classification tag "${verdict.tagValue}" is not a level`,
    violations: verdict.kind === 'violation' ? verdict.violations.map(reported) : [],
    detected: verdict.detections.map(reported),
  };
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
