import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';

/** Temporary credentials, in the shape every SDK v3 client takes as `credentials`. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Credentials on demand: what an SDK v3 client takes as `credentials`. */
export type CredentialsProvider = () => Promise<TemporaryCredentials>;

// Defined with the settings, which need no AWS client.
export { DEFAULT_MEMBER_ROLE_NAME } from './settings';

/** Credentials are renewed this long before they expire, so no call starts with stale ones. */
export const RENEW_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

/** One hour: the member role's maximum session, and the default. */
const SESSION_SECONDS = 3600;

/**
 * Port: the credentials to act in an account with. `undefined` means the caller's
 * own credentials: the central account itself, or a single-account deployment.
 */
export interface MemberAccess {
  credentialsFor(accountId: string): CredentialsProvider | undefined;
}

/** The caller's own credentials everywhere: a deployment for one account. */
export const OWN_ACCOUNT_ONLY: MemberAccess = { credentialsFor: () => undefined };

/**
 * How the functions reach accounts: through the member role in an organisation,
 * with their own credentials in a deployment for one account.
 *
 * @param purpose names the sessions (`bucket-classification-<purpose>`).
 */
export function memberAccessFor(
  organization: { readonly memberRoleName: string; readonly centralAccountId: string } | undefined,
  purpose: string,
  region: string | undefined,
): MemberAccess {
  if (organization === undefined) return OWN_ACCOUNT_ONLY;
  return new StsMemberRoles(
    {
      roleName: organization.memberRoleName,
      centralAccountId: organization.centralAccountId,
      partition: partitionOfRegion(region),
    },
    `bucket-classification-${purpose}`,
  );
}

/** How to reach the member accounts of an organisation. */
export interface MemberRoleSettings {
  /** The role's name in every member account (`MEMBER_ROLE_NAME`). */
  readonly roleName: string;
  /** The account the central functions run in: it needs no role. */
  readonly centralAccountId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`, for the role's ARN. */
  readonly partition: string;
}

/** The partition of a region (`cn-north-1` is `aws-cn`, `us-gov-west-1` is `aws-us-gov`). */
export function partitionOfRegion(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN of the member role in `accountId`. */
export function memberRoleArn(settings: MemberRoleSettings, accountId: string): string {
  return `arn:${settings.partition}:iam::${accountId}:role/${settings.roleName}`;
}

/** The member role could not be assumed; the message names the role and why. */
export class MemberRoleError extends Error {
  /**
   * @param name the STS error's name (`AccessDenied`, ...), kept so that callers
   *   classify the failure as they would the call it stood in for.
   */
  constructor(
    override readonly name: string,
    readonly roleArn: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`could not assume ${roleArn}: ${name}: ${reason}`, options);
  }
}

interface Held {
  readonly credentials: TemporaryCredentials;
  readonly renewAt: number;
}

/**
 * Acts in member accounts through the member role (STS `AssumeRole`), one session
 * per account, kept until five minutes before it expires; callers asking at the same
 * time share one `AssumeRole` call. The central account uses the caller's own
 * credentials.
 */
export class StsMemberRoles implements MemberAccess {
  private readonly held = new Map<string, Held>();
  private readonly pending = new Map<string, Promise<TemporaryCredentials>>();

  /**
   * @param sessionName names the session in the member account's CloudTrail, for
   *   example `bucket-classification-validateFinding`.
   */
  constructor(
    private readonly settings: MemberRoleSettings,
    private readonly sessionName: string,
    private readonly sts: STSClient = new STSClient({}),
    private readonly now: () => number = Date.now,
  ) {}

  credentialsFor(accountId: string): CredentialsProvider | undefined {
    if (accountId === this.settings.centralAccountId) return undefined;
    return () => this.credentials(accountId);
  }

  /** How many accounts have a session now (for tests and logs). */
  get sessions(): number {
    return this.held.size;
  }

  private credentials(accountId: string): Promise<TemporaryCredentials> {
    const held = this.held.get(accountId);
    if (held && held.renewAt > this.now()) return Promise.resolve(held.credentials);
    const pending = this.pending.get(accountId);
    if (pending) return pending;
    const assuming = this.assume(accountId).finally(() => this.pending.delete(accountId));
    this.pending.set(accountId, assuming);
    return assuming;
  }

  private async assume(accountId: string): Promise<TemporaryCredentials> {
    const roleArn = memberRoleArn(this.settings, accountId);
    let output: AssumeRoleCommandOutput;
    try {
      output = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: this.sessionName.slice(0, 64),
          DurationSeconds: SESSION_SECONDS,
        }),
      );
    } catch (error) {
      const cause = error as Error;
      throw new MemberRoleError(cause.name, roleArn, cause.message, { cause });
    }
    const given = output.Credentials;
    if (!given?.AccessKeyId || !given.SecretAccessKey) {
      throw new MemberRoleError('NoCredentials', roleArn, 'AssumeRole returned no credentials');
    }
    const expiration = given.Expiration ?? new Date(this.now() + SESSION_SECONDS * 1000);
    const credentials: TemporaryCredentials = {
      accessKeyId: given.AccessKeyId,
      secretAccessKey: given.SecretAccessKey,
      ...(given.SessionToken ? { sessionToken: given.SessionToken } : {}),
      expiration,
    };
    this.held.set(accountId, {
      credentials,
      renewAt: expiration.getTime() - RENEW_BEFORE_EXPIRY_MS,
    });
    return credentials;
  }
}

/**
 * One client (or adapter) per account, built on first use with that account's
 * credentials and kept: a warm container reuses its connections.
 */
export class PerAccount<T> {
  private readonly built = new Map<string, T>();
  private own: T | undefined;

  constructor(
    private readonly access: MemberAccess,
    private readonly build: (credentials: CredentialsProvider | undefined) => T,
  ) {}

  /** The one for `accountId`; the caller's own for `undefined` and for the central account. */
  for(accountId: string | undefined): T {
    const credentials = accountId === undefined ? undefined : this.access.credentialsFor(accountId);
    if (accountId === undefined || credentials === undefined) {
      this.own ??= this.build(undefined);
      return this.own;
    }
    let built = this.built.get(accountId);
    if (built === undefined) {
      built = this.build(credentials);
      this.built.set(accountId, built);
    }
    return built;
  }
}
