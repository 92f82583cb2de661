import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MetricsSink } from '../lib/cloudwatch-metrics';
import type { Severity } from '../policies/policy';
import { composeUnprocessableAlert, type RawEventLog } from '../rules/alert';
import { utf8Bytes } from '../rules/message-bounds';
import { jsonText, splitForLog } from '../rules/raw-event';
import { deliverNotice, type NoticeChannel } from './deliver-notice';

/** The metric that counts events the validator could not judge. */
export const UNPROCESSABLE_METRIC = 'UnprocessableEvents';

/**
 * Bytes of the raw event one log line carries, escaped as JSON. CloudWatch Logs
 * takes at most 256 KiB (262,144 bytes) per log event; the rest of the line (the
 * logger's own fields, the id, the part numbers, the reason) fits in what is left.
 */
export const RAW_EVENT_PART_BYTES = 200 * 1024;

/** Where an event that cannot be judged is reported. */
export interface UnprocessableDependencies {
  /** How notices are published; this one goes to central security only. */
  readonly channel: NoticeChannel;
  readonly metrics: MetricsSink;
  readonly logger: Logger;
  /** The function's log group; `undefined` outside Lambda. */
  readonly logGroupName: string | undefined;
}

/**
 * Reports an event the validator cannot judge, so that nothing of it is lost:
 *
 * 1. the whole event is logged, as its JSON text, in one or more error lines
 *    `unprocessable event` with the same `eventId`, numbered `part` of `parts`
 *    (join their `rawEvent` fields in part order to get the event back);
 * 2. central security is alerted with the reason, the start of the event (as
 *    much as fits in one SNS message) and where the whole one was logged;
 * 3. the `UnprocessableEvents` metric counts it.
 *
 * The event may be of any shape and depth: its JSON text is written without
 * recursion, and nothing is cut inside a character or an escape.
 */
export async function reportUnprocessable(
  deps: UnprocessableDependencies,
  reason: string,
  event: unknown,
  severity: Severity,
): Promise<RawEventLog> {
  const text = jsonText(event);
  const eventId = rawEventId(event, text);
  const parts = splitForLog(text, RAW_EVENT_PART_BYTES);
  parts.forEach((rawEvent, index) => {
    deps.logger.error('unprocessable event', {
      eventId,
      part: index + 1,
      parts: parts.length,
      ...(index === 0 ? { reason } : {}),
      rawEvent,
    });
  });
  const rawEvent: RawEventLog = {
    logGroup: deps.logGroupName ?? 'the validateFinding function’s log group',
    eventId,
    parts: parts.length,
    bytes: utf8Bytes(text),
  };
  const central = deps.channel.settings.securityTopicArn;
  await deliverNotice(
    deps.channel,
    { kind: 'team', topicArn: central },
    () => composeUnprocessableAlert(reason, event, rawEvent, central, severity),
    false,
  );
  await deps.metrics.record([{ name: UNPROCESSABLE_METRIC, dimensions: {}, count: 1 }]);
  return rawEvent;
}

/** EventBridge ids are UUIDs; anything else (or none) is not trusted as a search key. */
const EVENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The id the raw event is logged under: the EventBridge event's own `id` when it
 * has a plain one, else a digest of its JSON text (`sha256:` and 32 hex digits).
 */
export function rawEventId(event: unknown, text: string): string {
  const id = (event as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && EVENT_ID.test(id)) return id;
  return `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}
