import { SNSClient } from '@aws-sdk/client-sns';
import type { MemberAccess } from '../lib/member-credentials';

/**
 * SNS clients for a topic's region, acting in the topic's account. A module of its
 * own so that a function that reads topics but keeps no ledger (the tag rule) does
 * not bundle the ledger's DynamoDB client with it.
 */
export function snsClients(access: MemberAccess): (region: string, accountId: string) => SNSClient {
  return (region, accountId) => {
    const credentials = access.credentialsFor(accountId);
    return new SNSClient({ region, ...(credentials ? { credentials } : {}) });
  };
}
