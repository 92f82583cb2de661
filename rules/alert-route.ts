import type { BucketTags, TagKeys } from './finding';
import { parseTopicArn } from './topic-arn';

/** Why an alert went to central security instead of the team. */
export type FallbackReason =
  | 'TopicTagMissing'
  | 'TopicTagMalformed'
  | 'TopicAccountNotAllowed'
  | 'PublishRefused';

export type AlertRoute =
  | { readonly kind: 'team'; readonly topicArn: string }
  | {
      readonly kind: 'fallback';
      readonly topicArn: string;
      readonly reason: FallbackReason;
      /** Human-readable detail for the alert (tag values are untrusted text). */
      readonly detail: string;
    };

export interface RoutingPolicy {
  /** Central security topic. */
  readonly securityTopicArn: string;
  /** Accounts whose topics may be used; empty: only the bucket's own account. */
  readonly allowedTopicAccounts: readonly string[];
}

/**
 * Where a bucket's alert goes: the topic in its `SupportSNSTopic` tag when that
 * is a well-formed SNS topic ARN in an allowed account (by default the bucket's
 * own), else central security with the reason.
 */
export function routeAlert(
  tags: BucketTags,
  keys: TagKeys,
  bucketAccountId: string,
  routing: RoutingPolicy,
): AlertRoute {
  const fallback = (reason: FallbackReason, detail: string): AlertRoute => ({
    kind: 'fallback',
    topicArn: routing.securityTopicArn,
    reason,
    detail,
  });
  const value = tags[keys.topic];
  if (value === undefined || value.trim() === '') {
    return fallback('TopicTagMissing', `the bucket has no ${keys.topic} tag`);
  }
  const topic = parseTopicArn(value);
  if (!topic) {
    return fallback('TopicTagMalformed', `the ${keys.topic} tag is not an SNS topic ARN`);
  }
  const allowed =
    routing.allowedTopicAccounts.length > 0 ? routing.allowedTopicAccounts : [bucketAccountId];
  if (!allowed.includes(topic.accountId)) {
    return fallback(
      'TopicAccountNotAllowed',
      `the ${keys.topic} topic is in account ${topic.accountId}, which may not receive alerts (allowed: ${allowed.join(', ')})`,
    );
  }
  return { kind: 'team', topicArn: value.trim() };
}
