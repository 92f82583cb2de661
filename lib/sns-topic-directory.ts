import {
  GetTopicAttributesCommand,
  paginateListSubscriptionsByTopic,
  SNSClient,
} from '@aws-sdk/client-sns';
import { regionOfTopic, unreachableRegionReason } from './sns-region-reach';

/**
 * What looking a topic up found (the same cases as the tag rule's `TopicCheck`):
 * it can deliver, it does not exist, it is a FIFO topic, it has no confirmed
 * subscription, its region cannot be reached for good, or it could not be checked.
 */
export type TopicStatus =
  | { readonly kind: 'deliverable' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'fifo' }
  | { readonly kind: 'unconfirmed' }
  | { readonly kind: 'unreachable'; readonly reason: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** Port: can alerts sent to a topic reach anyone? Never throws for one topic. */
export interface TopicDirectory {
  check(topicArn: string): Promise<TopicStatus>;
}

const NOT_FOUND = new Set(['NotFoundException', 'NotFound']);

/**
 * SNS, with a client per topic region. `GetTopicAttributes` tells whether the topic
 * exists and whether it is a FIFO topic. Whether anyone listens comes from
 * `ListSubscriptionsByTopic`, page by page until one subscription is confirmed (its
 * ARN is an ARN, not `PendingConfirmation`): `GetTopicAttributes` also counts
 * confirmed subscriptions, but only approximately (the count lags behind changes),
 * while the list is exact, and it is what local emulators answer as AWS does.
 *
 * A refusal to look (authorization) or a failure that outlasted the SDK's retries
 * (throttling, server errors) is `unknown`, which the rule does not hold against the
 * bucket; a region that cannot be reached is `unreachable`, which it does.
 */
export class SnsTopicDirectory implements TopicDirectory {
  private readonly clients = new Map<string, SNSClient>();

  constructor(
    private readonly clientFor: (region: string) => SNSClient = (region) =>
      new SNSClient({ region }),
  ) {}

  async check(topicArn: string): Promise<TopicStatus> {
    const region = regionOfTopic(topicArn);
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientFor(region);
      this.clients.set(region, client);
    }
    try {
      const { Attributes } = await client.send(
        new GetTopicAttributesCommand({ TopicArn: topicArn }),
      );
      if (Attributes?.FifoTopic === 'true') return { kind: 'fifo' };
      for await (const page of paginateListSubscriptionsByTopic(
        { client },
        { TopicArn: topicArn },
      )) {
        if (page.Subscriptions?.some((s) => s.SubscriptionArn?.startsWith('arn:'))) {
          return { kind: 'deliverable' };
        }
      }
      return { kind: 'unconfirmed' };
    } catch (error) {
      const reason = errorName(error);
      if (NOT_FOUND.has(reason)) return { kind: 'missing' };
      // The same rule as the publisher's: a region this account cannot reach for good.
      const unreachable = unreachableRegionReason(error, topicArn);
      if (unreachable !== undefined) return { kind: 'unreachable', reason: unreachable };
      return { kind: 'unknown', reason };
    }
  }
}

/** The SDK's error name; for network errors (named `Error`) the system code, e.g. ENOTFOUND. */
function errorName(error: unknown): string {
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return typeof name === 'string' && name ? name : 'Error';
}
