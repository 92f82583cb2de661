import type { BucketTags, TagKeys } from './finding';
import { parseTopicArn, type TopicArn } from './topic-arn';

/** What a bucket's topic tag says about where its alerts may go. */
export type TopicTag =
  | { readonly kind: 'valid'; readonly arn: string; readonly topic: TopicArn }
  | { readonly kind: 'missing' }
  | { readonly kind: 'malformed'; readonly value: string }
  | {
      readonly kind: 'foreign';
      readonly arn: string;
      readonly topic: TopicArn;
      readonly allowedAccounts: readonly string[];
    };

/**
 * Reads a bucket's `SupportSNSTopic` tag: a well-formed SNS topic ARN in an allowed
 * account is valid. Without an explicit list, the only allowed account is the
 * bucket's own, so a team cannot point alerts at a topic someone else controls.
 * The validator and the Config rule both read the tag through this.
 */
export function readTopicTag(
  tags: BucketTags,
  keys: TagKeys,
  bucketAccountId: string,
  allowedTopicAccounts: readonly string[],
): TopicTag {
  const value = tags[keys.topic];
  if (value === undefined || value.trim() === '') return { kind: 'missing' };
  const topic = parseTopicArn(value);
  if (!topic) return { kind: 'malformed', value };
  const arn = value.trim();
  const allowedAccounts =
    allowedTopicAccounts.length > 0 ? allowedTopicAccounts : [bucketAccountId];
  if (!allowedAccounts.includes(topic.accountId)) {
    return { kind: 'foreign', arn, topic, allowedAccounts };
  }
  return { kind: 'valid', arn, topic };
}
