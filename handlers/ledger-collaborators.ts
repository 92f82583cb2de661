import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import { type WaiversOf, waiversFrom } from '../flows/waivers';
import { DynamoDbLedger } from '../lib/dynamodb-ledger';
import { type MemberAccess, memberAccessFor, PerAccount } from '../lib/member-credentials';
import { AccountTagSources, S3TagSource, type TagSource } from '../lib/s3-tag-source';
import type { FindingHandlerSettings } from '../lib/settings';
import { SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { CachedTopicTags, SnsTopicDirectory } from '../lib/sns-topic-directory';
import { functionPolicy, functionWaivers } from '../policies/function-files';
import type { Policy } from '../policies/policy';
import type { BucketState } from '../rules/bucket-state';
import { snsClients } from './sns-clients';

/** What every function that keeps the ledger builds at cold start, the same way. */
export interface LedgerCollaborators {
  readonly policy: Policy;
  readonly waivers: WaiversOf;
  readonly ledger: DynamoDbLedger<BucketState>;
  readonly publisher: SnsAlertPublisher;
  readonly topicTags: CachedTopicTags;
  readonly logger: Logger;
  /** How the function acts in member accounts (its own credentials for one account). */
  readonly access: MemberAccess;
}

/**
 * The policy and waivers the settings name, the ledger table, the SNS publisher,
 * the team topics' tags (cached per topic within the container, see
 * `CachedTopicTags`) and a logger for `serviceName`. A bad policy or waivers file fails here, at
 * cold start, with a message naming the file, line and problem.
 */
export function ledgerCollaborators(
  settings: Pick<
    FindingHandlerSettings,
    'policyFile' | 'waiversFile' | 'ledgerTable' | 'organization'
  >,
  serviceName: string,
): LedgerCollaborators {
  const access = memberAccessFor(settings.organization, serviceName, process.env.AWS_REGION);
  return {
    policy: functionPolicy(settings.policyFile),
    waivers: waiversFrom(functionWaivers(settings.waiversFile)),
    ledger: new DynamoDbLedger<BucketState>(settings.ledgerTable),
    // Teams' topics are published to with the function's own role (their topic
    // policies allow it); their tags are read in their account.
    publisher: new SnsAlertPublisher(),
    topicTags: new CachedTopicTags(new SnsTopicDirectory(snsClients(access))),
    logger: new Logger({ serviceName }),
    access,
  };
}

/**
 * Bucket tags read in the bucket's account, cached per container for `ttlMs`
 * (0: no cache).
 */
export function bucketTagSources(access: MemberAccess, ttlMs?: number): TagSource {
  return new AccountTagSources(
    new PerAccount(
      access,
      (credentials) => new S3TagSource(new S3Client(credentials ? { credentials } : {}), ttlMs),
    ),
  );
}
