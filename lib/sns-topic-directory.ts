import {
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  paginateListSubscriptionsByTopic,
  SNSClient,
} from '@aws-sdk/client-sns';
import { MemberRoleError } from './member-credentials';
import { accountOfTopic, regionOfTopic, unreachableRegionReason } from './sns-region-reach';

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

/**
 * What reading a topic's tags found: its tags, that it does not exist, or why they
 * could not be read (the same shape as `TopicTagsRead` in `rules/topic-opt-in.ts`).
 */
export type TopicTags =
  | { readonly kind: 'read'; readonly tags: Readonly<Record<string, string>> }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

/** Port: a topic's tags (where its team opts in to notices). Never throws for one topic. */
export interface TopicTagReader {
  tagsOf(topicArn: string): Promise<TopicTags>;
}

const NOT_FOUND = new Set([
  'NotFoundException',
  'NotFound',
  'ResourceNotFoundException',
  'ResourceNotFound',
]);

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

  /**
   * @param clientFor the client for a topic's region and account (in an
   *   organisation, one acting through that account's member role).
   */
  constructor(
    private readonly clientFor: (region: string, accountId: string) => SNSClient = (region) =>
      new SNSClient({ region }),
  ) {}

  async check(topicArn: string): Promise<TopicStatus> {
    const client = this.client(topicArn);
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

  /**
   * The topic's tags, with `ListTagsForResource` (its own region). Any failure but
   * a missing topic is `unreadable` with the error's name: the caller decides what a
   * topic whose opt-in cannot be seen gets (the publishers: nothing).
   */
  async tagsOf(topicArn: string): Promise<TopicTags> {
    try {
      const { Tags = [] } = await this.client(topicArn).send(
        new ListTagsForResourceCommand({ ResourceArn: topicArn }),
      );
      return {
        kind: 'read',
        tags: Object.fromEntries(Tags.map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      };
    } catch (error) {
      const reason = errorName(error);
      if (NOT_FOUND.has(reason)) return { kind: 'missing' };
      return { kind: 'unreadable', reason: unreachableRegionReason(error, topicArn) ?? reason };
    }
  }

  private client(topicArn: string): SNSClient {
    const region = regionOfTopic(topicArn);
    const account = accountOfTopic(topicArn);
    const key = `${account}/${region}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.clientFor(region, account);
      this.clients.set(key, client);
    }
    return client;
  }
}

/** Topic tags change rarely; a warm container reuses what it read for this long. */
export const TOPIC_TAG_CACHE_MS = 5 * 60 * 1000;

/**
 * Keeps the tags read per topic ARN for `ttlMs` within a warm container, so a
 * burst of findings or a daily run reads each topic's tags once. Only tags that
 * were read are kept: a missing topic or a failed read is asked again next time,
 * so a fix (the topic created, a permission granted) counts at once. A topic that
 * stops opting in is believed for at most `ttlMs` longer.
 */
export class CachedTopicTags implements TopicTagReader {
  private readonly cache = new Map<string, { tags: TopicTags; expires: number }>();

  constructor(
    private readonly source: TopicTagReader,
    private readonly ttlMs: number = TOPIC_TAG_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async tagsOf(topicArn: string): Promise<TopicTags> {
    const cached = this.cache.get(topicArn);
    if (cached && cached.expires > this.now()) return cached.tags;
    const tags = await this.source.tagsOf(topicArn);
    if (tags.kind === 'read') {
      this.cache.set(topicArn, { tags, expires: this.now() + this.ttlMs });
    } else {
      this.cache.delete(topicArn);
    }
    return tags;
  }
}

/** The SDK's error name; for network errors (named `Error`) the system code, e.g. ENOTFOUND. */
function errorName(error: unknown): string {
  if (error instanceof MemberRoleError) return `${error.name} assuming ${error.roleArn}`;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return typeof name === 'string' && name ? name : 'Error';
}
