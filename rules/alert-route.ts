import type { BucketTags, TagKeys } from './finding';
import { optInTagText, type TopicOptIn } from './topic-opt-in';
import { readTopicTag } from './topic-tag';

/** Why an alert went to central security instead of the team. */
export type FallbackReason =
  | 'TopicTagMissing'
  | 'TopicTagMalformed'
  | 'TopicAccountNotAllowed'
  | 'PublishRefused'
  /** The team's topic does not carry the opt-in tag (or does not exist). */
  | 'TopicNotOptedIn'
  /** The team topic's tags could not be read, so its opt-in could not be seen. */
  | 'TopicTagsUnreadable'
  /** The finding carried no tags and the bucket's could not be read. */
  | 'TagsUnreadable';

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
  /** Accounts whose topics may be used; empty: the bucket's own account (see `topicAccountsFor`). */
  readonly allowedTopicAccounts: readonly string[];
  /** The account the functions run in. */
  readonly centralAccountId?: string;
  /** Set when the deployment covers an organisation's member accounts. */
  readonly organization?: unknown;
}

/**
 * The accounts whose topics may receive a bucket's alerts: those the functions'
 * roles may publish to. An explicit list is the list. Without one, the bucket's own
 * account when the roles may publish there: in an organisation they may publish to
 * its accounts; a deployment for one account only to its own. A bucket of another
 * account there (a finding forwarded from elsewhere) has none: `[]`.
 */
export function topicAccountsFor(
  bucketAccountId: string,
  routing: RoutingPolicy,
): readonly string[] {
  if (routing.allowedTopicAccounts.length > 0) return routing.allowedTopicAccounts;
  const central = routing.centralAccountId;
  if (routing.organization !== undefined || central === undefined || central === bucketAccountId) {
    return [bucketAccountId];
  }
  return [];
}

/**
 * Where a bucket's alert goes: the topic in its `SupportSNSTopic` tag when that
 * is a well-formed SNS topic ARN in an allowed account (by default the bucket's
 * own), else central security with the reason.
 *
 * @param tagsUnreadable why the bucket's tags could not be read, when they could
 *   not: the team is then unknown, and so is its topic.
 */
export function routeAlert(
  tags: BucketTags,
  keys: TagKeys,
  bucketAccountId: string,
  routing: RoutingPolicy,
  tagsUnreadable?: string,
): AlertRoute {
  const fallback = (reason: FallbackReason, detail: string): AlertRoute => ({
    kind: 'fallback',
    topicArn: routing.securityTopicArn,
    reason,
    detail,
  });
  if (tagsUnreadable !== undefined) {
    return fallback('TagsUnreadable', `the bucket's tags could not be read (${tagsUnreadable})`);
  }
  const accounts = topicAccountsFor(bucketAccountId, routing);
  // No account allowed reads the tag as if the bucket's own were: a topic there is
  // valid, so the reason below names the deployment rather than the topic.
  const tag = readTopicTag(tags, keys, bucketAccountId, accounts);
  if (accounts.length === 0 && (tag.kind === 'valid' || tag.kind === 'foreign')) {
    return fallback(
      'TopicAccountNotAllowed',
      `the bucket is in account ${bucketAccountId}, outside this deployment (account ${routing.centralAccountId}): its team's topic may receive alerts once the deployment covers the organisation, or lists the account in ALLOWED_TOPIC_ACCOUNTS`,
    );
  }
  switch (tag.kind) {
    case 'valid':
      return { kind: 'team', topicArn: tag.arn };
    case 'missing':
      return fallback('TopicTagMissing', `the bucket has no ${keys.topic} tag`);
    case 'malformed':
      return fallback('TopicTagMalformed', `the ${keys.topic} tag is not an SNS topic ARN`);
    case 'foreign':
      return fallback(
        'TopicAccountNotAllowed',
        `the ${keys.topic} topic is in account ${tag.topic.accountId}, which may not receive alerts (allowed: ${tag.allowedAccounts.join(', ')})`,
      );
  }
}

/**
 * The team topic whose opt-in must be seen before a notice is published on
 * `route`; `undefined` for a fallback and for the central security topic, which is
 * the stack's own and always trusted.
 */
export function topicNeedingOptIn(route: AlertRoute, securityTopicArn: string): string | undefined {
  return route.kind === 'team' && route.topicArn !== securityTopicArn ? route.topicArn : undefined;
}

/**
 * The route once the team topic's opt-in is known: the team's topic when it
 * opted in, else central security with the reason, as for a topic that refuses.
 */
export function routeByOptIn(
  route: AlertRoute,
  optIn: TopicOptIn,
  securityTopicArn: string,
): AlertRoute {
  if (route.kind !== 'team' || optIn.kind === 'opted-in') return route;
  const fallback = (reason: FallbackReason, detail: string): AlertRoute => ({
    kind: 'fallback',
    topicArn: securityTopicArn,
    reason,
    detail,
  });
  const topic = route.topicArn;
  switch (optIn.kind) {
    case 'missing':
      return fallback('TopicNotOptedIn', `the team topic ${topic} does not exist`);
    case 'unknown':
      return fallback(
        'TopicTagsUnreadable',
        `the tags of the team topic ${topic} could not be read (${optIn.reason}), so its opt-in is unknown`,
      );
    case 'not-opted-in':
      return fallback(
        'TopicNotOptedIn',
        `the team topic ${topic} has not opted in to alerts (it needs the tag ${optInTagText(optIn.tag)})`,
      );
  }
}
