import type { Severity } from '../policies/policy';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import type { AlertRoute } from './alert-route';
import type { NoticeKind } from './bucket-state';
import {
  fitMessage,
  listHead,
  mostSevereFirst,
  type NotListed,
  notListedLine,
  snsSubject,
} from './message-bounds';
import { eventExcerpt, type JsonValue } from './raw-event';
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
  /** Most severe first; as many as fit in one SNS message. */
  readonly violations?: readonly AlertType[];
  /** Types not listed in `violations` for want of room, and their occurrences. */
  readonly violationsNotListed?: NotListed;
  /** Most severe first; as many as fit in one SNS message. */
  readonly detected?: readonly AlertType[];
  readonly detectedNotListed?: NotListed;
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
    /** The start of the event as JSON (deep or long parts cut and named), as much as fits. */
    readonly event: JsonValue;
    /** `event` is not the whole event: the whole one is in the log (`rawEvent`). */
    readonly truncated: boolean;
    readonly rawEvent: RawEventLog;
  };
}

/** Where the whole raw event of an unprocessable alert was logged. */
export interface RawEventLog {
  /** The CloudWatch Logs group of the function that logged it. */
  readonly logGroup: string;
  /** The `eventId` field of its log lines. */
  readonly eventId: string;
  /** How many lines it takes: join their `rawEvent` fields in `part` order. */
  readonly parts: number;
  /** UTF-8 bytes of the event's JSON text. */
  readonly bytes: number;
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
/** Most of an unprocessable event an alert shows, in bytes of JSON; less when it does not fit. */
const MAX_EVENT_EXCERPT = 128 * 1024;
/** Most of it the e-mail text shows. */
const MAX_TEXT_EXCERPT = 4 * 1024;

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
  const severest = mostSevereFirst(levels);
  const detected = verdict.detections.map(alertType).sort(severest);
  const violations = verdict.violations.map(alertType).sort(severest);
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
  const heading = verdict.kind === 'violation' ? 'Classification violation' : 'Unclassified bucket';
  return fitMessage(
    (shown) => {
      const listedViolations = listHead(violations, shown);
      const listedDetected = listHead(detected, shown);
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
          ...(finding.tagsUnreadable === undefined
            ? {}
            : { tagsUnreadable: finding.tagsUnreadable }),
          publiclyAccessible: verdict.publiclyAccessible,
        },
        violations: listedViolations.listed,
        ...(listedViolations.notListed ? { violationsNotListed: listedViolations.notListed } : {}),
        detected: listedDetected.listed,
        ...(listedDetected.notListed ? { detectedNotListed: listedDetected.notListed } : {}),
        finding: {
          id: finding.id,
          type: finding.type,
          objectKey: finding.objectKey ?? null,
          createdAt: finding.createdAt ?? null,
          consoleUrl,
        },
        routing: routingOf(route),
      };
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
    },
    Math.max(violations.length, detected.length),
  );
}

/**
 * The alert for an event that is not a finding the validator can judge: it goes
 * to central security with the reason, the start of the event as a JSON value
 * (as much as fits in one SNS message, however deep or odd the event), and
 * where the whole event was logged.
 */
export function composeUnprocessableAlert(
  reason: string,
  event: unknown,
  rawEvent: RawEventLog,
  securityTopicArn: string,
  severity: Severity,
): Alert {
  const message = inert(reason, MAX_MESSAGE);
  const where = `CloudWatch Logs group ${inert(rawEvent.logGroup)}, the ${rawEvent.parts === 1 ? 'line' : `${rawEvent.parts} lines`} with eventId "${inert(rawEvent.eventId)}"`;
  return fitMessage((shown) => {
    const { excerpt, complete } = eventExcerpt(event, shown);
    const document: AlertDocument = {
      schema: ALERT_SCHEMA,
      kind: 'unprocessable',
      severity,
      team: 'unassigned',
      sample: false,
      summary: 'An event reached the finding validator that it cannot judge.',
      routing: { topicArn: securityTopicArn },
      error: { message, event: excerpt, truncated: !complete, rawEvent },
    };
    const shownInText = eventExcerpt(event, Math.min(shown, MAX_TEXT_EXCERPT));
    // The event is shown as JSON on one line: a line break inside it could pose as a line of the alert.
    const text = inertLines([
      document.summary,
      '',
      `Reason: ${message}`,
      '',
      `The whole event (${rawEvent.bytes} bytes of JSON) is in ${where}${rawEvent.parts === 1 ? '' : ': join their rawEvent fields in part order'}.`,
      '',
      shownInText.complete
        ? 'The event:'
        : 'The start of the event (deep or long parts cut and named):',
      JSON.stringify(shownInText.excerpt),
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
  }, MAX_EVENT_EXCERPT);
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
    if (document.violationsNotListed) {
      lines.push(`  ${notListedLine(document.violationsNotListed)}`);
    }
    lines.push(
      '',
      'What to do: remove the data or move it to a bucket declared at the level it needs. If the bucket is meant to hold such data, raise its classification tag to that level.',
    );
  } else {
    lines.push('Sensitive data found:');
    for (const type of document.detected ?? []) lines.push(`  - ${describeType(type)}`);
    if (document.detectedNotListed) lines.push(`  ${notListedLine(document.detectedNotListed)}`);
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

/** A subject SNS takes (see {@link snsSubject}): printable ASCII, one line, under 100 characters. */
export function subjectOf(sample: boolean, severity: Severity, text: string): string {
  return snsSubject(`${sample ? '[Sample] ' : ''}[${severity}] ${text}`);
}
