import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { EvaluatedResources, Evaluation, EvaluationReporter } from '../lib/config-evaluations';
import type { ConfigItemSource } from '../lib/config-history';
import {
  BUCKET_RESOURCE_TYPE,
  type BucketItem,
  type ConfigRuleInvocation,
  isApplicable,
  parseConfigRuleEvent,
} from '../lib/config-rule-event';
import type { SweepHandover } from '../lib/lambda-sweep-handover';
import type { PagedBucketInventory } from '../lib/s3-bucket-inventory';
import type { TagSource } from '../lib/s3-tag-source';
import type { TagRuleSettings } from '../lib/settings';
import type { TopicDirectory, TopicStatus, TopicTagReader } from '../lib/sns-topic-directory';
import { parseSweepContinuation } from '../lib/sweep-continuation';
import type { Policy } from '../policies/policy';
import { exemptionAnnotation, parseExemptions } from '../rules/bucket-exemption';
import { judgeBucketTags, type TagRequirements, topicToVerify } from '../rules/required-tags';
import { judgeTopicOptIn, type TopicOptIn } from '../rules/topic-opt-in';
import { type JudgeBucket, sweepBuckets, unreadableTags } from './sweep-buckets';

export interface TagRuleDependencies {
  readonly settings: TagRuleSettings;
  readonly policy: Policy;
  readonly reporter: EvaluationReporter;
  readonly history: ConfigItemSource;
  readonly inventory: PagedBucketInventory;
  readonly tags: TagSource;
  readonly topics: TopicDirectory;
  /** Topics' tags: a team topic must carry the opt-in tag (`settings.topicOptIn`). */
  readonly topicTags: TopicTagReader;
  /** The rule's earlier results, so a periodic run can clear those of vanished buckets. */
  readonly earlier: EvaluatedResources;
  /** Hands the rest of a periodic run that runs out of time to a fresh invocation. */
  readonly handover: SweepHandover;
  readonly logger: Logger;
  /**
   * In an organisation, the collaborators that act in the account whose rule invoked
   * the function (through its member role): its buckets, topics, Config history and
   * evaluations. Without it, those above serve every invocation.
   */
  readonly inAccount?: (accountId: string) => AccountCollaborators;
}

/** What the rule reads and writes in the account whose rule it evaluates for. */
export type AccountCollaborators = Pick<
  TagRuleDependencies,
  'reporter' | 'history' | 'inventory' | 'tags' | 'topics' | 'topicTags' | 'earlier'
>;

/** What one invocation reported. */
export interface TagRuleOutcome {
  readonly messageType: string;
  readonly evaluations: number;
  readonly nonCompliant: number;
  /** A periodic run: which part of it this invocation was, and whether it handed the rest over. */
  readonly sweep?: { readonly part: number; readonly handedOver: boolean };
}

/** What the rule needs of the Lambda context: the time left, for a long periodic run. */
export type InvocationClock = Pick<Context, 'getRemainingTimeInMillis'>;

/**
 * The Config rule `checkBucketTags` with its collaborators passed in: read the
 * event, judge each bucket it concerns with the shared rule (a change: the bucket
 * in the item; a periodic run: every bucket of the region, see `sweepBuckets`),
 * report the evaluations.
 */
export function createTagRule(deps: TagRuleDependencies) {
  const { settings, policy, logger } = deps;

  return async function checkBucketTags(
    event: unknown,
    clock?: InvocationClock,
  ): Promise<TagRuleOutcome> {
    const invocation = parseConfigRuleEvent(event);
    // Everything below happens in the account whose rule invoked the function.
    const here = { ...deps, ...deps.inAccount?.(invocation.accountId) };
    const { reporter } = here;
    const continuation = parseSweepContinuation(event, invocation.message.kind);
    const requirements: TagRequirements = {
      keys: settings.tagKeys,
      allowedTopicAccounts: settings.allowedTopicAccounts,
      requireTeam: invocation.ruleParameters.requireTeamTag?.trim().toLowerCase() === 'true',
    };
    const exemptions = parseExemptions(invocation.ruleParameters.exemptBuckets, 'exemptBuckets');
    // Several buckets often share a topic: look each one up once per invocation.
    const checks = new Map<string, Promise<{ status: TopicStatus; optIn: TopicOptIn }>>();
    const checkTopic = (arn: string) => {
      let known = checks.get(arn);
      if (!known) {
        known = Promise.all([here.topics.check(arn), here.topicTags.tagsOf(arn)]).then(
          ([status, tags]) => {
            if (status.kind === 'unknown' || status.kind === 'unreachable') {
              logger.warn('topic could not be checked', { topic: arn, ...status });
            }
            if (tags.kind === 'unreadable') {
              logger.warn('topic tags could not be read', { topic: arn, reason: tags.reason });
            }
            return { status, optIn: judgeTopicOptIn(tags, settings.topicOptIn) };
          },
        );
        checks.set(arn, known);
      }
      return known;
    };

    const judge: JudgeBucket = async (bucket, accountId, tags, orderingTimestamp) => {
      const exemptBy = exemptions.exemptionOf(bucket);
      if (exemptBy !== undefined) {
        return {
          resourceType: BUCKET_RESOURCE_TYPE,
          resourceId: bucket,
          compliance: 'NOT_APPLICABLE',
          annotation: exemptionAnnotation(exemptBy),
          orderingTimestamp,
        };
      }
      const topic = topicToVerify(tags, accountId, invocation.accountId, requirements);
      const checked = topic === undefined ? undefined : await checkTopic(topic);
      const judgement = judgeBucketTags(
        tags,
        accountId,
        policy,
        requirements,
        checked?.status,
        checked?.optIn,
      );
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
        const item = await here.history.itemAt(
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
        // The sweep reports its batches as it goes, and may hand the rest over.
        const { part, handedOver, ...counts } = await sweepBuckets(
          {
            ...here,
            region: settings.region,
            tagReadConcurrency: settings.tagReadConcurrency,
            safetyMarginMs: settings.sweepSafetyMarginMs,
          },
          {
            accountId: message.awsAccountId,
            at: message.notificationCreationTime,
            configRuleName: invocation.configRuleName,
            resultToken: invocation.resultToken,
            event: event as Record<string, unknown>,
            continuation,
            remainingMs: () => clock?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY,
          },
          judge,
        );
        logger.info('sweep part reported', { part, handedOver, ...counts });
        return { messageType: message.kind, ...counts, sweep: { part, handedOver } };
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
