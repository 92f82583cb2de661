import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';

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
 * - the caller may not publish, or the topic's KMS key is unusable;
 * - the topic's region does not accept this account's credentials: a region not
 *   enabled for the account (`OptInRequired`), or a regional endpoint that does not
 *   know the access key (`InvalidClientTokenId`, `UnrecognizedClientException`,
 *   `InvalidAccessKeyId`). The Lambda's own credentials work in its own region, so
 *   these say the topic's region is not one the account can use.
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
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'OptInRequired',
]);

/** Node's errors for a host name that does not resolve (no such name; resolver unsure). */
const NAME_RESOLUTION_ERRORS = new Set(['ENOTFOUND', 'EAI_AGAIN']);

/**
 * The shape of every AWS region name: a partition prefix (`us`, `eu`, `ap`, `us-gov`,
 * `us-iso`, `eusc-de`, ...), a compass direction, a number: `eu-west-1`,
 * `ap-southeast-7`, `us-gov-west-1`, `us-isob-east-1`, `il-central-1`.
 */
const REGION_NAME =
  /^[a-z]{2,4}(-(gov|iso[a-z]?|[a-z]{2}))?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

/**
 * What a failed publish to `topicArn` means. `refused`: retrying cannot succeed, so
 * the notice falls back to central security. `retry`: it may succeed later (the
 * error is rethrown, the invocation fails and is retried, finally into the DLQ).
 *
 * The rule, in order:
 * 1. A server fault (`$fault: 'server'`, 5xx) is retried, whatever its name.
 * 2. An error named in {@link REFUSALS} is refused.
 * 3. A name-resolution error (`ENOTFOUND`, `EAI_AGAIN`) for a topic whose region
 *    is not shaped like an AWS region name (`eu-wset-1`, `EU-WEST-1`, `local`) is
 *    refused: that endpoint will never exist. For a region shaped like one, the
 *    resolver failed for a real endpoint, which is transient: retried.
 * 4. Anything else (throttling, time-outs, connection resets) is retried.
 */
function publishFailure(
  error: unknown,
  topicArn: string,
): { readonly kind: 'refused'; readonly errorName: string } | { readonly kind: 'retry' } {
  const { name, code, $fault } = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
  };
  if ($fault === 'server') return { kind: 'retry' };
  if (typeof name === 'string' && REFUSALS.has(name)) return { kind: 'refused', errorName: name };
  if (
    typeof code === 'string' &&
    NAME_RESOLUTION_ERRORS.has(code) &&
    !REGION_NAME.test(regionOf(topicArn))
  ) {
    return { kind: 'refused', errorName: code };
  }
  return { kind: 'retry' };
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
      const output = await this.client(regionOf(topicArn)).send(command);
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

function regionOf(topicArn: string): string {
  return topicArn.split(':')[3] ?? '';
}
