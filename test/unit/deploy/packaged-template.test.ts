/**
 * The deployable stack as `serverless package` (osls + serverless-esbuild) writes it:
 * the CloudFormation template and the function zip.
 *
 * Packaging runs once, offline and with no AWS credentials (as it must work in CI), in
 * a copy of the project, so it neither touches a developer's .serverless/.esbuild
 * folders nor clashes with another run.
 */
import * as path from 'node:path';
import { type PackagedStack, packageStack, runNode } from '../../support/package-stack';
import type { ZipEntry } from '../../support/zip-archive';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}
interface Template {
  readonly Resources: Record<string, Resource>;
}
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
}

const FUNCTION_ID = 'ValidateFindingLambdaFunction';
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
const THIS_ACCOUNTS_TOPICS = { 'Fn::Sub': 'arn:${AWS::Partition}:sns:*:${AWS::AccountId}:*' };
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
const ALL_BUCKETS = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*' };

let stack: PackagedStack;
let template: Template;
let zipEntries: ZipEntry[];

beforeAll(() => {
  stack = packageStack('dev');
  template = stack.template<Template>();
  zipEntries = stack.zipEntries('validateFinding');
}, 120_000);

afterAll(() => stack?.remove());

function resource(logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

function resourcesOfType(type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function onlyResourceOfType(type: string): [string, Resource] {
  const found = resourcesOfType(type);
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0] as [string, Resource];
}

function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

function resourcesOf(statement: Statement): unknown[] {
  return [statement.Resource].flat();
}

/** Every statement of every IAM role and policy in the stack. */
function iamStatements(): Statement[] {
  const roles = resourcesOfType('AWS::IAM::Role').flatMap(
    ([, role]) =>
      (role.Properties.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? [],
  );
  const policies = [
    ...resourcesOfType('AWS::IAM::Policy'),
    ...resourcesOfType('AWS::IAM::ManagedPolicy'),
  ].map(([, policy]) => ({ PolicyDocument: policy.Properties.PolicyDocument }));
  return [...roles, ...policies].flatMap(
    ({ PolicyDocument }) => (PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

/** `handlers/validate-finding.handler` -> `handlers/validate-finding.js` */
function handlerModule(): string {
  return `${String(resource(FUNCTION_ID).Properties.Handler).replace(/\.[^.]+$/, '')}.js`;
}

function functionEnvironment(): Record<string, unknown> {
  const environment = resource(FUNCTION_ID).Properties.Environment as {
    Variables: Record<string, unknown>;
  };
  return environment.Variables;
}

describe('serverless package', () => {
  it('resolves every osls variable at package time (only CloudFormation pseudo parameters remain)', () => {
    const placeholders = JSON.stringify(template).match(/\$\{[^}]*\}/g) ?? [];
    expect(placeholders.filter((p) => !/^\$\{AWS::[A-Za-z]+\}$/.test(p))).toEqual([]);
  });
});

describe('the validateFinding function', () => {
  it('runs on Node.js 22 or newer, on arm64', () => {
    const { Runtime, Architectures } = resource(FUNCTION_ID).Properties;
    expect(Runtime).toMatch(/^nodejs\d+\.x$/);
    expect(Number(/\d+/.exec(String(Runtime))?.[0])).toBeGreaterThanOrEqual(22);
    expect(Architectures).toEqual(['arm64']);
  });

  it('points at the handler module with 256 MB and a 30 s timeout', () => {
    expect(resource(FUNCTION_ID).Properties).toMatchObject({
      Handler: 'handlers/validate-finding.handler',
      MemorySize: 256,
      Timeout: 30,
    });
  });

  it('gets the settings the handler reads, with the documented defaults', () => {
    expect(functionEnvironment()).toEqual({
      SECURITY_TOPIC_ARN: { Ref: 'SecurityAlertsTopic' },
      METRICS_NAMESPACE: 'DataClassification',
      CLASSIFICATION_TAG_KEY: 'DataClassification',
      TOPIC_TAG_KEY: 'SupportSNSTopic',
      TEAM_TAG_KEY: 'Team',
      ALLOWED_TOPIC_ACCOUNTS: '',
      POLICY_FILE: 'policies/default-policy.yaml',
    });
  });

  it('keeps its logs for a limited time', () => {
    expect(resource('ValidateFindingLogGroup').Properties.RetentionInDays).toEqual(
      expect.any(Number),
    );
  });
});

describe('the Macie finding rule', () => {
  const rule = (): Resource => onlyResourceOfType('AWS::Events::Rule')[1];
  const target = (): Record<string, unknown> => {
    const targets = rule().Properties.Targets as Array<Record<string, unknown>>;
    expect(targets).toHaveLength(1);
    return targets[0] as Record<string, unknown>;
  };

  it('matches only Macie sensitive-data findings, on the default bus', () => {
    expect(rule().Properties.EventPattern).toEqual({
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { type: [{ prefix: 'SensitiveData:' }] },
    });
    expect(rule().Properties.EventBusName).toBeUndefined();
    expect(rule().Properties.State).toBe('ENABLED');
  });

  it('targets validateFinding, which lets EventBridge invoke it', () => {
    expect(target().Arn).toEqual({ 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] });
    const permissions = resourcesOfType('AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties.Principal === 'events.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.[1].Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [FUNCTION_ID, 'Arn'] },
    });
  });

  it('retries a failed delivery, then sends the event to the dead-letter queue', () => {
    expect(target().RetryPolicy).toEqual({
      MaximumRetryAttempts: expect.any(Number),
      MaximumEventAgeInSeconds: expect.any(Number),
    });
    const [queueId] = onlyResourceOfType('AWS::SQS::Queue');
    expect(target().DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });
});

describe('a failed invocation (the handler throws)', () => {
  // EventBridge invokes Lambda asynchronously, so its retry policy and dead-letter queue
  // cover delivery only; once Lambda has the event, Lambda retries and sends it on.
  it('is retried by Lambda, then goes to the dead-letter queue', () => {
    const [queueId] = onlyResourceOfType('AWS::SQS::Queue');
    const [, config] = onlyResourceOfType('AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toMatchObject({
      FunctionName: { Ref: FUNCTION_ID },
      MaximumRetryAttempts: expect.any(Number),
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('lets the function send to the dead-letter queue and nowhere else in SQS', () => {
    const [queueId] = onlyResourceOfType('AWS::SQS::Queue');
    const sqs = iamStatements().filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    expect(sqs.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
      [['sqs:SendMessage'], [{ 'Fn::GetAtt': [queueId, 'Arn'] }]],
    ]);
  });
});

describe('the dead-letter queue', () => {
  it('is encrypted and keeps events for 14 days', () => {
    const [, queue] = onlyResourceOfType('AWS::SQS::Queue');
    expect(
      queue.Properties.SqsManagedSseEnabled === true || !!queue.Properties.KmsMasterKeyId,
    ).toBe(true);
    expect(queue.Properties.MessageRetentionPeriod).toBe(1_209_600);
  });

  it('accepts messages from EventBridge for the finding rule only', () => {
    const [queueId] = onlyResourceOfType('AWS::SQS::Queue');
    const [, policy] = onlyResourceOfType('AWS::SQS::QueuePolicy');
    const ruleName = String(onlyResourceOfType('AWS::Events::Rule')[1].Properties.Name);
    expect(policy.Properties.Queues).toEqual([{ Ref: queueId }]);

    const allows = (
      policy.Properties.PolicyDocument as { Statement: Statement[] }
    ).Statement.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    const [allow] = allows as [Statement];
    expect(allow).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
    });
    const sourceArn = allow.Condition?.ArnEquals?.['aws:SourceArn'] as { 'Fn::Sub': string };
    expect(sourceArn['Fn::Sub']).toMatch(new RegExp(`:rule/${ruleName}$`));
  });
});

describe('the central security topic', () => {
  it('is encrypted', () => {
    expect(resource('SecurityAlertsTopic')).toMatchObject({
      Type: 'AWS::SNS::Topic',
      Properties: { KmsMasterKeyId: expect.any(String) },
    });
  });
});

describe('IAM permissions', () => {
  it('never grant a wildcard action', () => {
    const wildcards = iamStatements()
      .flatMap(actionsOf)
      .filter((action) => action === '*' || action.endsWith(':*'));
    expect(wildcards).toEqual([]);
  });

  it('allow sns:Publish to this account’s topics only, never to Resource "*"', () => {
    const publish = iamStatements().filter((s) => actionsOf(s).includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    for (const statement of publish) {
      expect(resourcesOf(statement)).not.toContain('*');
      expect(resourcesOf(statement)).toEqual([THIS_ACCOUNTS_TOPICS]);
    }
  });

  it('allow reading bucket tags', () => {
    const tagging = iamStatements().filter((s) => actionsOf(s).includes('s3:GetBucketTagging'));
    expect(tagging.flatMap(resourcesOf)).toEqual([ALL_BUCKETS]);
  });

  it('allow metrics only in the namespace the function writes to', () => {
    const metrics = iamStatements().filter((s) =>
      actionsOf(s).includes('cloudwatch:PutMetricData'),
    );
    expect(metrics).toHaveLength(1);
    expect(metrics[0]?.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': functionEnvironment().METRICS_NAMESPACE },
    });
  });
});

describe('the checkBucketTags Config rule', () => {
  const RULE_FUNCTION = 'CheckBucketTagsLambdaFunction';
  const rule = (): Resource => onlyResourceOfType('AWS::Config::ConfigRule')[1];

  it('is a custom Lambda rule on S3 buckets backed by checkBucketTags', () => {
    expect(rule().Properties).toMatchObject({
      Scope: { ComplianceResourceTypes: ['AWS::S3::Bucket'] },
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { 'Fn::GetAtt': [RULE_FUNCTION, 'Arn'] },
      },
    });
    expect(resource(RULE_FUNCTION).Properties.Handler).toBe('handlers/check-bucket-tags.handler');
  });

  it('runs on changes, oversized changes and periodically', () => {
    const details = (rule().Properties.Source as { SourceDetails: Array<Record<string, string>> })
      .SourceDetails;

    expect(details).toEqual([
      { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
      { EventSource: 'aws.config', MessageType: 'OversizedConfigurationItemChangeNotification' },
      {
        EventSource: 'aws.config',
        MessageType: 'ScheduledNotification',
        MaximumExecutionFrequency: 'TwentyFour_Hours',
      },
    ]);
  });

  it('may be invoked by Config from this account only, and waits for that permission', () => {
    const [id, permission] = resourcesOfType('AWS::Lambda::Permission').find(
      ([, p]) => p.Properties.Principal === 'config.amazonaws.com',
    ) ?? ['', { Type: '', Properties: {} }];

    expect(permission.Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': [RULE_FUNCTION, 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    expect([(rule() as Resource & { DependsOn?: unknown }).DependsOn].flat()).toEqual([id]);
  });

  it('passes the requireTeamTag parameter, off by default', () => {
    expect(rule().Properties.InputParameters).toEqual({ requireTeamTag: 'false' });
  });

  it('gets the same tag keys, allowed accounts and policy as validateFinding', () => {
    const env = (id: string) =>
      (resource(id).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const shared = [
      'CLASSIFICATION_TAG_KEY',
      'TOPIC_TAG_KEY',
      'TEAM_TAG_KEY',
      'ALLOWED_TOPIC_ACCOUNTS',
      'POLICY_FILE',
    ];

    for (const name of shared)
      expect([name, env(RULE_FUNCTION)[name]]).toEqual([name, env(FUNCTION_ID)[name]]);
  });
});

describe('the function zip', () => {
  const names = (): string[] => zipEntries.map((entry) => entry.name);

  it('holds the bundled handler and the policy file POLICY_FILE names', () => {
    expect(names()).toEqual(
      expect.arrayContaining([handlerModule(), functionEnvironment().POLICY_FILE]),
    );
  });

  it('holds no dependencies, sources or tests (everything is bundled)', () => {
    expect(
      names().filter(
        (name) => /(^|\/)(node_modules|test|\.venv)\//.test(name) || name.endsWith('.ts'),
      ),
    ).toEqual([]);
  });

  it('loads at cold start from the task root with the deployed settings', () => {
    const taskRoot = path.join(stack.work.path, 'task');
    stack.extract('validateFinding', taskRoot);
    const settings = Object.fromEntries(
      Object.entries(functionEnvironment()).map(([name, value]) => [name, String(value)]),
    );
    const env = {
      PATH: process.env.PATH,
      ...settings,
      SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:central',
      AWS_REGION: 'us-east-1',
    };

    const output = runNode(
      ['-e', `console.log(typeof require('./${handlerModule()}').handler)`],
      taskRoot,
      env,
    );

    expect(output.trim()).toBe('function');
  });
});
