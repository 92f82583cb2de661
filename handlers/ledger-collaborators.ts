import { Logger } from '@aws-lambda-powertools/logger';
import { type WaiversOf, waiversFrom } from '../flows/waivers';
import { DynamoDbLedger } from '../lib/dynamodb-ledger';
import type { FindingHandlerSettings } from '../lib/settings';
import { SnsAlertPublisher } from '../lib/sns-alert-publisher';
import { CachedTopicTags, SnsTopicDirectory } from '../lib/sns-topic-directory';
import { DEFAULT_POLICY_FILE, loadPolicy } from '../policies/load-policy';
import type { Policy } from '../policies/policy';
import type { BucketState } from '../rules/bucket-state';

/** What every function that keeps the ledger builds at cold start, the same way. */
export interface LedgerCollaborators {
  readonly policy: Policy;
  readonly waivers: WaiversOf;
  readonly ledger: DynamoDbLedger<BucketState>;
  readonly publisher: SnsAlertPublisher;
  readonly topicTags: CachedTopicTags;
  readonly logger: Logger;
}

/**
 * The policy and waivers the settings name, the ledger table, the SNS publisher,
 * the team topics' tags (cached per topic within the container, see
 * `CachedTopicTags`) and a logger for `serviceName`. A bad policy or waivers file fails here, at
 * cold start, with a message naming the file, line and problem.
 */
export function ledgerCollaborators(
  settings: Pick<FindingHandlerSettings, 'policyFile' | 'waiversFile' | 'ledgerTable'>,
  serviceName: string,
): LedgerCollaborators {
  return {
    policy: loadPolicy(settings.policyFile ?? DEFAULT_POLICY_FILE),
    waivers: waiversFrom(settings.waiversFile),
    ledger: new DynamoDbLedger<BucketState>(settings.ledgerTable),
    publisher: new SnsAlertPublisher(),
    topicTags: new CachedTopicTags(new SnsTopicDirectory()),
    logger: new Logger({ serviceName }),
  };
}
