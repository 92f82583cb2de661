import type { AlertMessage, AlertPublisher } from '../lib/sns-alert-publisher';
import type { TopicTagReader } from '../lib/sns-topic-directory';
import {
  type AlertRoute,
  type FallbackReason,
  routeByOptIn,
  topicNeedingOptIn,
} from '../rules/alert-route';
import { boundMessage } from '../rules/message-bounds';
import { judgeTopicOptIn, type OptInTag } from '../rules/topic-opt-in';

/** Where a notice went. */
export interface Delivery {
  /** The topic that took the notice meant for the team (the central topic on a fallback). */
  readonly topicArn: string;
  readonly messageId: string;
  /** Every topic that received it. */
  readonly topics: readonly string[];
  /** Why the team's topic was not used, when it was not. */
  readonly fallbackReason?: FallbackReason;
}

/** What publishing a notice goes through: every notice of every flow takes this way. */
export interface NoticeChannel {
  readonly publisher: AlertPublisher;
  /** Team topics' tags, read before each publish to a team (cached by the caller's reader). */
  readonly topicTags: TopicTagReader;
  readonly settings: {
    /** Central security: fallback, and always trusted (the stack's own topic). */
    readonly securityTopicArn: string;
    /** The tag a team topic must carry to be published to. */
    readonly topicOptIn: OptInTag;
  };
}

/** The central security topic refused a notice: nothing else can take it, so the invocation fails. */
export class CentralTopicRefusedError extends Error {
  override readonly name = 'CentralTopicRefusedError';
}

/**
 * Publishes a notice on its route: the team's topic, or central security when the
 * team cannot be reached, its topic has not opted in (its tags do not show the
 * opt-in tag, or cannot be read), or it refuses for good (the notice then names
 * the reason). With `copyToCentral`, central security receives it as well.
 * Every message is bounded to what one SNS message takes on its way out
 * (`rules/message-bounds.ts`).
 *
 * @param compose the notice for a route, so a fallback says where and why it went.
 * @throws CentralTopicRefusedError when the central topic refuses.
 */
export async function deliverNotice(
  channel: NoticeChannel,
  route: AlertRoute,
  compose: (route: AlertRoute) => AlertMessage,
  copyToCentral: boolean,
): Promise<Delivery> {
  const { publisher } = channel;
  const { securityTopicArn } = channel.settings;
  const publishCentrally = async (message: AlertMessage): Promise<string> => {
    const result = await publisher.publish(securityTopicArn, message);
    if (result.kind === 'refused') {
      throw new CentralTopicRefusedError(
        `SECURITY_TOPIC_ARN ${securityTopicArn} refused the notice (${result.errorName})`,
      );
    }
    return result.messageId;
  };

  let current = route;
  const team = topicNeedingOptIn(current, securityTopicArn);
  if (team !== undefined) {
    const optIn = judgeTopicOptIn(
      await channel.topicTags.tagsOf(team),
      channel.settings.topicOptIn,
    );
    current = routeByOptIn(current, optIn, securityTopicArn);
  }
  if (current.kind === 'team') {
    const message = boundMessage(compose(current));
    const result = await publisher.publish(current.topicArn, message);
    if (result.kind === 'published') {
      const topics = [current.topicArn];
      if (copyToCentral && current.topicArn !== securityTopicArn) {
        await publishCentrally(message);
        topics.push(securityTopicArn);
      }
      return { topicArn: current.topicArn, messageId: result.messageId, topics };
    }
    current = {
      kind: 'fallback',
      topicArn: securityTopicArn,
      reason: 'PublishRefused',
      detail: `the team topic ${current.topicArn} refused the notice (${result.errorName})`,
    };
  }
  const messageId = await publishCentrally(boundMessage(compose(current)));
  return {
    topicArn: securityTopicArn,
    messageId,
    topics: [securityTopicArn],
    fallbackReason: current.reason,
  };
}
