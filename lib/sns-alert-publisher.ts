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
 * Errors after which the same publish cannot succeed: the topic is missing, the
 * caller may not publish, the request is invalid, or the topic's KMS key is
 * unusable. Throttling and server errors are not here: the SDK retries them and
 * then the invocation fails, so EventBridge retries the event.
 */
const REFUSALS = new Set([
  'NotFoundException',
  'NotFound',
  'AuthorizationErrorException',
  'AuthorizationError',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ValidationException',
  'InvalidSecurityException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'AccessDeniedException',
  'AccessDenied',
]);

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
      const name = (error as Error).name;
      if (REFUSALS.has(name)) return { kind: 'refused', errorName: name };
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
