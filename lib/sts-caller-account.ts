import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** The account of the credentials in use (STS `GetCallerIdentity`). */
export class StsCallerAccount {
  constructor(private readonly client: STSClient = new STSClient({})) {}

  async accountId(): Promise<string> {
    const { Account } = await this.client.send(new GetCallerIdentityCommand({}));
    if (!Account) throw new Error('GetCallerIdentity returned no account');
    return Account;
  }
}
