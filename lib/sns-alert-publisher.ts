import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { regionOfTopic, unreachableRegionReason } from './sns-region-reach';

/** An alert as SNS carries it; `document` goes to JSON subscribers, `text` to e-mail. */
export interface AlertMessage {
  readonly subject: string;
  readonly document: unknown;
  readonly text: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export type PublishResult =
  | { readonly kind: 'published'; readonly messageId: string }
  /** SNS refused for good: retrying the same publish cannot succeed. */
  | { readonly kind: 'refused'; readonly errorName: string };

/** Port: delivers an alert to a topic. */
export interface AlertPublisher {
  publish(topicArn: string, message: AlertMessage): Promise<PublishResult>;
}

/**
 * Error names after which the same publish cannot succeed:
 * - the topic is missing, or its ARN or the request is invalid (`NotFound`,
 *   `InvalidParameter`, `ValidationError`, ...);
 * - the caller may not publish, or the topic's KMS key is unusable.
 * A topic whose region cannot be reached is refused too (see `sns-region-reach.ts`).
 * Throttling and server errors are not here: the SDK retries them and then the
 * invocation fails, so EventBridge retries the event.
 */
const REFUSALS = new Set([
  'NotFoundException',
  'NotFound',
  'AuthorizationErrorException',
  'AuthorizationError',
  'InvalidParameterException',
  'InvalidParameter',
  'InvalidParameterValueException',
  'InvalidParameterValue',
  'ValidationException',
  'ValidationError',
  'InvalidSecurityException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'AccessDeniedException',
  'AccessDenied',
]);

/**
 * What a failed publish to `topicArn` means. `refused`: retrying cannot succeed, so
 * the notice falls back to central security. `retry`: it may succeed later (the
 * error is rethrown, the invocation fails and is retried, finally into the DLQ).
 *
 * The rule, in order:
 * 1. A server fault (`$fault: 'server'`, 5xx) is retried, whatever its name.
 * 2. An error named in {@link REFUSALS} is refused.
 * 3. An error that says the topic's region cannot be reached for good
 *    ({@link unreachableRegionReason}: credentials the region refuses, or a name
 *    that does not resolve for a region that is not shaped like one) is refused.
 * 4. Anything else (throttling, time-outs, connection resets) is retried.
 */
function publishFailure(
  error: unknown,
  topicArn: string,
): { readonly kind: 'refused'; readonly errorName: string } | { readonly kind: 'retry' } {
  const { name, $fault } = (error ?? {}) as { name?: unknown; $fault?: unknown };
  if ($fault === 'server') return { kind: 'retry' };
  if (typeof name === 'string' && REFUSALS.has(name)) return { kind: 'refused', errorName: name };
  const unreachable = unreachableRegionReason(error, topicArn);
  return unreachable === undefined
    ? { kind: 'retry' }
    : { kind: 'refused', errorName: unreachable };
}

/** Publishes with SNS `MessageStructure: json`: JSON for machines, text for e-mail. */
export class SnsAlertPublisher implements AlertPublisher {
  private readonly clients = new Map<string, SNSClient>();

  /** @param clientFor the client for a region; topics are published to in their own region. */
  constructor(
    private readonly clientFor: (region: string) => SNSClient = (region) =>
      new SNSClient({ region }),
  ) {}

  async publish(topicArn: string, message: AlertMessage): Promise<PublishResult> {
    const command = new PublishCommand({
      TopicArn: topicArn,
      Subject: message.subject,
      MessageStructure: 'json',
      Message: JSON.stringify({
        default: JSON.stringify(message.document),
        email: message.text,
      }),
      MessageAttributes: Object.fromEntries(
        Object.entries(message.attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value === '' ? '-' : value },
        ]),
      ),
    });
    try {
      const output = await this.client(regionOfTopic(topicArn)).send(command);
      return { kind: 'published', messageId: output.MessageId ?? '' };
    } catch (error) {
      const failure = publishFailure(error, topicArn);
      if (failure.kind === 'refused') return failure;
      throw error;
    }
  }

  private client(region: string): SNSClient {
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    return client;
  }
}
