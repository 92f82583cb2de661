import type { Severity } from '../policies/policy';
import { inert, inertLines } from '../policies/untrusted-text';
import { type Alert, type AlertFinding, macieConsoleUrl, routingOf, subjectOf } from './alert';
import type { AlertRoute } from './alert-route';
import type {
  BucketAssessment,
  BucketState,
  Declaration,
  NoticeKind,
  OpenViolation,
  WaivedViolation,
} from './bucket-state';
import type { TagKeys } from './finding';
import {
  fitMessage,
  listHead,
  mostSevereFirst,
  type NotListed,
  notListedLine,
} from './message-bounds';
import type { NoticeDecision } from './notice-decision';

export const NOTICE_SCHEMA = 'bucket-classification-validator/notice/v1';

/** The JSON document of a notice about a bucket's state. */
export interface NoticeDocument {
  readonly schema: typeof NOTICE_SCHEMA;
  readonly kind: NoticeKind;
  /** The bucket's state now: `clear` once resolved. */
  readonly verdict: BucketAssessment['verdict'];
  readonly severity: Severity;
  readonly team: string;
  readonly sample: false;
  readonly summary: string;
  /** What changed since the last notice (escalations, resolutions). */
  readonly changes: readonly string[];
  readonly bucket: {
    readonly name: string;
    readonly accountId: string;
    readonly region: string;
    readonly declaredLevel: string | null;
    /** The classification tag as found (untrusted text), when it is not a level. */
    readonly classificationTag?: string;
    readonly allowedLevels?: readonly string[];
    readonly tagsUnreadable?: string;
    readonly publiclyAccessible: boolean;
  };
  /** The tags the bucket was judged by, and where and when they were read. */
  readonly declaration: {
    readonly tags: Readonly<Record<string, string>>;
    readonly source: Declaration['source'];
    readonly readAt: string;
  } | null;
  /** Most severe first; as many as fit in one SNS message. */
  readonly violations: readonly NoticeViolation[];
  /** Open types not listed in `violations` for want of room, and their occurrences. */
  readonly violationsNotListed?: NotListed;
  /**
   * How many times a type found in the bucket was left out of the ledger, which
   * keeps a bounded number of types per bucket (the least demanding go first).
   */
  readonly typesLeftOut?: number;
  /** Not allowed, but covered by a waiver in force. */
  readonly waived: readonly NoticeWaiver[];
  /** Not allowed, and the waiver that covered them has expired. */
  readonly waiverExpired: readonly NoticeWaiver[];
  /** Entries of `waived` and `waiverExpired` not listed for want of room. */
  readonly waiversNotListed?: number;
  readonly findings: {
    readonly total: number;
    /** Findings recorded since the previous notice, and when that was. */
    readonly sinceLastNotice: number;
    readonly lastNoticeAt: string | null;
  };
  /** The finding that brought this notice, if one did. */
  readonly finding?: {
    readonly id: string;
    readonly type: string;
    readonly objectKey: string | null;
    readonly createdAt: string | null;
    readonly consoleUrl: string;
  };
  readonly resolution?: { readonly by: string; readonly reason: string; readonly at: string };
  readonly routing: {
    readonly topicArn: string;
    readonly fallbackReason?: string;
    readonly detail?: string;
  };
}

export interface NoticeViolation {
  readonly type: string;
  readonly category: string;
  readonly requiredLevel: string;
  readonly count: number;
  readonly findings: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Object keys it was found in (at most five; untrusted text). */
  readonly examples: readonly string[];
}

export interface NoticeWaiver {
  readonly type: string;
  readonly ticket: string;
  readonly approver: string;
  readonly expiresAt: string;
}

/** What brought the notice. */
export type NoticeTrigger =
  | { readonly kind: 'finding'; readonly finding: AlertFinding }
  | { readonly kind: 'tag-change' }
  | { readonly kind: 'resolve'; readonly by: string; readonly reason: string; readonly at: string }
  | { readonly kind: 'schedule' };

export interface NoticeInput {
  /** The state before the notice is recorded (its counts since the last notice). */
  readonly state: BucketState;
  readonly assessment: BucketAssessment;
  readonly decision: NoticeDecision;
  readonly route: AlertRoute;
  readonly trigger: NoticeTrigger;
  readonly levels: readonly string[];
  readonly keys: TagKeys;
  /** Why the tags could not be read (an AWS error name), when they could not. */
  readonly tagsUnreadable?: string;
}

/**
 * The notice for a change of a bucket's state: the violations open now (with
 * counts, first and last seen and example objects), the tags the bucket was
 * judged by and when they were read, what changed, and how to fix it. Never
 * any data values. It fits one SNS message: violations are listed most severe
 * first, as many as fit, and the notice counts the types left out.
 */
export function composeNotice(input: NoticeInput): Alert<NoticeDocument> {
  const { state, assessment, decision, route, trigger, levels, keys } = input;
  const tagsUnreadable = input.tagsUnreadable;
  const severity: Severity = assessment.severity ?? state.lastNotice?.severity ?? 'Low';
  const team = inert(assessment.team);
  const classificationTag = state.declaration?.tags[keys.classification];
  const finding = trigger.kind === 'finding' ? trigger.finding : undefined;
  const violations = assessment.violations.map(noticeViolation).sort(mostSevereFirst(levels));
  const waived = assessment.waived.map(noticeWaiver);
  const waiverExpired = assessment.waiverExpired.map(noticeWaiver);
  return fitMessage(
    (shown) => {
      const listed = listHead(violations, shown);
      const document: NoticeDocument = {
        schema: NOTICE_SCHEMA,
        kind: decision.kind,
        verdict: assessment.verdict,
        severity,
        team,
        sample: false,
        summary: summaryOf(inert(state.bucket), decision.kind, assessment, tagsUnreadable),
        changes: decision.changes.map((text) => inert(text)),
        bucket: {
          name: state.bucket,
          accountId: state.accountId,
          region: state.region,
          declaredLevel: assessment.declaredLevel ?? null,
          ...(assessment.verdict === 'unclassified' && classificationTag !== undefined
            ? { classificationTag: inert(classificationTag) }
            : {}),
          ...(assessment.verdict === 'unclassified' ? { allowedLevels: levels } : {}),
          ...(tagsUnreadable === undefined ? {} : { tagsUnreadable }),
          publiclyAccessible: assessment.publiclyAccessible,
        },
        declaration: state.declaration
          ? {
              tags: Object.fromEntries(
                Object.entries(state.declaration.tags).map(([k, v]) => [inert(k), inert(v)]),
              ),
              source: state.declaration.source,
              readAt: state.declaration.readAt,
            }
          : null,
        violations: listed.listed,
        ...(listed.notListed ? { violationsNotListed: listed.notListed } : {}),
        ...(state.typesLeftOut ? { typesLeftOut: state.typesLeftOut } : {}),
        waived: waived.slice(0, shown),
        waiverExpired: waiverExpired.slice(0, shown),
        ...(waived.length > shown || waiverExpired.length > shown
          ? {
              waiversNotListed:
                Math.max(0, waived.length - shown) + Math.max(0, waiverExpired.length - shown),
            }
          : {}),
        findings: {
          total: state.findings,
          sinceLastNotice: state.findingsSinceNotice,
          lastNoticeAt: state.lastNotice?.at ?? null,
        },
        ...(finding
          ? {
              finding: {
                id: finding.id,
                type: finding.type,
                objectKey: finding.objectKey ? inert(finding.objectKey) : null,
                createdAt: finding.createdAt ?? null,
                consoleUrl: macieConsoleUrl(finding),
              },
            }
          : {}),
        ...(trigger.kind === 'resolve'
          ? {
              resolution: {
                by: inert(trigger.by),
                reason: inert(trigger.reason),
                at: trigger.at,
              },
            }
          : {}),
        routing: routingOf(route),
      };
      return {
        subject: subjectOf(false, severity, `${HEADINGS[decision.kind]}: ${state.bucket}`),
        document,
        text: noticeText(document, levels),
        attributes: {
          severity,
          team,
          bucket: state.bucket,
          kind: decision.kind,
          sample: 'false',
        },
      };
    },
    Math.max(violations.length, waived.length, waiverExpired.length),
  );
}

const HEADINGS: Record<NoticeDecision['kind'], string> = {
  violation: 'Classification violation',
  escalation: 'Classification violation escalated',
  reminder: 'Classification violation still open',
  resolved: 'Classification violation resolved',
};

function summaryOf(
  bucket: string,
  kind: NoticeDecision['kind'],
  assessment: BucketAssessment,
  tagsUnreadable: string | undefined,
): string {
  if (kind === 'resolved')
    return `S3 bucket ${bucket} no longer holds data its classification does not allow.`;
  const what =
    assessment.verdict === 'violation'
      ? `holds data its classification (${assessment.declaredLevel}) does not allow`
      : tagsUnreadable !== undefined
        ? 'holds sensitive data, and its classification could not be read'
        : 'holds sensitive data but declares no valid data classification';
  switch (kind) {
    case 'violation':
      return `S3 bucket ${bucket} ${what}.`;
    case 'escalation':
      return `S3 bucket ${bucket} ${what}, and it got worse.`;
    case 'reminder':
      return `S3 bucket ${bucket} still ${what}.`;
  }
}

function noticeViolation(violation: OpenViolation): NoticeViolation {
  return {
    type: inert(violation.type),
    category: violation.category,
    requiredLevel: violation.requiredLevel,
    count: violation.count,
    findings: violation.findings,
    firstSeen: violation.firstSeen,
    lastSeen: violation.lastSeen,
    examples: violation.examples.map((text) => inert(text)),
  };
}

function noticeWaiver(waived: WaivedViolation): NoticeWaiver {
  return {
    type: inert(waived.type),
    ticket: inert(waived.waiver.ticket),
    approver: inert(waived.waiver.approver),
    expiresAt: waived.waiver.expiresAt,
  };
}

function noticeText(document: NoticeDocument, levels: readonly string[]): string {
  const { bucket } = document;
  const lines: string[] = [document.summary, ''];
  if (document.changes.length > 0) {
    lines.push('What changed:');
    for (const change of document.changes) lines.push(`  - ${change}`);
    lines.push('');
  }
  lines.push(`Severity:        ${document.severity}`);
  lines.push(
    `Bucket:          ${inert(bucket.name)} (account ${bucket.accountId}, ${bucket.region})`,
  );
  lines.push(`Declared level:  ${declaredText(document, levels)}`);
  lines.push(`Team:            ${document.team}`);
  if (document.declaration) {
    lines.push(
      `Judged by tags:  ${
        Object.entries(document.declaration.tags)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ') || 'none'
      } (${SOURCES[document.declaration.source]}, ${document.declaration.readAt})`,
    );
  }
  if (bucket.publiclyAccessible) {
    lines.push('Exposure:        the bucket is publicly accessible (severity raised)');
  }
  lines.push('');
  if (document.violations.length > 0) {
    lines.push(
      document.verdict === 'violation'
        ? `Not allowed at ${bucket.declaredLevel}:`
        : 'Sensitive data found:',
    );
    for (const violation of document.violations) {
      lines.push(`  - ${describe(violation)}`);
      if (violation.examples.length > 0) lines.push(`      e.g. ${violation.examples.join(', ')}`);
    }
    if (document.violationsNotListed) {
      lines.push(
        `  ${notListedLine(document.violationsNotListed)}: bucket-classification ledger show lists them all`,
      );
    }
    if (document.typesLeftOut) {
      lines.push(
        `  The ledger keeps a bounded number of types per bucket: ${document.typesLeftOut} less demanding type(s) found here were left out.`,
      );
    }
    lines.push('');
  }
  for (const expired of document.waiverExpired) {
    lines.push(
      `Waiver expired:  ${expired.type} (${expired.ticket}, expired ${expired.expiresAt})`,
    );
  }
  for (const waived of document.waived) {
    lines.push(`Waived:          ${waived.type} (${waived.ticket}, until ${waived.expiresAt})`);
  }
  if (document.waiversNotListed) lines.push(`…and ${document.waiversNotListed} more waivers`);
  if (document.waived.length + document.waiverExpired.length > 0) lines.push('');
  const { findings } = document;
  lines.push(
    `Findings:        ${findings.total} in all; ${findings.sinceLastNotice} since the last notice${findings.lastNoticeAt ? ` (${findings.lastNoticeAt})` : ''}`,
  );
  if (document.finding) {
    lines.push(`Latest finding:  ${document.finding.id} (${document.finding.type})`);
    if (document.finding.objectKey) lines.push(`Object:          ${document.finding.objectKey}`);
    lines.push(`Macie console:   ${document.finding.consoleUrl}`);
  }
  if (document.resolution) {
    lines.push(`Resolved by:     ${document.resolution.by}: ${document.resolution.reason}`);
  }
  lines.push('', whatToDo(document, levels));
  if (document.routing.fallbackReason) {
    lines.push(
      '',
      `Sent to central security: ${document.routing.detail ?? document.routing.fallbackReason}.`,
    );
  }
  lines.push(
    '',
    document.kind === 'resolved'
      ? 'You will hear again if data its classification does not allow is found here again.'
      : 'You will hear again only when this gets worse, as a reminder while it stays open, or when it is resolved.',
  );
  return inertLines(lines);
}

const SOURCES: Record<Declaration['source'], string> = {
  finding: "from the Macie finding's snapshot",
  live: 'read from S3',
  'tag-change': 'from the tag change',
  'tag-rule': 'from the tag rule',
};

function declaredText(document: NoticeDocument, levels: readonly string[]): string {
  const { bucket } = document;
  if (bucket.declaredLevel !== null) return bucket.declaredLevel;
  if (bucket.tagsUnreadable !== undefined) {
    return `unknown: the bucket's tags could not be read (${bucket.tagsUnreadable})`;
  }
  const found =
    bucket.classificationTag === undefined
      ? 'no classification tag'
      : `"${bucket.classificationTag}", which is not a level`;
  return `${found} (levels: ${levels.join(', ')})`;
}

function whatToDo(document: NoticeDocument, levels: readonly string[]): string {
  if (document.kind === 'resolved') return 'Nothing to do.';
  if (document.bucket.tagsUnreadable !== undefined) {
    return "What to do: let the validator's role read this bucket's tags (s3:GetBucketTagging), or check that the bucket still exists.";
  }
  if (document.verdict === 'unclassified') {
    return `What to do: tag the bucket with the level of data it may hold (one of ${levels.join(', ')}).`;
  }
  return 'What to do: remove the data or move it to a bucket declared at the level it needs. If the bucket is meant to hold such data, raise its classification tag to that level. Once the data is gone, central security can close this with `bucket-classification ledger resolve`.';
}

function describe(violation: NoticeViolation): string {
  const needs =
    violation.requiredLevel === 'forbidden'
      ? 'forbidden at every level'
      : `needs ${violation.requiredLevel}`;
  return `${violation.type} (${violation.category}): ${needs}; ${violation.count} occurrence${violation.count === 1 ? '' : 's'} in ${violation.findings} object${violation.findings === 1 ? '' : 's'}, ${violation.firstSeen} to ${violation.lastSeen}`;
}
