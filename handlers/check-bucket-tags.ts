import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type AccountCollaborators,
  createTagRule,
  type InvocationClock,
  type TagRuleDependencies,
  type TagRuleOutcome,
} from '../flows/check-bucket-tags';
import { ConfigEvaluatedResources, ConfigEvaluationReporter } from '../lib/config-evaluations';
import { ConfigHistoryItemSource } from '../lib/config-history';
import { LambdaSweepHandover } from '../lib/lambda-sweep-handover';
import { type CredentialsProvider, memberAccessFor, PerAccount } from '../lib/member-credentials';
import { S3BucketInventory } from '../lib/s3-bucket-inventory';
import { S3TagSource } from '../lib/s3-tag-source';
import { tagRuleSettings } from '../lib/settings';
import { SnsTopicDirectory } from '../lib/sns-topic-directory';
import { functionPolicy } from '../policies/function-files';
import { snsClients } from './sns-clients';

export type { TagRuleDependencies, TagRuleOutcome } from '../flows/check-bucket-tags';

/** Collaborators built once per container, from the environment. */
function fromEnvironment(): TagRuleDependencies {
  const settings = tagRuleSettings();
  const access = memberAccessFor(settings.organization, 'checkBucketTags', settings.region);
  // In an organisation, each member account's rule is answered in that account.
  const accounts = new PerAccount(access, (credentials) => inOneAccount(credentials));
  return {
    settings,
    policy: functionPolicy(settings.policyFile),
    ...accounts.for(undefined),
    ...(settings.organization ? { inAccount: (accountId: string) => accounts.for(accountId) } : {}),
    handover: new LambdaSweepHandover(settings.functionName),
    logger: new Logger({ serviceName: 'checkBucketTags' }),
  };
}

/** The adapters that act in one account, with its credentials (`undefined`: the function's own). */
function inOneAccount(credentials: CredentialsProvider | undefined): AccountCollaborators {
  const given = credentials ? { credentials } : {};
  // A periodic sweep sends many batches: allow more attempts than usual.
  const config = new ConfigServiceClient({ maxAttempts: 8, ...given });
  const topics = new SnsTopicDirectory(snsClients({ credentialsFor: () => credentials }));
  return {
    reporter: new ConfigEvaluationReporter(config),
    earlier: new ConfigEvaluatedResources(config),
    history: new ConfigHistoryItemSource(config),
    inventory: new S3BucketInventory(new S3Client(given)),
    // No cache: every evaluation must see the tags as they are now.
    tags: new S3TagSource(new S3Client(given), 0),
    topics,
    // No cache either: a team that just tagged its topic sees it on the next evaluation.
    topicTags: topics,
  };
}

// Cold start: a missing or malformed setting, or a bad policy, fails here with a
// message naming it.
const checkBucketTags = createTagRule(fromEnvironment());

/**
 * Lambda entry point for AWS Config custom rule invocations (see `createTagRule`),
 * and for the continuations of a periodic run that it hands to itself.
 */
export const handler = (event: unknown, context: InvocationClock): Promise<TagRuleOutcome> =>
  checkBucketTags(event, context);
