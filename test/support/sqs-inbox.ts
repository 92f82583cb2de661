/**
 * SQS queues that integration tests read to see what moto delivered (from SNS or
 * EventBridge): created, subscribed to a topic, and emptied message by message.
 */
import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface Queue {
  readonly url: string;
  /** What a topic subscription or an EventBridge target names the queue by. */
  readonly arn: string;
}

/** Creates the queue `name` (or finds it, if it exists) and reads its ARN. */
export async function createQueue(sqs: SQSClient, name: string): Promise<Queue> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`queue ${name} has no QueueArn`);
  return { url: QueueUrl, arn };
}

/**
 * Creates the queue `name` and subscribes it to `topicArn`, with SNS envelope delivery
 * (read it with `snsMessage`) and, if given, a filter policy on message attributes.
 */
export async function subscribedQueue(
  clients: { readonly sns: SNSClient; readonly sqs: SQSClient },
  topicArn: string,
  name: string,
  filterPolicy?: object,
): Promise<Queue> {
  const queue = await createQueue(clients.sqs, name);
  await clients.sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queue.arn,
      ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
    }),
  );
  return queue;
}

export interface DrainOptions {
  /** How long each receive waits for a message; 0 (the default) returns at once. */
  readonly waitTimeSeconds?: number;
}

/**
 * Receives, reads with `read` and deletes every message waiting in the queue, until a
 * receive comes back empty; what `read` made of them, in the order they came.
 */
export async function drainQueue<T>(
  sqs: SQSClient,
  queueUrl: string,
  read: (body: string) => T,
  options: DrainOptions = {},
): Promise<T[]> {
  const results: T[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 0,
      }),
    );
    if (Messages.length === 0) return results;
    for (const message of Messages) {
      results.push(read(message.Body ?? '{}'));
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
}

/** The message an SNS subscriber without raw delivery got, parsed as JSON. */
export function snsMessage(body: string): unknown {
  const envelope = JSON.parse(body) as { Message: string };
  return JSON.parse(envelope.Message);
}
