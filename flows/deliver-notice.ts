import type { AlertMessage, AlertPublisher } from '../lib/sns-alert-publisher';
import type { AlertRoute, FallbackReason } from '../rules/alert-route';
import { boundMessage } from '../rules/message-bounds';

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

/** The central security topic refused a notice: nothing else can take it, so the invocation fails. */
export class CentralTopicRefusedError extends Error {
  override readonly name = 'CentralTopicRefusedError';
}

/**
 * Publishes a notice on its route: the team's topic, or central security when the
 * team cannot be reached or its topic refuses for good (the notice then names
 * the reason). With `copyToCentral`, central security receives it as well.
 * Every message is bounded to what one SNS message takes on its way out
 * (`rules/message-bounds.ts`).
 *
 * @param compose the notice for a route, so a fallback says where and why it went.
 * @throws CentralTopicRefusedError when the central topic refuses.
 */
export async function deliverNotice(
  publisher: AlertPublisher,
  securityTopicArn: string,
  route: AlertRoute,
  compose: (route: AlertRoute) => AlertMessage,
  copyToCentral: boolean,
): Promise<Delivery> {
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
