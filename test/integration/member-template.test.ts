/**
 * The member-account template (deploy/member-account.yaml): the field's linters report
 * nothing on it, and deployed with CloudFormation into a member account it makes the one
 * role the central functions assume, with the trust and permissions stated here
 * literally, as IAM in that account reports them.
 *
 * The member account is reached as the central side reaches it: STS AssumeRole into a
 * role ARN of that account. moto answers with credentials that act as that account and
 * keeps each account's resources apart. The account is one no other test uses.
 *
 * moto's CreateStack does not check a parameter's AllowedPattern (it keeps only
 * AllowedValues), so the patterns are tried in test/unit/deploy/member-template.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  type Output,
  type Parameter,
} from '@aws-sdk/client-cloudformation';
import {
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { REPO_ROOT } from '../support/fixtures';
import { cfnLint, checkov, VENV_BIN } from '../support/iac-linters';

const TEMPLATE_FILE = path.join(REPO_ROOT, 'deploy', 'member-account.yaml');

const MEMBER_ACCOUNT = '210987654321';
const CENTRAL_ACCOUNT = '123456789012';
const ORGANIZATION = 'o-a1b2c3d4e5';
const RUN = randomBytes(4).toString('hex');

/** Clients that act as the member account, reached through STS AssumeRole. */
async function memberAccountClients() {
  const sts = new STSClient({});
  const { Credentials: credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'member-template-test',
    }),
  );
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new Error('STS AssumeRole returned no credentials');
  }
  const config = {
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
    },
  };
  return {
    sts: new STSClient(config),
    cloudFormation: new CloudFormationClient(config),
    iam: new IAMClient(config),
  };
}

type MemberClients = Awaited<ReturnType<typeof memberAccountClients>>;

/** Creates a stack of the member template; moto creates it before answering. */
async function createMemberStack(
  clients: MemberClients,
  stackName: string,
  parameters: Record<string, string>,
): Promise<Output[]> {
  await clients.cloudFormation.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(TEMPLATE_FILE, 'utf8'),
      Parameters: Object.entries(parameters).map(
        ([ParameterKey, ParameterValue]): Parameter => ({ ParameterKey, ParameterValue }),
      ),
      Capabilities: ['CAPABILITY_NAMED_IAM'],
    }),
  );
  const { Stacks: stacks } = await clients.cloudFormation.send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  const stack = stacks?.[0];
  if (stack?.StackStatus !== 'CREATE_COMPLETE') {
    throw new Error(`stack ${stackName} is ${stack?.StackStatus}: ${stack?.StackStatusReason}`);
  }
  return stack.Outputs ?? [];
}

function outputsByKey(outputs: Output[]): Record<string, string | undefined> {
  return Object.fromEntries(outputs.map((output) => [output.OutputKey, output.OutputValue]));
}

/** IAM returns policy documents URL-encoded. */
function decodePolicy(document: string | undefined): unknown {
  if (document === undefined) throw new Error('IAM returned no policy document');
  return JSON.parse(decodeURIComponent(document));
}

/**
 * An inline policy as GetRolePolicy returns it. AWS returns URL-encoded JSON; moto, for
 * a policy its CloudFormation made, returns the Python form of the document it kept
 * (single quotes), which Python's own literal reader turns back into JSON.
 */
function decodeInlinePolicy(document: string | undefined): unknown {
  if (document === undefined) throw new Error('IAM returned no policy document');
  const text = decodeURIComponent(document);
  if (!text.startsWith("{'")) return JSON.parse(text);
  const json = execFileSync(
    path.join(VENV_BIN, 'python'),
    ['-c', 'import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))'],
    { input: text, encoding: 'utf8' },
  );
  return JSON.parse(json);
}

describe('the member-account template under the linters', () => {
  it('has no cfn-lint findings, not even warnings', async () => {
    const { code, findings } = await cfnLint(TEMPLATE_FILE);

    expect(findings).toEqual([]);
    expect(code).toBe(0);
  }, 300_000);

  it('fails no checkov check', async () => {
    const { failed, summary } = await checkov(TEMPLATE_FILE);

    expect(failed).toEqual([]);
    expect(summary.parsing_errors).toBe(0);
    expect(summary.skipped).toBe(0);
    // The IAM role checks (trust, wildcards, escalation, exposure) ran on the role.
    expect(summary.passed).toBeGreaterThanOrEqual(8);
  }, 300_000);
});

describe('the member-account template deployed in a member account', () => {
  const stackName = `bucket-classification-member-${RUN}`;
  let clients: MemberClients;
  let outputs: Record<string, string | undefined>;

  beforeAll(async () => {
    clients = await memberAccountClients();
    outputs = outputsByKey(
      await createMemberStack(clients, stackName, {
        CentralAccountId: CENTRAL_ACCOUNT,
        OrganizationId: ORGANIZATION,
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await clients?.cloudFormation.send(new DeleteStackCommand({ StackName: stackName }));
  });

  it('is reached as the member account', async () => {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe(MEMBER_ACCOUNT);
  });

  it("outputs the role's ARN and name", () => {
    expect(outputs).toEqual({
      MemberRoleArn: 'arn:aws:iam::210987654321:role/BucketClassificationMember',
      MemberRoleName: 'BucketClassificationMember',
    });
  });

  it('makes the role BucketClassificationMember at path "/" with one-hour sessions', async () => {
    const { Role: role } = await clients.iam.send(
      new GetRoleCommand({ RoleName: 'BucketClassificationMember' }),
    );

    expect(role?.Arn).toBe('arn:aws:iam::210987654321:role/BucketClassificationMember');
    expect(role?.Path).toBe('/');
    expect(role?.MaxSessionDuration).toBe(3600);
  });

  it("trusts the central account's roles under /bucket-classification/ in the organisation only", async () => {
    const { Role: role } = await clients.iam.send(
      new GetRoleCommand({ RoleName: 'BucketClassificationMember' }),
    );

    expect(decodePolicy(role?.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CentralFunctionsAssume',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::123456789012:root' },
          Action: 'sts:AssumeRole',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/bucket-classification/*',
            },
            StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
          },
        },
      ],
    });
  });

  it('may call exactly the reads and reports of the central functions, each on its resources', async () => {
    const { PolicyNames: names } = await clients.iam.send(
      new ListRolePoliciesCommand({ RoleName: 'BucketClassificationMember' }),
    );
    const { AttachedPolicies: attached } = await clients.iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: 'BucketClassificationMember' }),
    );
    const policy = await clients.iam.send(
      new GetRolePolicyCommand({
        RoleName: 'BucketClassificationMember',
        PolicyName: 'bucket-classification-member',
      }),
    );

    expect(names).toEqual(['bucket-classification-member']);
    expect(attached).toEqual([]);
    expect(decodeInlinePolicy(policy.PolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ListBuckets', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
        {
          Sid: 'ReadBucketTags',
          Effect: 'Allow',
          Action: 's3:GetBucketTagging',
          Resource: 'arn:aws:s3:::*',
        },
        {
          Sid: 'ReportEvaluations',
          Effect: 'Allow',
          Action: ['config:PutEvaluations', 'config:GetResourceConfigHistory'],
          Resource: '*',
        },
        {
          Sid: 'ReadOwnEvaluations',
          Effect: 'Allow',
          Action: 'config:GetComplianceDetailsByConfigRule',
          Resource: 'arn:aws:config:*:210987654321:config-rule/*',
        },
        {
          Sid: 'CheckTopicsDeliver',
          Effect: 'Allow',
          Action: [
            'sns:GetTopicAttributes',
            'sns:ListSubscriptionsByTopic',
            'sns:ListTagsForResource',
          ],
          Resource: 'arn:aws:sns:*:210987654321:*',
        },
      ],
    });
  });
});

describe('the member-account template with its names changed', () => {
  const stackName = `bucket-classification-member-named-${RUN}`;
  let clients: MemberClients;
  let outputs: Record<string, string | undefined>;

  beforeAll(async () => {
    clients = await memberAccountClients();
    outputs = outputsByKey(
      await createMemberStack(clients, stackName, {
        CentralAccountId: '444455556666',
        OrganizationId: 'o-z9y8x7w6v5u4',
        MemberRoleName: `ClassificationAudit-${RUN}`,
        CentralRolePath: '/security/classification/',
      }),
    );
  }, 120_000);

  it('names the role MemberRoleName, trusting roles under CentralRolePath', async () => {
    const { Role: role } = await clients.iam.send(
      new GetRoleCommand({ RoleName: `ClassificationAudit-${RUN}` }),
    );

    expect(outputs.MemberRoleArn).toBe(`arn:aws:iam::210987654321:role/ClassificationAudit-${RUN}`);
    expect(role?.Path).toBe('/');
    expect(decodePolicy(role?.AssumeRolePolicyDocument)).toMatchObject({
      Statement: [
        {
          Principal: { AWS: 'arn:aws:iam::444455556666:root' },
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': 'arn:aws:iam::444455556666:role/security/classification/*',
            },
            StringEquals: { 'aws:PrincipalOrgID': 'o-z9y8x7w6v5u4' },
          },
        },
      ],
    });
  });

  it('makes the role in the member account, not in the account the clients default to', async () => {
    const otherAccount = new IAMClient({});
    const roleName = `ClassificationAudit-${RUN}`;

    await expect(
      clients.iam.send(new GetRoleCommand({ RoleName: roleName })),
    ).resolves.toMatchObject({ Role: { RoleName: roleName } });
    await expect(
      otherAccount.send(new GetRoleCommand({ RoleName: roleName })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  // Last: StackSets delete an account's stack when it leaves the organisation.
  it('removes the role with the stack', async () => {
    await clients.cloudFormation.send(new DeleteStackCommand({ StackName: stackName }));

    await expect(
      clients.iam.send(new GetRoleCommand({ RoleName: `ClassificationAudit-${RUN}` })),
    ).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});
