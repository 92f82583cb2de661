import { Logger } from '@aws-lambda-powertools/logger';
import {
  ConfigEvaluationReporter,
  type Evaluation,
  type EvaluationReporter,
} from '../lib/config-evaluations';
import { ConfigHistoryItemSource, type ConfigItemSource } from '../lib/config-history';
import {
  BUCKET_RESOURCE_TYPE,
  type BucketItem,
  type ConfigRuleInvocation,
  isApplicable,
  parseConfigRuleEvent,
} from '../lib/config-rule-event';
import {
  type BucketInventory,
  readBucketTags,
  S3BucketInventory,
} from '../lib/s3-bucket-inventory';
import { S3TagSource, type TagSource } from '../lib/s3-tag-source';
import { type TagRuleSettings, tagRuleSettings } from '../lib/settings';
import { SnsTopicDirectory, type TopicDirectory } from '../lib/sns-topic-directory';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import type { Policy } from '../policies/policy';
import { judgeBucketTags, type TagRequirements, topicToVerify } from '../rules/required-tags';

export interface TagRuleDependencies {
  readonly settings: TagRuleSettings;
  readonly policy: Policy;
  readonly reporter: EvaluationReporter;
  readonly history: ConfigItemSource;
  readonly inventory: BucketInventory;
  readonly tags: TagSource;
  readonly topics: TopicDirectory;
  readonly logger: Logger;
}

/** What one invocation reported. */
export interface TagRuleOutcome {
  readonly messageType: string;
  readonly evaluations: number;
  readonly nonCompliant: number;
}

/**
 * The Config rule's work with its collaborators passed in: read the event, judge
 * each bucket it concerns with the shared rule, report the evaluations.
 */
export function createTagRule(deps: TagRuleDependencies) {
  const { settings, policy, reporter, logger } = deps;

  return async function checkBucketTags(event: unknown): Promise<TagRuleOutcome> {
    const invocation = parseConfigRuleEvent(event);
    const requirements: TagRequirements = {
      keys: settings.tagKeys,
      allowedTopicAccounts: settings.allowedTopicAccounts,
      requireTeam: invocation.ruleParameters.requireTeamTag?.trim().toLowerCase() === 'true',
    };
    // Several buckets often share a topic: look each one up once per invocation.
    const existence = new Map<string, Promise<boolean | undefined>>();
    const topicExists = (arn: string): Promise<boolean | undefined> => {
      let known = existence.get(arn);
      if (!known) {
        known = deps.topics.exists(arn);
        existence.set(arn, known);
      }
      return known;
    };

    const judge = async (
      bucket: string,
      accountId: string,
      tags: Record<string, string>,
      orderingTimestamp: Date,
    ): Promise<Evaluation> => {
      const topic = topicToVerify(tags, accountId, invocation.accountId, requirements);
      const exists = topic === undefined ? undefined : await topicExists(topic);
      const judgement = judgeBucketTags(tags, accountId, policy, requirements, exists);
      return {
        resourceType: BUCKET_RESOURCE_TYPE,
        resourceId: bucket,
        compliance: judgement.compliance,
        annotation: judgement.annotation,
        orderingTimestamp,
      };
    };

    const judgeItem = async (item: BucketItem): Promise<Evaluation> => {
      if (
        invocation.eventLeftScope ||
        !isApplicable(item.status) ||
        item.resourceType !== BUCKET_RESOURCE_TYPE
      ) {
        return notApplicable(item, invocation);
      }
      if (item.tagsUnreadable !== undefined) {
        return unreadableTags(item.resourceId, item.tagsUnreadable, item.captureTime);
      }
      return judge(item.resourceId, item.awsAccountId, item.tags, item.captureTime);
    };

    const { message } = invocation;
    let evaluations: Evaluation[];
    switch (message.kind) {
      case 'change':
        evaluations = [await judgeItem(message.item)];
        break;
      case 'oversized': {
        const { summary } = message;
        if (invocation.eventLeftScope || !isApplicable(summary.status)) {
          evaluations = [notApplicable(summary, invocation)];
          break;
        }
        const item = await deps.history.itemAt(
          summary.resourceType,
          summary.resourceId,
          summary.captureTime,
        );
        if (!item) {
          throw new Error(
            `GetResourceConfigHistory returned no item for ${summary.resourceType} ${summary.resourceId} at ${summary.captureTime.toISOString()}`,
          );
        }
        evaluations = [await judgeItem(item)];
        break;
      }
      case 'scheduled': {
        const buckets = await deps.inventory.bucketNames(settings.region);
        // The inventory lists this account's buckets: a read must not reach another's.
        const reads = await readBucketTags(
          buckets,
          deps.tags,
          settings.tagReadConcurrency,
          message.awsAccountId,
        );
        evaluations = [];
        for (const read of reads) {
          if ('error' in read) {
            evaluations.push(
              unreadableTags(read.bucket, read.error.name, message.notificationCreationTime),
            );
            logger.warn('bucket tags unreadable', { bucket: read.bucket, error: read.error.name });
          } else {
            evaluations.push(
              await judge(
                read.bucket,
                message.awsAccountId,
                read.tags,
                message.notificationCreationTime,
              ),
            );
          }
        }
        break;
      }
      case 'unsupported':
        logger.info('message type not evaluated', { messageType: message.messageType });
        return { messageType: message.messageType, evaluations: 0, nonCompliant: 0 };
    }

    await reporter.report(evaluations, invocation.resultToken);
    const nonCompliant = evaluations.filter((e) => e.compliance === 'NON_COMPLIANT').length;
    logger.info('evaluations reported', {
      messageType: message.kind,
      evaluations: evaluations.length,
      nonCompliant,
      ...(evaluations.length === 1
        ? { bucket: evaluations[0]?.resourceId, compliance: evaluations[0]?.compliance }
        : {}),
    });
    return { messageType: message.kind, evaluations: evaluations.length, nonCompliant };
  };
}

/**
 * Tags that cannot be read cannot be shown valid: NON_COMPLIANT, so an old
 * COMPLIANT result does not stay on a bucket nobody can check.
 */
function unreadableTags(bucket: string, reason: string, orderingTimestamp: Date): Evaluation {
  return {
    resourceType: BUCKET_RESOURCE_TYPE,
    resourceId: bucket,
    compliance: 'NON_COMPLIANT',
    annotation: `Tags could not be read: ${reason.slice(0, 200)}.`,
    orderingTimestamp,
  };
}

/** Deleted, unrecorded or out-of-scope: NOT_APPLICABLE, so Config cleans up the old result. */
function notApplicable(
  item: Pick<BucketItem, 'resourceType' | 'resourceId' | 'status' | 'captureTime'>,
  invocation: ConfigRuleInvocation,
): Evaluation {
  const why = invocation.eventLeftScope
    ? 'The bucket left the rule scope.'
    : `Configuration item status ${item.status}.`;
  return {
    resourceType: item.resourceType,
    resourceId: item.resourceId,
    compliance: 'NOT_APPLICABLE',
    annotation: why,
    orderingTimestamp: item.captureTime,
  };
}

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): TagRuleDependencies {
  const settings = tagRuleSettings();
  return {
    settings,
    policy: loadPolicy(settings.policyFile ?? DEFAULT_POLICY_FILE),
    reporter: new ConfigEvaluationReporter(),
    history: new ConfigHistoryItemSource(),
    inventory: new S3BucketInventory(),
    // No cache: every evaluation must see the tags as they are now.
    tags: new S3TagSource(undefined, 0),
    topics: new SnsTopicDirectory(),
    logger: new Logger({ serviceName: 'checkBucketTags' }),
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it.
const checkBucketTags = createTagRule(fromEnvironment());

/** Lambda entry point for AWS Config custom rule invocations. */
export const handler = (event: unknown): Promise<TagRuleOutcome> => checkBucketTags(event);
