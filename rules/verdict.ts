import type { Policy, Requirement, Severity } from '../policies/policy';
import { declaredLevelOf } from './declared-level';
import { type Detection, detectedTypes } from './detected-types';
import type { BucketTags, FindingInput, TagKeys } from './finding';
import { requirementFor } from './required-level';
import { raiseSeverity, severityOfGap, worstSeverity } from './severity';
import { teamOf } from './team';

/** A detected type with what the policy requires of it. */
export interface JudgedDetection extends Detection {
  readonly requirement: Requirement;
  /** The policy entry that set the requirement. */
  readonly because: string;
}

interface Judged {
  readonly team: string;
  /** Every sensitive type found, allowed or not. */
  readonly detections: readonly JudgedDetection[];
  /** Macie reports the bucket as publicly accessible. */
  readonly publiclyAccessible: boolean;
  /** A Macie sample finding: alert, but keep out of metrics. */
  readonly sample: boolean;
}

export interface Compliant extends Judged {
  readonly kind: 'compliant';
  readonly declaredLevel: string;
}

export interface Violation extends Judged {
  readonly kind: 'violation';
  readonly declaredLevel: string;
  /** The detected types the declared level does not allow. Never empty. */
  readonly violations: readonly JudgedDetection[];
  readonly severity: Severity;
}

export interface Unclassified extends Judged {
  readonly kind: 'unclassified';
  /** `missing`: no classification tag; `unknown`: its value is not a level. */
  readonly reason: 'missing' | 'unknown';
  /** The tag value when it is not a level (untrusted text). */
  readonly tagValue?: string;
  /** The detected types the lowest level of the policy does not allow. */
  readonly violations: readonly JudgedDetection[];
  readonly severity: Severity;
}

export interface Ignored {
  readonly kind: 'ignored';
  readonly reason: string;
}

export type Verdict = Compliant | Violation | Unclassified | Ignored;
export type VerdictKind = Verdict['kind'];

const SENSITIVE_DATA_PREFIX = 'SensitiveData:';

/**
 * Why a finding is not judged at all: policy findings and archived findings.
 * `undefined` for a finding to judge. Lets callers skip reading tags.
 */
export function ignoreReason(finding: Pick<FindingInput, 'type' | 'archived'>): string | undefined {
  if (!finding.type.startsWith(SENSITIVE_DATA_PREFIX)) {
    return `not a sensitive data finding (${finding.type})`;
  }
  if (finding.archived) return 'archived finding';
  return undefined;
}

/**
 * Judges a Macie finding against the bucket's tags: is what Macie found allowed
 * at the level the bucket declares?
 *
 * - policy findings (`Policy:*`) and archived findings are `ignored`;
 * - a bucket without a valid classification tag is `unclassified`, judged as
 *   if it declared the lowest level: its severity is the worse of that
 *   judgement and the policy's `unclassified` severity, so removing the tag
 *   never lowers the severity;
 * - a type needing a higher level than declared, or forbidden, is a `violation`
 *   whose severity is the worst over the violating types;
 * - a publicly accessible bucket raises the severity by the policy's
 *   `publicExposureRaise`.
 *
 * @example
 * ```ts
 * evaluateFinding(finding, { DataClassification: 'Internal' }, loadPolicy(), DEFAULT_TAG_KEYS);
 * // { kind: 'violation', severity: 'High', violations: [{ type: 'USA_SOCIAL_SECURITY_NUMBER', ... }], ... }
 * ```
 */
export function evaluateFinding(
  finding: FindingInput,
  tags: BucketTags,
  policy: Policy,
  keys: TagKeys,
): Verdict {
  const ignored = ignoreReason(finding);
  if (ignored !== undefined) return { kind: 'ignored', reason: ignored };
  const detections = detectedTypes(finding.classificationDetails?.result).map(
    (detection): JudgedDetection => {
      const { requirement, because } = requirementFor(policy, detection);
      // Written out: a detection from `detectedTypes` has these fields only, and a
      // literal is several times quicker to build than a spread.
      return {
        type: detection.type,
        category: detection.category,
        count: detection.count,
        custom: detection.custom,
        requirement,
        because,
      };
    },
  );
  return judgeRequirements(detections, tags, policy, keys, {
    publiclyAccessible:
      finding.resourcesAffected.s3Bucket.publicAccess?.effectivePermission === 'PUBLIC',
    sample: finding.sample,
  });
}

/** How exposed the bucket is, and whether the finding is one of Macie's samples. */
export interface Exposure {
  readonly publiclyAccessible: boolean;
  readonly sample: boolean;
}

/**
 * Judges sensitive data types found in a bucket against its tags: the same
 * judgement as {@link evaluateFinding}, for the types of one finding or for every
 * type recorded in a bucket over time.
 */
export function judgeDetections(
  found: readonly Detection[],
  tags: BucketTags,
  policy: Policy,
  keys: TagKeys,
  exposure: Exposure,
): Compliant | Violation | Unclassified {
  const detections = found.map((detection): JudgedDetection => {
    // Spread: a detection recorded over time carries more than the judgement reads.
    const { requirement, because } = requirementFor(policy, detection);
    return { ...detection, requirement, because };
  });
  return judgeRequirements(detections, tags, policy, keys, exposure);
}

/** {@link judgeDetections} of detections whose requirements are looked up already. */
function judgeRequirements(
  detections: readonly JudgedDetection[],
  tags: BucketTags,
  policy: Policy,
  keys: TagKeys,
  exposure: Exposure,
): Compliant | Violation | Unclassified {
  const { publiclyAccessible } = exposure;
  const judged: Judged = {
    team: teamOf(tags, keys),
    detections,
    publiclyAccessible,
    sample: exposure.sample,
  };
  const exposed = (severity: Severity): Severity =>
    publiclyAccessible ? raiseSeverity(severity, policy.severity.publicExposureRaise) : severity;

  const declaration = declaredLevelOf(policy, tags[keys.classification]);
  // Without a valid declaration the bucket may hold no more than the lowest level.
  const rank = declaration.kind === 'declared' ? declaration.rank : 0;
  const judgedSeverities = detections.map((detection) => ({
    detection,
    severity: severityOfGap(policy.severity, detection.requirement, rank),
  }));
  const violations = judgedSeverities
    .filter(({ severity }) => severity !== undefined)
    .map(({ detection }) => detection);
  const worst = worstSeverity(judgedSeverities.map(({ severity }) => severity));

  if (declaration.kind !== 'declared') {
    const severity =
      worstSeverity([policy.severity.unclassified, worst]) ?? policy.severity.unclassified;
    return {
      kind: 'unclassified',
      reason: declaration.kind,
      ...(declaration.kind === 'unknown' ? { tagValue: declaration.value } : {}),
      violations,
      severity: exposed(severity),
      ...judged,
    };
  }
  if (worst === undefined) {
    return { kind: 'compliant', declaredLevel: declaration.level, ...judged };
  }
  return {
    kind: 'violation',
    declaredLevel: declaration.level,
    violations,
    severity: exposed(worst),
    ...judged,
  };
}
