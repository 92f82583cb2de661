import type { Policy, Severity } from '../policies/policy';
import { type Detection, detectedTypes } from './detected-types';
import type { BucketTags, FindingInput, TagKeys } from './finding';
import { describeRequirement, requirementFor } from './required-level';
import { type JudgedDetection, judgeDetections } from './verdict';

/**
 * A bucket as the ledger knows it: the declaration it is judged by, every
 * sensitive data type Macie has found in it, and the last notice its team was
 * sent. Macie reports one finding per object and never updates one, so notices
 * follow this state rather than single findings.
 */
export interface BucketState {
  readonly accountId: string;
  readonly bucket: string;
  readonly region: string;
  readonly partition: string;
  /** The latest known declaration; absent when the tags could never be read. */
  readonly declaration?: Declaration;
  /** Every type found, allowed or not, by {@link typeKey}. */
  readonly types: Readonly<Record<string, RecordedType>>;
  /** Macie saw the bucket publicly accessible in its latest finding. */
  readonly publiclyAccessible: boolean;
  /** Findings recorded for the bucket, and since the last notice. */
  readonly findings: number;
  readonly findingsSinceNotice: number;
  readonly lastFindingAt?: string;
  /** When the open violations (or the unclassified state) began. */
  readonly openSince?: string;
  readonly lastNotice?: NoticeRecord;
  /** The latest resolution recorded by hand (`ledger resolve`). */
  readonly resolution?: Resolution;
  /** The latest result of the tag rule for the bucket, and whether the team heard it. */
  readonly tagCompliance?: TagComplianceRecord;
  /**
   * How many times a type was left out of `types` to keep the entry within what
   * one DynamoDB item holds (see {@link fitRecordedTypes}); absent when never.
   */
  readonly typesLeftOut?: number;
}

/** Where a declaration was read. */
export type DeclarationSource = 'finding' | 'live' | 'tag-change' | 'tag-rule';

export interface Declaration {
  /** The tags that carry the declaration (classification, topic, team), as found. */
  readonly tags: BucketTags;
  readonly source: DeclarationSource;
  /** ISO time the tags were read (for a finding: when Macie created it). */
  readonly readAt: string;
}

/** One sensitive data type found in the bucket over time. */
export interface RecordedType {
  readonly type: string;
  readonly category: string;
  readonly custom: boolean;
  /** Occurrences, summed over findings. */
  readonly count: number;
  /** Findings that reported the type. */
  readonly findings: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Up to {@link MAX_EXAMPLES} object keys it was found in (untrusted text). */
  readonly examples: readonly string[];
}

export type NoticeKind =
  | 'violation'
  | 'escalation'
  | 'reminder'
  | 'resolved'
  | 'tags'
  | 'digest'
  | 'unprocessable';

/** What the team was last told about the bucket, so the next change can be compared to it. */
export interface NoticeRecord {
  /** Unique per notice; a retried invocation finds its own pending notice by it. */
  readonly id: string;
  readonly kind: NoticeKind;
  readonly at: string;
  readonly topicArn: string;
  /**
   * `pending` from the ledger write until SNS accepted it; `withheld` when it was
   * recorded but deliberately not sent (`ledger resolve --no-notify`).
   */
  readonly delivery: 'pending' | 'sent' | 'withheld';
  readonly messageId?: string;
  /** The finding whose invocation sent it, if any. */
  readonly findingId?: string;
  /** What changed since the notice before, as the notice said. */
  readonly changes?: readonly string[];
  /** The bucket's state as the notice described it. */
  readonly verdict: BucketVerdict;
  readonly severity?: Severity;
  readonly types: readonly string[];
  readonly publiclyAccessible: boolean;
}

export interface Resolution {
  readonly at: string;
  readonly by: string;
  readonly reason: string;
  /** The types that were open and are no longer recorded. */
  readonly types: readonly string[];
}

export interface TagComplianceRecord {
  readonly compliance: string;
  readonly annotation: string;
  /** When Config recorded the result. */
  readonly at: string;
  /** The notice about this change, when it deserved one. */
  readonly notice?: {
    readonly id: string;
    readonly delivery: 'pending' | 'sent';
    readonly topicArn: string;
    readonly messageId?: string;
  };
}

export type BucketVerdict = 'clear' | 'violation' | 'unclassified';

/** A recorded type the bucket's declaration does not allow. */
export interface OpenViolation {
  readonly type: string;
  readonly category: string;
  /** A level, or `forbidden`. */
  readonly requiredLevel: string;
  readonly count: number;
  readonly findings: number;
  readonly examples: readonly string[];
  readonly firstSeen: string;
  readonly lastSeen: string;
}

export interface WaiverMatch {
  readonly status: 'active' | 'expired';
  readonly waiver: {
    readonly ticket: string;
    readonly approver: string;
    readonly reason: string;
    /** ISO time after which the waiver no longer holds. */
    readonly expiresAt: string;
    readonly source: string;
  };
}

/** The waiver that covers a type in a bucket, if any; see `rules/waivers.ts`. */
export type WaiverLookup = (type: string) => WaiverMatch | undefined;

export interface WaivedViolation extends OpenViolation {
  readonly waiver: WaiverMatch['waiver'];
}

/** A bucket judged as a whole: every recorded type against its current declaration. */
export interface BucketAssessment {
  readonly verdict: BucketVerdict;
  readonly team: string;
  /** The declared level, when the classification tag names one. */
  readonly declaredLevel?: string;
  /** The worst severity over the open violations; absent when clear. */
  readonly severity?: Severity;
  /** Not allowed at the declared level and not waived (every type when unclassified). */
  readonly violations: readonly OpenViolation[];
  /** Not allowed, but covered by an active waiver. */
  readonly waived: readonly WaivedViolation[];
  /** Not allowed, and the waiver that covered them has expired. */
  readonly waiverExpired: readonly WaivedViolation[];
  readonly publiclyAccessible: boolean;
}

/** Object keys kept per type, and how much of each. */
export const MAX_EXAMPLES = 5;
/**
 * Bytes (as JSON) of the recorded types one ledger entry keeps. A DynamoDB item
 * holds at most 400 KB; this leaves room for the rest of the entry, its notice
 * record (which names the open types again) and the attribute names.
 */
export const MAX_RECORDED_TYPES_BYTES = 200_000;
const MAX_EXAMPLE_LENGTH = 256;

/**
 * How old the tags inside a finding may be: Macie refreshes its bucket inventory
 * about daily, so a finding created at T carries tags read at some time after
 * T - 24 h.
 */
export const SNAPSHOT_MAX_AGE_MS = 24 * 3600 * 1000;

/** The ledger's key for a detected type: custom identifiers apart from managed ones. */
export function typeKey(detection: Pick<Detection, 'type' | 'custom'>): string {
  return detection.custom ? `custom:${detection.type}` : detection.type;
}

/** Only the tags that carry a declaration are kept in the ledger. */
export function declarationTags(tags: BucketTags, keys: TagKeys): BucketTags {
  const kept: Record<string, string> = {};
  for (const key of [keys.classification, keys.topic, keys.team]) {
    const value = tags[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}

/**
 * Which declaration a finding is judged by: the one in the ledger when it is
 * newer than the tags inside the finding could be, else the finding's own.
 * Tags read live or from a tag-change event at time R win over a finding's
 * snapshot unless the finding was created more than {@link SNAPSHOT_MAX_AGE_MS}
 * after R (its snapshot then postdates R).
 */
export function currentDeclaration(
  recorded: Declaration | undefined,
  candidate: Declaration | undefined,
): Declaration | undefined {
  if (candidate === undefined) return recorded;
  if (recorded === undefined) return candidate;
  return effectiveTime(candidate) >= effectiveTime(recorded) ? candidate : recorded;
}

/** The time a declaration is known to hold from: a finding's snapshot may be a day older than the finding. */
function effectiveTime(declaration: Declaration): number {
  const readAt = Date.parse(declaration.readAt);
  return declaration.source === 'finding' ? readAt - SNAPSHOT_MAX_AGE_MS : readAt;
}

/** Do two declarations say the same (the same tags with the same values)? */
export function sameDeclaration(a: Declaration | undefined, b: Declaration | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = new Set([...Object.keys(a.tags), ...Object.keys(b.tags)]);
  return [...keys].every((key) => a.tags[key] === b.tags[key]);
}

/** What changed between two declarations, in words (tag values are untrusted: the composer cleans them). */
export function describeDeclarationChange(
  before: Declaration | undefined,
  after: Declaration,
  keys: TagKeys,
): string[] {
  const changes: string[] = [];
  for (const key of [keys.classification, keys.topic, keys.team]) {
    const was = before?.tags[key];
    const now = after.tags[key];
    if (was === now) continue;
    if (was === undefined) changes.push(`${key} was set to "${now}"`);
    else if (now === undefined) changes.push(`${key} was removed (was "${was}")`);
    else changes.push(`${key} changed from "${was}" to "${now}"`);
  }
  return changes;
}

/** The facts of a finding the ledger records. */
export interface RecordableFinding extends FindingInput {
  readonly createdAt?: string | null | undefined;
  readonly resourcesAffected: FindingInput['resourcesAffected'] & {
    readonly s3Object?: { readonly key?: string | null } | null;
  };
}

/** A new, empty state for a bucket seen for the first time. */
export function emptyState(
  where: Pick<BucketState, 'accountId' | 'bucket' | 'region' | 'partition'>,
): BucketState {
  return { ...where, types: {}, publiclyAccessible: false, findings: 0, findingsSinceNotice: 0 };
}

/**
 * Adds a finding to a bucket's state: its types (counts, first and last seen,
 * example object keys), its exposure, and the declaration to judge by.
 */
export function recordFinding(
  state: BucketState,
  finding: RecordableFinding,
  declaration: Declaration | undefined,
  now: Date,
): BucketState {
  const seenAt = validTime(finding.createdAt) ?? now.toISOString();
  const objectKey = finding.resourcesAffected.s3Object?.key ?? undefined;
  const types: Record<string, RecordedType> = { ...state.types };
  for (const detection of detectedTypes(finding.classificationDetails?.result)) {
    const key = typeKey(detection);
    const seen = types[key];
    types[key] = seen
      ? {
          ...seen,
          count: seen.count + detection.count,
          findings: seen.findings + 1,
          firstSeen: earlier(seen.firstSeen, seenAt),
          lastSeen: later(seen.lastSeen, seenAt),
          examples: withExample(seen.examples, objectKey),
        }
      : {
          type: detection.type,
          category: detection.category,
          custom: detection.custom,
          count: detection.count,
          findings: 1,
          firstSeen: seenAt,
          lastSeen: seenAt,
          examples: withExample([], objectKey),
        };
  }
  const newest = state.lastFindingAt === undefined || seenAt >= state.lastFindingAt;
  const chosen = currentDeclaration(state.declaration, declaration);
  return {
    ...state,
    ...(chosen === undefined ? {} : { declaration: chosen }),
    types,
    publiclyAccessible: newest
      ? finding.resourcesAffected.s3Bucket.publicAccess?.effectivePermission === 'PUBLIC'
      : state.publiclyAccessible,
    findings: state.findings + 1,
    findingsSinceNotice: state.findingsSinceNotice + 1,
    lastFindingAt: newest ? seenAt : state.lastFindingAt,
  };
}

/**
 * Judges the bucket as a whole: every recorded type against the current
 * declaration, with the policy of the findings and the waivers in force.
 * Without a declaration (tags never read) the bucket is unclassified.
 */
export function assessBucket(
  state: BucketState,
  policy: Policy,
  keys: TagKeys,
  waiverFor: WaiverLookup,
): BucketAssessment {
  const recorded = Object.values(state.types);
  const verdict = judgeDetections(recorded, state.declaration?.tags ?? {}, policy, keys, {
    publiclyAccessible: state.publiclyAccessible,
    sample: false,
  });
  const base = {
    team: verdict.team,
    publiclyAccessible: state.publiclyAccessible,
    ...(verdict.kind === 'unclassified' ? {} : { declaredLevel: verdict.declaredLevel }),
  };
  if (verdict.kind === 'compliant' || recorded.length === 0) {
    return { ...base, verdict: 'clear', violations: [], waived: [], waiverExpired: [] };
  }
  const notAllowed = verdict.kind === 'violation' ? verdict.violations : verdict.detections;
  const violations: OpenViolation[] = [];
  const waived: WaivedViolation[] = [];
  const waiverExpired: WaivedViolation[] = [];
  for (const detection of notAllowed) {
    const open = openViolation(detection, state.types[typeKey(detection)]);
    const match = waiverFor(detection.type);
    if (match?.status === 'active') {
      waived.push({ ...open, waiver: match.waiver });
      continue;
    }
    if (match?.status === 'expired') waiverExpired.push({ ...open, waiver: match.waiver });
    violations.push(open);
  }
  if (violations.length === 0) {
    return { ...base, verdict: 'clear', violations, waived, waiverExpired };
  }
  // Severity over what is still open: waived types do not raise it.
  const open = new Set(violations.map((violation) => violation.type));
  const severity = judgeDetections(
    recorded.filter((type) => open.has(type.type)),
    state.declaration?.tags ?? {},
    policy,
    keys,
    { publiclyAccessible: state.publiclyAccessible, sample: false },
  );
  return {
    ...base,
    verdict: verdict.kind,
    severity: severity.kind === 'compliant' ? undefined : severity.severity,
    violations,
    waived,
    waiverExpired,
  };
}

/** Keeps when the bucket's open state began: set when it opens, cleared when it clears. */
export function withOpenSince(
  state: BucketState,
  assessment: BucketAssessment,
  now: Date,
): BucketState {
  if (assessment.verdict === 'clear') {
    const { openSince: _closed, ...rest } = state;
    return rest;
  }
  return state.openSince === undefined ? { ...state, openSince: now.toISOString() } : state;
}

/** A deleted bucket holds nothing any more: every recorded type is gone. */
export function bucketDeleted(state: BucketState, at: string): BucketState {
  const types = Object.values(state.types).map((recorded) => recorded.type);
  return {
    ...state,
    types: {},
    resolution: { at, by: 'AWS Config', reason: 'the bucket was deleted', types: types.sort() },
  };
}

/** Removes the open violations' types from the record, as `ledger resolve` does. */
export function resolveByHand(
  state: BucketState,
  assessment: BucketAssessment,
  resolution: Omit<Resolution, 'types'>,
): BucketState {
  const gone = new Set(assessment.violations.map((violation) => violation.type));
  const types = Object.fromEntries(
    Object.entries(state.types).filter(([, recorded]) => !gone.has(recorded.type)),
  );
  return { ...state, types, resolution: { ...resolution, types: [...gone].sort() } };
}

function openViolation(detection: JudgedDetection, recorded: RecordedType | undefined) {
  return {
    type: detection.type,
    category: detection.category,
    requiredLevel: describeRequirement(detection.requirement),
    count: recorded?.count ?? detection.count,
    findings: recorded?.findings ?? 1,
    examples: recorded?.examples ?? [],
    firstSeen: recorded?.firstSeen ?? '',
    lastSeen: recorded?.lastSeen ?? '',
  };
}

/**
 * Keeps a bucket's recorded types within {@link MAX_RECORDED_TYPES_BYTES}, so a
 * finding with thousands of types (or keys of a kilobyte each) can always be
 * written: first each type keeps one example key, then the least demanding
 * types (the lowest level the policy asks for, then the fewest occurrences) are
 * left out, counted in `typesLeftOut`. The most demanding types, which decide
 * the verdict and its severity, are always kept.
 *
 * @param demand how much a type asks of the bucket: higher is more (a forbidden
 *   type the most).
 */
export function fitRecordedTypes(
  state: BucketState,
  demand: (type: RecordedType) => number,
  maxBytes: number = MAX_RECORDED_TYPES_BYTES,
): BucketState {
  const size = (types: Record<string, RecordedType>): number =>
    Buffer.byteLength(JSON.stringify(types));
  if (size(state.types as Record<string, RecordedType>) <= maxBytes) return state;
  const trimmed: Record<string, RecordedType> = {};
  for (const [key, type] of Object.entries(state.types)) {
    trimmed[key] = { ...type, examples: type.examples.slice(0, 1) };
  }
  let bytes = size(trimmed);
  if (bytes <= maxBytes) return { ...state, types: trimmed };
  // Most demanding first, then most found, then by key (unique, so the order is
  // the same whatever order the types were recorded in); the last go until the rest fits.
  const ranked = Object.entries(trimmed).sort(
    ([keyA, a], [keyB, b]) => demand(b) - demand(a) || b.count - a.count || (keyA < keyB ? -1 : 1),
  );
  let leftOut = 0;
  while (bytes > maxBytes && ranked.length > 1) {
    const [key, type] = ranked.pop() as [string, RecordedType];
    // The type's own JSON, its key and the punctuation around them.
    bytes -= Buffer.byteLength(JSON.stringify(key)) + Buffer.byteLength(JSON.stringify(type)) + 2;
    leftOut++;
  }
  return {
    ...state,
    types: Object.fromEntries(ranked),
    typesLeftOut: (state.typesLeftOut ?? 0) + leftOut,
  };
}

/** How much a recorded type asks of a bucket under `policy`: its level's rank, forbidden above all. */
export function typeDemand(policy: Policy): (type: RecordedType) => number {
  return (type) => {
    const { requirement } = requirementFor(policy, type);
    return requirement.kind === 'forbidden'
      ? policy.levels.length
      : policy.levels.indexOf(requirement.level);
  };
}

function withExample(examples: readonly string[], key: string | undefined): readonly string[] {
  if (key === undefined || key === '' || examples.length >= MAX_EXAMPLES) return examples;
  const kept = key.length > MAX_EXAMPLE_LENGTH ? `${key.slice(0, MAX_EXAMPLE_LENGTH - 1)}…` : key;
  return examples.includes(kept) ? examples : [...examples, kept];
}

function validTime(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function earlier(a: string, b: string): string {
  return a <= b ? a : b;
}

function later(a: string, b: string): string {
  return a >= b ? a : b;
}
