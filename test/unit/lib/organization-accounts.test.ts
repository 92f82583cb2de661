import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { OrganizationsAccountList } from '../../../lib/organization-accounts';
import { awsError } from '../../support/aws-errors';

describe('OrganizationsAccountList', () => {
  const organizations = mockClient(OrganizationsClient);
  beforeEach(() => organizations.reset());
  afterAll(() => organizations.restore());

  const list = () => new OrganizationsAccountList(new OrganizationsClient({ region: 'us-east-1' }));

  it('reads every page, 20 accounts a page, following NextToken', async () => {
    // Prepare
    organizations
      .on(ListAccountsCommand, { MaxResults: 20, NextToken: undefined })
      .resolves({
        Accounts: [{ Id: '111111111111', State: 'ACTIVE' }],
        NextToken: 'page-2',
      })
      .on(ListAccountsCommand, { MaxResults: 20, NextToken: 'page-2' })
      .resolves({ Accounts: [{ Id: '222222222222', State: 'SUSPENDED' }] });

    // Act
    const accounts = await list().accounts();

    // Assess
    expect(accounts).toEqual([
      { accountId: '111111111111', state: 'ACTIVE' },
      { accountId: '222222222222', state: 'SUSPENDED' },
    ]);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(2);
  });

  it('reads State before the older Status, and Status when State is absent', async () => {
    organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: '111111111111', State: 'PENDING_CLOSURE', Status: 'ACTIVE' },
        { Id: '222222222222', Status: 'SUSPENDED' },
        { Id: '333333333333' },
      ],
    });

    await expect(list().accounts()).resolves.toEqual([
      { accountId: '111111111111', state: 'PENDING_CLOSURE' },
      { accountId: '222222222222', state: 'SUSPENDED' },
      { accountId: '333333333333', state: 'UNKNOWN' },
    ]);
  });

  it('leaves out an entry without an account id', async () => {
    organizations
      .on(ListAccountsCommand)
      .resolves({ Accounts: [{ State: 'ACTIVE' }, { Id: '111111111111', State: 'ACTIVE' }] });

    await expect(list().accounts()).resolves.toEqual([
      { accountId: '111111111111', state: 'ACTIVE' },
    ]);
  });

  it('passes a refusal on as it came', async () => {
    organizations
      .on(ListAccountsCommand)
      .rejects(awsError('AccessDeniedException', 'not the management account'));

    await expect(list().accounts()).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'not the management account',
    });
  });
});
