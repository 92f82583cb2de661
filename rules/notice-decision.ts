import { type Severity, severityRank } from '../policies/policy';
import type { BucketAssessment, BucketState, NoticeRecord } from './bucket-state';

/** A notice about a bucket's violations that is due now, and why. */
export interface NoticeDecision {
  readonly kind: 'violation' | 'escalation' | 'reminder' | 'resolved';
  /** What changed since the last notice, one sentence each (for escalations and resolutions). */
  readonly changes: readonly string[];
}

export interface NoticeTiming {
  readonly now: Date;
  /** Open violations are recalled after this long without a notice. */
  readonly reminderAfterMs: number;
}

/** Whether the team was last told of open violations (and not yet of their resolution). */
export function notifiedOpen(notice: NoticeRecord | undefined): boolean {
  return notice !== undefined && notice.verdict !== 'clear' && notice.kind !== 'tags';
}

/**
 * Does this change of a bucket's state deserve a notice? Notices follow the
 * bucket, not its findings:
 *
 * - the first violation (or unclassified state) of a bucket: `violation`;
 * - worse than last told (higher severity, a type not named before, the bucket
 *   became public): `escalation`;
 * - still open, and nothing said for `reminderAfterMs`: `reminder`;
 * - nothing open any more after the team was told: `resolved`.
 *
 * Everything else (one more object with a type already reported) only updates
 * the ledger and the metrics.
 *
 * @param last the last notice about the bucket's violations (`tags` notices do
 *   not count).
 */
export function decideNotice(
  last: NoticeRecord | undefined,
  assessment: BucketAssessment,
  timing: NoticeTiming,
): NoticeDecision | undefined {
  const open = assessment.verdict !== 'clear';
  const wasOpen = notifiedOpen(last);
  if (!open) {
    return wasOpen && last
      ? { kind: 'resolved', changes: resolvedChanges(last, assessment) }
      : undefined;
  }
  if (!wasOpen || last === undefined) return { kind: 'violation', changes: [] };

  const changes = escalations(last, assessment);
  if (changes.length > 0) return { kind: 'escalation', changes };
  const quietFor = timing.now.getTime() - Date.parse(last.at);
  if (quietFor >= timing.reminderAfterMs) return { kind: 'reminder', changes: [] };
  return undefined;
}

function escalations(last: NoticeRecord, assessment: BucketAssessment): string[] {
  const changes: string[] = [];
  if (
    assessment.severity !== undefined &&
    (last.severity === undefined || higher(assessment.severity, last.severity))
  ) {
    changes.push(`severity rose from ${last.severity ?? 'none'} to ${assessment.severity}`);
  }
  const told = new Set(last.types);
  const added = assessment.violations.map((v) => v.type).filter((type) => !told.has(type));
  if (added.length > 0) changes.push(`newly found: ${added.join(', ')}`);
  if (assessment.publiclyAccessible && !last.publiclyAccessible) {
    changes.push('the bucket became publicly accessible');
  }
  if (last.verdict === 'violation' && assessment.verdict === 'unclassified') {
    changes.push('the bucket no longer declares a valid classification');
  }
  return changes;
}

function resolvedChanges(last: NoticeRecord, assessment: BucketAssessment): string[] {
  const changes: string[] = [];
  if (assessment.waived.length > 0) {
    changes.push(
      `waived: ${assessment.waived.map((w) => `${w.type} (${w.waiver.ticket})`).join(', ')}`,
    );
  }
  if (last.types.length > 0) changes.push(`no longer open: ${last.types.join(', ')}`);
  return changes;
}

function higher(a: Severity, b: Severity): boolean {
  return severityRank(a) > severityRank(b);
}

/** The record of a notice about to be sent, kept in the ledger before it is published. */
export function noticeRecord(
  id: string,
  decision: NoticeDecision,
  assessment: BucketAssessment,
  topicArn: string,
  now: Date,
  findingId?: string,
): NoticeRecord {
  return {
    id,
    kind: decision.kind,
    ...(decision.changes.length > 0 ? { changes: decision.changes } : {}),
    at: now.toISOString(),
    topicArn,
    delivery: 'pending',
    ...(findingId === undefined ? {} : { findingId }),
    verdict: assessment.verdict,
    ...(assessment.severity === undefined ? {} : { severity: assessment.severity }),
    types: assessment.violations.map((violation) => violation.type).sort(),
    publiclyAccessible: assessment.publiclyAccessible,
  };
}

/** The state after a notice was decided: the count since the last notice starts again. */
export function withNotice(state: BucketState, notice: NoticeRecord): BucketState {
  return { ...state, lastNotice: notice, findingsSinceNotice: 0 };
}
