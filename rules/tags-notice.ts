import type { Severity } from '../policies/policy';
import { inert, inertLines } from '../policies/untrusted-text';
import { type Alert, routingOf, subjectOf } from './alert';
import type { AlertRoute } from './alert-route';
import type { TagKeys } from './finding';

export const TAGS_NOTICE_SCHEMA = 'bucket-classification-validator/tags-notice/v1';

/** Config results that teams hear about; NOT_APPLICABLE (a deleted bucket) is not news. */
export type TagCompliance = 'COMPLIANT' | 'NON_COMPLIANT';

/**
 * Does a new result of the tag rule deserve a notice? Only a change into
 * NON_COMPLIANT, or back out of it; a bucket's first COMPLIANT result, and every
 * periodic re-evaluation that finds the same, do not.
 *
 * @param previous the result the team last heard of (or Config's previous one).
 */
export function tagsNoticeDue(previous: string | undefined, current: TagCompliance): boolean {
  return current === 'NON_COMPLIANT' ? previous !== 'NON_COMPLIANT' : previous === 'NON_COMPLIANT';
}

export interface TagsNoticeDocument {
  readonly schema: typeof TAGS_NOTICE_SCHEMA;
  readonly kind: 'tags';
  readonly severity: Severity;
  readonly team: string;
  readonly sample: false;
  readonly summary: string;
  readonly bucket: { readonly name: string; readonly accountId: string; readonly region: string };
  readonly compliance: TagCompliance;
  readonly previousCompliance: string | null;
  /** Config's annotation: what is wrong (untrusted text: it quotes tag values). */
  readonly annotation: string;
  readonly recordedAt: string;
  readonly requiredTags: Readonly<Record<string, string>>;
  readonly routing: ReturnType<typeof routingOf>;
}

export interface TagsNoticeInput {
  readonly bucket: string;
  readonly accountId: string;
  readonly region: string;
  readonly compliance: TagCompliance;
  readonly previous: string | undefined;
  readonly annotation: string;
  readonly recordedAt: string;
  readonly team: string;
  readonly route: AlertRoute;
  readonly keys: TagKeys;
  readonly levels: readonly string[];
}

/** A bucket that loses its valid declaration matters, but holds no known violation yet. */
const NON_COMPLIANT_SEVERITY: Severity = 'Medium';
const COMPLIANT_SEVERITY: Severity = 'Low';

/**
 * The notice for a change of the tag rule's result: what is wrong (Config's
 * annotation), which tags every bucket needs, and the command that fixes it.
 */
export function composeTagsNotice(input: TagsNoticeInput): Alert<TagsNoticeDocument> {
  const { keys, levels } = input;
  const failing = input.compliance === 'NON_COMPLIANT';
  const severity = failing ? NON_COMPLIANT_SEVERITY : COMPLIANT_SEVERITY;
  const team = inert(input.team);
  const bucket = inert(input.bucket);
  const summary = failing
    ? `S3 bucket ${bucket} no longer declares a valid classification and alert topic.`
    : `S3 bucket ${bucket} declares a valid classification and alert topic again.`;
  const document: TagsNoticeDocument = {
    schema: TAGS_NOTICE_SCHEMA,
    kind: 'tags',
    severity,
    team,
    sample: false,
    summary,
    bucket: { name: input.bucket, accountId: input.accountId, region: input.region },
    compliance: input.compliance,
    previousCompliance: input.previous ?? null,
    annotation: inert(input.annotation),
    recordedAt: input.recordedAt,
    requiredTags: {
      [keys.classification]: `one of ${levels.join(', ')}`,
      [keys.topic]: 'the ARN of your team’s SNS topic',
      [keys.team]: 'your team’s name (optional unless required)',
    },
    routing: routingOf(input.route),
  };
  const lines = [
    summary,
    '',
    `Result:          ${input.compliance}${input.previous ? ` (was ${input.previous})` : ''}`,
    `Bucket:          ${bucket} (account ${input.accountId}, ${input.region})`,
    `Team:            ${team}`,
    `AWS Config says: ${document.annotation}`,
    `Recorded at:     ${input.recordedAt}`,
    '',
  ];
  if (failing) {
    lines.push(
      'What to do: tag the bucket with',
      ...Object.entries(document.requiredTags).map(([key, what]) => `  - ${key}: ${what}`),
      '',
      // tag-resources adds and changes the named tags only: put-bucket-tagging would
      // replace the bucket's whole tag set.
      "For example (this keeps the bucket's other tags):",
      `  aws resourcegroupstaggingapi tag-resources --region ${input.region} --resource-arn-list arn:aws:s3:::${bucket} --tags '${JSON.stringify({ [keys.classification]: levels.at(-1) ?? 'Restricted', [keys.topic]: `arn:aws:sns:${input.region}:${input.accountId}:<your-topic>`, [keys.team]: '<your-team>' })}'`,
      '',
      'Until then, findings in this bucket are judged as unclassified and alerts about it go to central security.',
    );
  } else {
    lines.push('Nothing to do.');
  }
  if (document.routing.fallbackReason) {
    lines.push(
      '',
      `Sent to central security: ${document.routing.detail ?? document.routing.fallbackReason}.`,
    );
  }
  return {
    subject: subjectOf(
      false,
      severity,
      `Bucket tags ${failing ? 'not compliant' : 'compliant again'}: ${input.bucket}`,
    ),
    document,
    text: inertLines(lines),
    attributes: { severity, team, bucket: input.bucket, kind: 'tags', sample: 'false' },
  };
}
