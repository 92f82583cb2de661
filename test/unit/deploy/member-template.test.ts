// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders are the subject of these tests
/**
 * The member-account template (deploy/member-account.yaml) as a YAML parser reads it:
 * its parameters, the one role's name, trust and permissions, and its outputs. The
 * role's permissions are stated here action by action, so a widened permission (one
 * more action, a wider resource) fails a test.
 *
 * CloudFormation checks each AllowedPattern at deploy time; moto does not, so the
 * patterns are tried here on values either side of each boundary. CloudFormation's
 * patterns are Java regular expressions; these use nothing JavaScript reads otherwise.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../../support/fixtures';

interface Parameter {
  readonly Type: string;
  readonly Default?: string;
  readonly AllowedPattern?: string;
  readonly ConstraintDescription?: string;
  readonly Description?: string;
}
interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}
interface PolicyDocument {
  readonly Version: string;
  readonly Statement: Statement[];
}
interface RoleProperties {
  readonly RoleName: unknown;
  readonly Path: string;
  readonly MaxSessionDuration: number;
  readonly AssumeRolePolicyDocument: PolicyDocument;
  readonly Policies: Array<{
    readonly PolicyName: string;
    readonly PolicyDocument: PolicyDocument;
  }>;
  readonly ManagedPolicyArns?: unknown;
  readonly PermissionsBoundary?: unknown;
}
interface Template {
  readonly AWSTemplateFormatVersion: string;
  readonly Parameters: Record<string, Parameter>;
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties: RoleProperties; readonly Metadata?: unknown }
  >;
  readonly Outputs: Record<string, { readonly Value: unknown }>;
}

const TEMPLATE_FILE = path.join(REPO_ROOT, 'deploy', 'member-account.yaml');

function loadTemplate(): Template {
  const document = parseDocument(readFileSync(TEMPLATE_FILE, 'utf8'));
  // A short-form tag (!Sub, !Ref) would show up here as an unresolved tag.
  const problems = [...document.errors, ...document.warnings].map((problem) => problem.message);
  if (problems.length > 0) {
    throw new Error(`${TEMPLATE_FILE} does not parse as plain YAML: ${problems.join('; ')}`);
  }
  return document.toJS() as Template;
}

const template = loadTemplate();
const role = template.Resources.MemberRole;
const policies = role?.Properties.Policies ?? [];
const statements = policies.flatMap((policy) => policy.PolicyDocument.Statement);

function actionsOf(statement: Statement): string[] {
  return typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
}

/** Whether CloudFormation would accept `value` for the parameter (its AllowedPattern). */
function accepts(parameterName: string, value: string): boolean {
  const pattern = template.Parameters[parameterName]?.AllowedPattern;
  if (pattern === undefined) throw new Error(`parameter ${parameterName} has no AllowedPattern`);
  return new RegExp(pattern).test(value);
}

describe('the member-account template', () => {
  it('parses as plain YAML, in long-form intrinsics (loadTemplate refuses a short-form tag)', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
  });

  it('holds one resource: the member role', () => {
    expect(Object.keys(template.Resources)).toEqual(['MemberRole']);
    expect(role?.Type).toBe('AWS::IAM::Role');
  });

  it('takes exactly the four parameters of the shared design, with their defaults', () => {
    expect(Object.keys(template.Parameters).sort()).toEqual([
      'CentralAccountId',
      'CentralRolePath',
      'MemberRoleName',
      'OrganizationId',
    ]);
    expect(template.Parameters.CentralAccountId?.Default).toBeUndefined();
    expect(template.Parameters.OrganizationId?.Default).toBeUndefined();
    expect(template.Parameters.MemberRoleName?.Default).toBe('BucketClassificationMember');
    expect(template.Parameters.CentralRolePath?.Default).toBe('/bucket-classification/');
    for (const [name, parameter] of Object.entries(template.Parameters)) {
      expect([name, parameter.Type]).toEqual([name, 'String']);
      expect([name, parameter.ConstraintDescription]).toEqual([name, expect.any(String)]);
      expect([name, parameter.Description]).toEqual([name, expect.any(String)]);
    }
  });
});

describe('the member role', () => {
  it('is named by MemberRoleName at path "/", so its ARN is role/<MemberRoleName>', () => {
    expect(role?.Properties.RoleName).toEqual({ Ref: 'MemberRoleName' });
    expect(role?.Properties.Path).toBe('/');
  });

  it('gives sessions of at most an hour', () => {
    expect(role?.Properties.MaxSessionDuration).toBe(3600);
  });

  it('is trusted by the central account, only for its roles under the central path in the organisation', () => {
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'CentralFunctionsAssume',
          Effect: 'Allow',
          Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:root' } },
          Action: 'sts:AssumeRole',
          Condition: {
            ArnLike: {
              'aws:PrincipalArn': {
                'Fn::Sub': 'arn:${AWS::Partition}:iam::${CentralAccountId}:role${CentralRolePath}*',
              },
            },
            StringEquals: { 'aws:PrincipalOrgID': { Ref: 'OrganizationId' } },
          },
        },
      ],
    });
  });

  it('may call exactly what the central functions call in a member account', () => {
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      'config:GetComplianceDetailsByConfigRule',
      'config:GetResourceConfigHistory',
      'config:PutEvaluations',
      's3:GetBucketTagging',
      's3:ListAllMyBuckets',
      'sns:GetTopicAttributes',
      'sns:ListSubscriptionsByTopic',
      'sns:ListTagsForResource',
    ]);
  });

  it('names a resource for every action that has resource-level permissions', () => {
    expect(policies.map((policy) => policy.PolicyName)).toEqual(['bucket-classification-member']);
    expect(policies[0]?.PolicyDocument.Version).toBe('2012-10-17');
    expect(statements).toEqual([
      { Sid: 'ListBuckets', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
      {
        Sid: 'ReadBucketTags',
        Effect: 'Allow',
        Action: 's3:GetBucketTagging',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*' },
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
        Resource: {
          'Fn::Sub': 'arn:${AWS::Partition}:config:*:${AWS::AccountId}:config-rule/*',
        },
      },
      {
        Sid: 'CheckTopicsDeliver',
        Effect: 'Allow',
        Action: [
          'sns:GetTopicAttributes',
          'sns:ListSubscriptionsByTopic',
          'sns:ListTagsForResource',
        ],
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:sns:*:${AWS::AccountId}:*' },
      },
    ]);
  });

  it('gets no managed policies and no permissions boundary beside its inline policy', () => {
    expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role?.Properties.PermissionsBoundary).toBeUndefined();
  });

  it('needs no checkov skip', () => {
    expect(role?.Metadata).toBeUndefined();
  });
});

describe('the parameters refuse values outside their patterns', () => {
  it('CentralAccountId: exactly 12 digits', () => {
    expect(accepts('CentralAccountId', '123456789012')).toBe(true);
    expect(accepts('CentralAccountId', '000000000000')).toBe(true);
    expect(accepts('CentralAccountId', '12345678901')).toBe(false);
    expect(accepts('CentralAccountId', '1234567890123')).toBe(false);
    expect(accepts('CentralAccountId', '12345678901a')).toBe(false);
    expect(accepts('CentralAccountId', '')).toBe(false);
  });

  it('OrganizationId: o- and 10 to 32 lower-case letters or digits', () => {
    expect(accepts('OrganizationId', 'o-a1b2c3d4e5')).toBe(true);
    expect(accepts('OrganizationId', `o-${'a'.repeat(32)}`)).toBe(true);
    expect(accepts('OrganizationId', 'o-a1b2c3d4e')).toBe(false);
    expect(accepts('OrganizationId', `o-${'a'.repeat(33)}`)).toBe(false);
    expect(accepts('OrganizationId', 'o-A1B2C3D4E5')).toBe(false);
    expect(accepts('OrganizationId', 'a1b2c3d4e5f6')).toBe(false);
    expect(accepts('OrganizationId', 'x-o-a1b2c3d4e5')).toBe(false);
    expect(accepts('OrganizationId', 'o-a1b2c3d4e5 ')).toBe(false);
  });

  it('MemberRoleName: an IAM role name of 1 to 64 characters', () => {
    expect(accepts('MemberRoleName', 'BucketClassificationMember')).toBe(true);
    expect(accepts('MemberRoleName', 'r')).toBe(true);
    expect(accepts('MemberRoleName', 'a+=,.@_-Z9')).toBe(true);
    expect(accepts('MemberRoleName', 'r'.repeat(64))).toBe(true);
    expect(accepts('MemberRoleName', 'r'.repeat(65))).toBe(false);
    expect(accepts('MemberRoleName', '')).toBe(false);
    expect(accepts('MemberRoleName', 'team/role')).toBe(false);
    expect(accepts('MemberRoleName', 'Role*')).toBe(false);
  });

  it('CentralRolePath: one or more segments between slashes, with no wildcard', () => {
    expect(accepts('CentralRolePath', '/bucket-classification/')).toBe(true);
    expect(accepts('CentralRolePath', '/security/bucket-classification/')).toBe(true);
    // "/" alone would trust every role of the central account.
    expect(accepts('CentralRolePath', '/')).toBe(false);
    expect(accepts('CentralRolePath', '/*/')).toBe(false);
    expect(accepts('CentralRolePath', '/bucket?classification/')).toBe(false);
    expect(accepts('CentralRolePath', '/bucket-classification')).toBe(false);
    expect(accepts('CentralRolePath', 'bucket-classification/')).toBe(false);
    expect(accepts('CentralRolePath', '/bucket-classification//')).toBe(false);
  });
});

describe('the outputs', () => {
  it("give the role's ARN and name", () => {
    expect(template.Outputs.MemberRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['MemberRole', 'Arn'] });
    expect(template.Outputs.MemberRoleName?.Value).toEqual({ Ref: 'MemberRole' });
  });
});
