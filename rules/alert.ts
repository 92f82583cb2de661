import type { Severity } from '../policies/policy';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import type { AlertRoute } from './alert-route';
import type { NoticeKind } from './bucket-state';
import { describeRequirement } from './required-level';
import type { JudgedDetection, Unclassified, Violation } from './verdict';

/** The facts of a finding an alert names. */
export interface AlertFinding {
  readonly id: string;
  readonly type: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly bucket: string;
  readonly objectKey?: string | null | undefined;
  readonly createdAt?: string | null | undefined;
  readonly sample: boolean;
  /** Why the bucket's tags could not be read (an AWS error name), when they could not. */
  readonly tagsUnreadable?: string | undefined;
}

export interface AlertType {
  readonly type: string;
  readonly category: string;
  /** A level, or `forbidden`. */
  readonly requiredLevel: string;
  readonly count: number;
}

/** The JSON document queue, function and HTTPS subscribers receive. */
export interface AlertDocument {
  readonly schema: typeof ALERT_SCHEMA;
  readonly kind: 'violation' | 'unclassified' | 'unprocessable';
  readonly severity: Severity;
  readonly team: string;
  readonly sample: boolean;
  readonly summary: string;
  readonly bucket?: {
    readonly name: string;
    readonly accountId: string;
    readonly region: string;
    readonly declaredLevel: string | null;
    /** The classification tag as found (untrusted text), when it is not a level. */
    readonly classificationTag?: string;
    readonly allowedLevels?: readonly string[];
    /** The tags could not be read (an AWS error name): the declaration is unknown. */
    readonly tagsUnreadable?: string;
    readonly publiclyAccessible: boolean;
  };
  readonly violations?: readonly AlertType[];
  readonly detected?: readonly AlertType[];
  readonly finding?: {
    readonly id: string;
    readonly type: string;
    readonly objectKey: string | null;
    readonly createdAt: string | null;
    readonly consoleUrl: string;
  };
  readonly routing: {
    readonly topicArn: string;
    readonly fallbackReason?: string;
    readonly detail?: string;
  };
  readonly error?: {
    readonly message: string;
    readonly event: string;
    readonly truncated: boolean;
  };
}

/** An alert ready to publish: subject, a JSON document, readable text and filterable attributes. */
export interface Alert<Document = AlertDocument> {
  /** Under 100 characters, one line. */
  readonly subject: string;
  readonly document: Document;
  /** For e-mail subscribers. */
  readonly text: string;
  /** SNS message attributes, for subscription filter policies. */
  readonly attributes: {
    readonly severity: Severity;
    readonly team: string;
    readonly bucket: string;
    readonly kind: AlertDocument['kind'] | NoticeKind;
    readonly sample: 'true' | 'false';
  };
}

export const ALERT_SCHEMA = 'bucket-classification-validator/alert/v1';
const MAX_SUBJECT = 99;
/** Room left for the raw event in an unprocessable alert; SNS takes 256 KiB in all. */
const MAX_RAW_EVENT = 64 * 1024;

/**
 * The alert for a violating finding or an unclassified bucket. It names the
 * bucket, account, region, declared level, each type with the level it needs
 * and its count, the severity, the finding and a console link, and never any
 * data values (findings carry none).
 */
export function composeAlert(
  finding: AlertFinding,
  verdict: Violation | Unclassified,
  route: AlertRoute,
  levels: readonly string[],
): Alert {
  const detected = verdict.detections.map(alertType);
  const violations = verdict.violations.map(alertType);
  const declaredLevel = verdict.kind === 'violation' ? verdict.declaredLevel : null;
  const team = inert(verdict.team);
  const bucketName = inert(finding.bucket);
  const summary =
    verdict.kind === 'violation'
      ? `S3 bucket ${bucketName} holds data its classification (${verdict.declaredLevel}) does not allow.`
      : finding.tagsUnreadable !== undefined
        ? `S3 bucket ${bucketName} holds sensitive data, and its classification could not be read.`
        : `S3 bucket ${bucketName} holds sensitive data but declares no valid data classification.`;
  const consoleUrl = macieConsoleUrl(finding);
  const document: AlertDocument = {
    schema: ALERT_SCHEMA,
    kind: verdict.kind,
    severity: verdict.severity,
    team,
    sample: finding.sample,
    summary,
    bucket: {
      name: finding.bucket,
      accountId: finding.accountId,
      region: finding.region,
      declaredLevel,
      ...(verdict.kind === 'unclassified' && verdict.tagValue !== undefined
        ? { classificationTag: inert(verdict.tagValue) }
        : {}),
      ...(verdict.kind === 'unclassified' ? { allowedLevels: levels } : {}),
      ...(finding.tagsUnreadable === undefined ? {} : { tagsUnreadable: finding.tagsUnreadable }),
      publiclyAccessible: verdict.publiclyAccessible,
    },
    violations,
    detected,
    finding: {
      id: finding.id,
      type: finding.type,
      objectKey: finding.objectKey ?? null,
      createdAt: finding.createdAt ?? null,
      consoleUrl,
    },
    routing: routingOf(route),
  };
  const heading = verdict.kind === 'violation' ? 'Classification violation' : 'Unclassified bucket';
  return {
    subject: subjectOf(finding.sample, verdict.severity, `${heading}: ${finding.bucket}`),
    document,
    text: textOf(document, verdict, levels),
    attributes: {
      severity: verdict.severity,
      team,
      bucket: finding.bucket,
      kind: verdict.kind,
      sample: finding.sample ? 'true' : 'false',
    },
  };
}

/**
 * The alert for an event that is not a finding the validator can judge: it goes
 * to central security with the reason and the raw event, cut to fit SNS.
 */
export function composeUnprocessableAlert(
  reason: string,
  rawEvent: string,
  securityTopicArn: string,
  severity: Severity,
): Alert {
  const truncated = rawEvent.length > MAX_RAW_EVENT;
  const event = truncated ? rawEvent.slice(0, MAX_RAW_EVENT) : rawEvent;
  const document: AlertDocument = {
    schema: ALERT_SCHEMA,
    kind: 'unprocessable',
    severity,
    team: 'unassigned',
    sample: false,
    summary: 'An event reached the finding validator that it cannot judge.',
    routing: { topicArn: securityTopicArn },
    error: { message: reason, event, truncated },
  };
  // The event is shown on one line: a line break inside it could pose as a line of the alert.
  const text = inertLines([
    document.summary,
    '',
    `Reason: ${reason}`,
    '',
    'The event (also in the JSON form of this alert):',
    event.slice(0, 4096),
    ...(event.length > 4096 || truncated ? ['[cut]'] : []),
  ]);
  return {
    subject: subjectOf(false, severity, 'Unprocessable event for the finding validator'),
    document,
    text,
    attributes: {
      severity,
      team: 'unassigned',
      bucket: '-',
      kind: 'unprocessable',
      sample: 'false',
    },
  };
}

/** A link to the finding in the Macie console of its region and partition. */
export function macieConsoleUrl(
  finding: Pick<AlertFinding, 'id' | 'region' | 'partition'>,
): string {
  const domain =
    finding.partition === 'aws-us-gov'
      ? 'console.amazonaws-us-gov.com'
      : finding.partition === 'aws-cn'
        ? 'console.amazonaws.cn'
        : 'console.aws.amazon.com';
  const region = encodeURIComponent(finding.region);
  return `https://${region}.${domain}/macie/home?region=${region}#findings?itemId=${encodeURIComponent(finding.id)}`;
}

function textOf(
  document: AlertDocument,
  verdict: Violation | Unclassified,
  levels: readonly string[],
): string {
  const bucket = document.bucket;
  const finding = document.finding;
  const lines: string[] = [];
  if (document.sample) {
    lines.push(
      'SAMPLE FINDING: Macie generated this finding as a sample; no real data is involved.',
      '',
    );
  }
  lines.push(document.summary, '');
  lines.push(`Severity:        ${document.severity}`);
  lines.push(
    `Bucket:          ${inert(bucket?.name ?? '')} (account ${bucket?.accountId}, ${bucket?.region})`,
  );
  if (verdict.kind === 'violation') {
    lines.push(`Declared level:  ${verdict.declaredLevel}`);
  } else {
    const found =
      bucket?.tagsUnreadable !== undefined
        ? `unknown: the bucket's tags could not be read (${bucket.tagsUnreadable})`
        : verdict.reason === 'missing'
          ? 'no classification tag'
          : `"${bucket?.classificationTag}", which is not a level`;
    lines.push(`Declared level:  ${found} (levels: ${levels.join(', ')})`);
  }
  lines.push(`Team:            ${document.team}`);
  if (finding?.objectKey) lines.push(`Object:          ${inert(finding.objectKey)}`);
  if (bucket?.publiclyAccessible) {
    lines.push('Exposure:        the bucket is publicly accessible (severity raised)');
  }
  lines.push('');
  if (verdict.kind === 'violation') {
    lines.push(`Not allowed at ${verdict.declaredLevel}:`);
    for (const type of document.violations ?? []) lines.push(`  - ${describeType(type)}`);
    lines.push(
      '',
      'What to do: remove the data or move it to a bucket declared at the level it needs. If the bucket is meant to hold such data, raise its classification tag to that level.',
    );
  } else {
    lines.push('Sensitive data found:');
    for (const type of document.detected ?? []) lines.push(`  - ${describeType(type)}`);
    lines.push(
      '',
      bucket?.tagsUnreadable !== undefined
        ? "What to do: let the validator's role read this bucket's tags (s3:GetBucketTagging), or check that the bucket still exists."
        : `What to do: tag the bucket with the level of data it may hold (one of ${levels.join(', ')}).`,
    );
  }
  lines.push('', `Finding:         ${finding?.id} (${finding?.type})`);
  if (finding?.createdAt) lines.push(`Found at:        ${finding.createdAt}`);
  lines.push(`Macie console:   ${finding?.consoleUrl}`);
  if (document.routing.fallbackReason) {
    lines.push(
      '',
      `Sent to central security: ${document.routing.detail ?? document.routing.fallbackReason}.`,
    );
  }
  return inertLines(lines);
}

function describeType(type: AlertType): string {
  const needs =
    type.requiredLevel === 'forbidden' ? 'forbidden at every level' : `needs ${type.requiredLevel}`;
  return `${type.type} (${type.category}): ${needs}; ${type.count} occurrence${type.count === 1 ? '' : 's'}`;
}

function alertType(detection: JudgedDetection): AlertType {
  return {
    type: inert(detection.type),
    category: detection.category,
    requiredLevel: describeRequirement(detection.requirement),
    count: detection.count,
  };
}

export function routingOf(route: AlertRoute): AlertDocument['routing'] {
  return route.kind === 'team'
    ? { topicArn: route.topicArn }
    : {
        topicArn: route.topicArn,
        fallbackReason: route.reason,
        detail: inert(route.detail, MAX_MESSAGE),
      };
}

export function subjectOf(sample: boolean, severity: Severity, text: string): string {
  const subject = `${sample ? '[Sample] ' : ''}[${severity}] ${text}`;
  return inert(subject, MAX_SUBJECT);
}
