import {
  type Account,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';

/** An account of the organisation and its state (`ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`...). */
export interface OrganizationAccount {
  readonly accountId: string;
  readonly state: string;
}

/** Port: every account of the caller's organisation. */
export interface OrganizationAccountList {
  accounts(): Promise<OrganizationAccount[]>;
}

/** The most accounts one `ListAccounts` page holds (the API's limit). */
export const ACCOUNTS_PER_PAGE = 20;

/**
 * AWS Organizations `ListAccounts`, every page. Only the management account and a
 * delegated administrator may call it; any other account is refused
 * (`AccessDeniedException`, or `AWSOrganizationsNotInUseException` outside an
 * organisation), and the error is passed on as it came.
 */
export class OrganizationsAccountList implements OrganizationAccountList {
  constructor(private readonly client: OrganizationsClient = new OrganizationsClient({})) {}

  async accounts(): Promise<OrganizationAccount[]> {
    const found: OrganizationAccount[] = [];
    const pages = paginateListAccounts(
      { client: this.client, pageSize: ACCOUNTS_PER_PAGE },
      { MaxResults: ACCOUNTS_PER_PAGE },
    );
    for await (const page of pages) {
      for (const account of page.Accounts ?? []) {
        if (account.Id) found.push({ accountId: account.Id, state: stateOf(account) });
      }
    }
    return found;
  }
}

/**
 * `State` (`PENDING_ACTIVATION`, `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`)
 * replaces the older `Status`, which Organizations still sends and will stop sending;
 * either one is read, the newer first.
 */
function stateOf(account: Account): string {
  return account.State ?? account.Status ?? 'UNKNOWN';
}
