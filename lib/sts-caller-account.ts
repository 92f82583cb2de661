import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** The account of the credentials in use (STS `GetCallerIdentity`). */
export class StsCallerAccount {
  constructor(private readonly client: STSClient = new STSClient({})) {}

  async accountId(): Promise<string> {
    const { Account } = await this.client.send(new GetCallerIdentityCommand({}));
    if (!Account) throw new Error('GetCallerIdentity returned no account');
    return Account;
  }

  /** Who the credentials belong to: the caller's ARN (a user, or a role session). */
  async identity(): Promise<string> {
    const { Arn } = await this.client.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new Error('GetCallerIdentity returned no ARN');
    return Arn;
  }
}
