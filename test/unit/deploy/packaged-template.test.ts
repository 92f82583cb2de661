// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders are the subject of these tests
/**
 * The deployable stack as `serverless package` (osls + serverless-esbuild) writes it:
 * the CloudFormation template and the function zip. Each describe block is one part of
 * the stack; each `it` one invariant of it that a later change must not quietly undo.
 *
 * Packaging runs once, offline and with no AWS credentials (as it must work in CI), in
 * a copy of the project, so it neither touches a developer's .serverless/.esbuild
 * folders nor clashes with another run. Everything is asserted for the default
 * parameters of the `dev` stage.
 */
import * as path from 'node:path';
import { loadPolicy } from '../../../policies/load-policy';
import { judgeBucketTags } from '../../../rules/required-tags';
import { judgeTopicOptIn } from '../../../rules/topic-opt-in';
import { type PackagedStack, packageStack, runNode } from '../../support/package-stack';
import type { ZipEntry } from '../../support/zip-archive';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Condition?: string;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly Metadata?: { readonly checkov?: { readonly skip?: unknown[] } };
}
interface Template {
  readonly Resources: Record<string, Resource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Parameters?: Record<string, unknown>;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}
interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Principal?: unknown;
}
/** A policy document; its statements may be `Fn::If`s choosing between statements. */
interface PolicyDocument {
  readonly Statement: unknown[];
}
type FnIf = { readonly 'Fn::If': [string, unknown, unknown] };

const VALIDATE_FINDING = 'ValidateFindingLambdaFunction';
const CHECK_BUCKET_TAGS = 'CheckBucketTagsLambdaFunction';
const TRACK_BUCKET_CHANGES = 'TrackBucketChangesLambdaFunction';
const SUMMARIZE_LEDGER = 'SummarizeLedgerLambdaFunction';
const TOPIC = 'SecurityAlertsTopic';
const KEY = 'StackKey';
const QUEUE = 'FindingEventsDeadLetterQueue';
const CONFIG_RULE = 'CheckBucketTagsConfigRule';

const TOPIC_REF = { Ref: TOPIC };
const KEY_ARN = { 'Fn::GetAtt': [KEY, 'Arn'] };
const QUEUE_ARN = { 'Fn::GetAtt': [QUEUE, 'Arn'] };
const THIS_ACCOUNT = { Ref: 'AWS::AccountId' };
const THIS_ACCOUNTS_TOPICS = { 'Fn::Sub': 'arn:${AWS::Partition}:sns:*:${AWS::AccountId}:*' };
const ALL_TOPICS = { 'Fn::Sub': 'arn:${AWS::Partition}:sns:*:*:*' };
const ALL_BUCKETS = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::*' };
/** IAM actions that have no resource-level permissions: only these may name Resource "*". */
const ACTIONS_WITHOUT_RESOURCES = new Set([
  'cloudwatch:PutMetricData',
  'config:PutEvaluations',
  'config:GetResourceConfigHistory',
  's3:ListAllMyBuckets',
]);
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
/** The settings both functions must read alike. */
const SHARED_SETTINGS = [
  'CLASSIFICATION_TAG_KEY',
  'TOPIC_TAG_KEY',
  'TEAM_TAG_KEY',
  'TOPIC_OPT_IN_TAG_KEY',
  'TOPIC_OPT_IN_TAG_VALUE',
  'ALLOWED_TOPIC_ACCOUNTS',
  'ORGANIZATION_ID',
  'MEMBER_ROLE_NAME',
  'CENTRAL_ACCOUNT_ID',
  'POLICY_FILE',
];
/** The condition under which a team topic may be published to: its opt-in tag. */
const OPTED_IN = { 'aws:ResourceTag/AcceptsClassificationAlerts': 'true' };
const THIS_AND_ALLOWED_ACCOUNTS = {
  'Fn::Split': [',', { 'Fn::Sub': '${AWS::AccountId},${AllowedTopicAccounts}' }],
};

/** The settings of every function that keeps the ledger, with their defaults. */
const LEDGER_ENVIRONMENT = {
  SECURITY_TOPIC_ARN: TOPIC_REF,
  METRICS_NAMESPACE: 'DataClassification',
  CLASSIFICATION_TAG_KEY: 'DataClassification',
  TOPIC_TAG_KEY: 'SupportSNSTopic',
  TEAM_TAG_KEY: 'Team',
  TOPIC_OPT_IN_TAG_KEY: 'AcceptsClassificationAlerts',
  TOPIC_OPT_IN_TAG_VALUE: 'true',
  ALLOWED_TOPIC_ACCOUNTS: { Ref: 'AllowedTopicAccounts' },
  ORGANIZATION_ID: { Ref: 'OrganizationId' },
  MEMBER_ROLE_NAME: { Ref: 'MemberRoleName' },
  CENTRAL_ACCOUNT_ID: THIS_ACCOUNT,
  POLICY_FILE: 'policies/default-policy.yaml',
  WAIVERS_FILE: 'policies/waivers.yaml',
  LEDGER_TABLE: { Ref: 'LedgerTable' },
  REMINDER_AFTER_HOURS: '24',
};

/** The functions, with what each must be and may do. */
const FUNCTIONS = [
  {
    name: 'validateFinding',
    id: VALIDATE_FINDING,
    role: 'ValidateFindingRole',
    logGroup: 'ValidateFindingLogGroup',
    handler: 'handlers/validate-finding.handler',
    timeout: 30,
    environment: LEDGER_ENVIRONMENT,
    actions: [
      'cloudwatch:PutMetricData',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:GenerateDataKey*',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetBucketTagging',
      'sns:ListTagsForResource',
      'sns:Publish',
      'sqs:SendMessage',
      'sts:AssumeRole',
    ],
  },
  {
    name: 'checkBucketTags',
    id: CHECK_BUCKET_TAGS,
    role: 'CheckBucketTagsRole',
    logGroup: 'CheckBucketTagsLogGroup',
    handler: 'handlers/check-bucket-tags.handler',
    timeout: 300,
    environment: {
      CLASSIFICATION_TAG_KEY: 'DataClassification',
      TOPIC_TAG_KEY: 'SupportSNSTopic',
      TEAM_TAG_KEY: 'Team',
      TOPIC_OPT_IN_TAG_KEY: 'AcceptsClassificationAlerts',
      TOPIC_OPT_IN_TAG_VALUE: 'true',
      ALLOWED_TOPIC_ACCOUNTS: { Ref: 'AllowedTopicAccounts' },
      ORGANIZATION_ID: { Ref: 'OrganizationId' },
      MEMBER_ROLE_NAME: { Ref: 'MemberRoleName' },
      CENTRAL_ACCOUNT_ID: THIS_ACCOUNT,
      POLICY_FILE: 'policies/default-policy.yaml',
      SWEEP_SAFETY_MARGIN_SECONDS: '60',
    },
    actions: [
      'config:GetComplianceDetailsByConfigRule',
      'config:GetResourceConfigHistory',
      'config:PutEvaluations',
      'lambda:InvokeFunction',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetBucketTagging',
      's3:ListAllMyBuckets',
      'sns:GetTopicAttributes',
      'sns:ListSubscriptionsByTopic',
      'sns:ListTagsForResource',
      'sts:AssumeRole',
    ],
  },
  {
    name: 'trackBucketChanges',
    id: TRACK_BUCKET_CHANGES,
    role: 'TrackBucketChangesRole',
    logGroup: 'TrackBucketChangesLogGroup',
    handler: 'handlers/track-bucket-changes.handler',
    timeout: 60,
    environment: {
      ...LEDGER_ENVIRONMENT,
      CONFIG_RULE_NAME: 'bucket-classification-validator-dev-bucket-tags',
    },
    actions: [
      'config:GetResourceConfigHistory',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:GenerateDataKey*',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetBucketTagging',
      'sns:ListTagsForResource',
      'sns:Publish',
      'sqs:SendMessage',
      'sts:AssumeRole',
    ],
  },
  {
    name: 'summarizeLedger',
    id: SUMMARIZE_LEDGER,
    role: 'SummarizeLedgerRole',
    logGroup: 'SummarizeLedgerLogGroup',
    handler: 'handlers/summarize-ledger.handler',
    memorySize: 512,
    timeout: 300,
    environment: LEDGER_ENVIRONMENT,
    actions: [
      'cloudwatch:PutMetricData',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Scan',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:GenerateDataKey*',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sns:ListTagsForResource',
      'sns:Publish',
      'sqs:SendMessage',
      'sts:AssumeRole',
    ],
  },
] as const;

let stack: PackagedStack;
let template: Template;
let zipEntries: ZipEntry[];

beforeAll(() => {
  stack = packageStack('dev');
  template = stack.template<Template>();
  zipEntries = stack.zipEntries('validateFinding');
}, 120_000);

afterAll(() => stack?.remove());

// --- Reading the template ------------------------------------------------------------

function resource(logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (found === undefined) throw new Error(`the template has no resource ${logicalId}`);
  return found;
}

function resourcesOfType(type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

function onlyOne<T>(found: Array<[string, T]>): [string, T] {
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0] as [string, T];
}

function functionEnvironment(functionId = VALIDATE_FINDING): Record<string, unknown> {
  const environment = resource(functionId).Properties.Environment as {
    Variables: Record<string, unknown>;
  };
  return environment.Variables;
}

/** `handlers/validate-finding.handler` -> `handlers/validate-finding.js` */
function handlerModule(): string {
  return `${String(resource(VALIDATE_FINDING).Properties.Handler).replace(/\.[^.]+$/, '')}.js`;
}

/** The ARN of a log group, as an Fn::Sub of this template spells it. */
function logGroupArn(name: string): string {
  return `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}`;
}

function logGroupName(logGroupId: string): string {
  return String(resource(logGroupId).Properties.LogGroupName);
}

/** Whether `text` matches an IAM wildcard pattern (`*` and `?`). */
function globMatches(pattern: string, text: string): boolean {
  const regex = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`).test(text);
}

/** A `{ Ref: Parameter }` as the parameter's default; anything else as it is. */
function parameterDefault(value: unknown): unknown {
  const ref = (value as { Ref?: string } | null)?.Ref;
  if (typeof ref !== 'string') return value;
  return (template.Parameters?.[ref] as { Default?: unknown } | undefined)?.Default;
}

/** Whether the stack would have this condition with the (default) packaged parameters. */
function conditionHolds(expression: unknown): boolean {
  const node = expression as Record<string, unknown[]> & { Condition?: string };
  if (typeof node.Condition === 'string')
    return conditionHolds(template.Conditions?.[node.Condition]);
  if (node['Fn::Not']) return !conditionHolds(node['Fn::Not'][0]);
  if (node['Fn::And']) return node['Fn::And'].every(conditionHolds);
  if (node['Fn::Or']) return node['Fn::Or'].some(conditionHolds);
  const [left, right] = (node['Fn::Equals'] ?? []).map(parameterDefault);
  if (typeof left === 'string' && typeof right === 'string') return left === right;
  throw new Error(`cannot decide ${JSON.stringify(expression)} at package time`);
}

// --- Reading policies ----------------------------------------------------------------

function isFnIf(node: unknown): node is FnIf {
  return typeof node === 'object' && node !== null && 'Fn::If' in node;
}

/** Both branches of every Fn::If (recursively), less AWS::NoValue. */
function branchesOf(node: unknown): unknown[] {
  if (!isFnIf(node)) return [node];
  const [, whenTrue, whenFalse] = node['Fn::If'];
  return [...branchesOf(whenTrue), ...branchesOf(whenFalse)].filter(
    (branch) => JSON.stringify(branch) !== JSON.stringify({ Ref: 'AWS::NoValue' }),
  );
}

/** Every statement a document may have, whichever way its conditions go. */
function statementsOf(document: unknown): Statement[] {
  return (document as PolicyDocument).Statement.flatMap(branchesOf) as Statement[];
}

function actionsOf(statement: Statement): string[] {
  return [statement.Action].flat();
}

function resourcesOf(statement: Statement): unknown[] {
  return [statement.Resource].flat();
}

function principalServicesOf(statement: Statement): string[] {
  return [(statement.Principal as { Service?: string | string[] } | undefined)?.Service ?? []]
    .flat()
    .sort();
}

function withoutSid({ Sid: _sid, ...rest }: Statement): Omit<Statement, 'Sid'> {
  return rest;
}

/** The policy documents of a role: inline, and IAM policy resources attached to it. */
function roleDocuments(roleId: string): PolicyDocument[] {
  const inline =
    (resource(roleId).Properties.Policies as Array<{ PolicyDocument: PolicyDocument }>) ?? [];
  const attached = [
    ...resourcesOfType('AWS::IAM::Policy'),
    ...resourcesOfType('AWS::IAM::ManagedPolicy'),
  ].filter(([, policy]) =>
    ((policy.Properties.Roles as unknown[]) ?? []).some(
      (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
    ),
  );
  return [
    ...inline.map(({ PolicyDocument }) => PolicyDocument),
    ...attached.map(([, policy]) => policy.Properties.PolicyDocument as PolicyDocument),
  ];
}

function roleStatements(roleId: string): Statement[] {
  return roleDocuments(roleId).flatMap(statementsOf);
}

function roleActions(roleId: string): string[] {
  const actions = roleStatements(roleId)
    .filter((s) => s.Effect === 'Allow')
    .flatMap(actionsOf);
  return [...new Set(actions)].sort();
}

function statementsWithAction(roleId: string, test: (action: string) => boolean): Statement[] {
  return roleStatements(roleId).filter((s) => actionsOf(s).some(test));
}

/** Every statement of every IAM role and policy in the stack. */
function iamStatements(): Statement[] {
  const roles = resourcesOfType('AWS::IAM::Role').flatMap(([id]) => roleStatements(id));
  const unattached = [
    ...resourcesOfType('AWS::IAM::Policy'),
    ...resourcesOfType('AWS::IAM::ManagedPolicy'),
  ].flatMap(([, policy]) => statementsOf(policy.Properties.PolicyDocument));
  return [...roles, ...unattached];
}

// --- Reading EventBridge rules and the dashboard -------------------------------------

/** The only EventBridge rule for events from `source`. */
function ruleForSource(source: string): [string, Resource] {
  return onlyOne(
    resourcesOfType('AWS::Events::Rule').filter(([, rule]) =>
      [(rule.Properties.EventPattern as { source?: unknown })?.source].flat().includes(source),
    ),
  );
}

function onlyTarget(rule: Resource): Record<string, unknown> {
  const targets = rule.Properties.Targets as Array<Record<string, unknown>>;
  expect(targets).toHaveLength(1);
  return targets[0] as Record<string, unknown>;
}

interface DashboardWidget {
  readonly type: string;
  readonly properties: { readonly metrics?: unknown[][] };
}

/** The dashboard body, its Fn::Sub placeholders replaced as CloudFormation would: `{{Name}}`. */
function dashboardBody(): { widgets: DashboardWidget[] } {
  const body = resource('ClassificationDashboard').Properties.DashboardBody as {
    'Fn::Sub': string;
  };
  return JSON.parse(body['Fn::Sub'].replace(/\$\{([^}]+)\}/g, '{{$1}}'));
}

function dashboardMetricLines(): unknown[][] {
  return dashboardBody().widgets.flatMap((widget) => widget.properties.metrics ?? []);
}

interface MetricsQuery {
  readonly metric: string;
  readonly namespace: string;
  readonly dimensions: string[];
  readonly groupBy: string[];
}

/** The Metrics Insights queries of the dashboard, in parts. */
function dashboardQueries(): MetricsQuery[] {
  return dashboardMetricLines()
    .flat()
    .flatMap((item) => {
      const expression = (item as { expression?: unknown })?.expression;
      return typeof expression === 'string' ? [expression] : [];
    })
    .map((expression) => {
      // Metrics Insights (SELECT ... FROM SCHEMA("ns", dims)) or SEARCH('{ns,dims} MetricName="m"').
      const metric =
        /SELECT\s+\w+\(\s*(\w+)\s*\)/i.exec(expression)?.[1] ??
        /MetricName="(\w+)"/.exec(expression)?.[1] ??
        '';
      const schema =
        /SCHEMA\(\s*"([^"]*)"((?:\s*,\s*\w+)*)\s*\)/i.exec(expression) ??
        /SEARCH\('\{([^,}]*)((?:,\w+)*)\}/i.exec(expression);
      const groupBy = /GROUP BY\s+(\w+(?:\s*,\s*\w+)*)/i.exec(expression)?.[1] ?? '';
      const list = (text: string) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== '');
      return {
        metric,
        namespace: schema?.[1] ?? '',
        dimensions: list(schema?.[2] ?? '').sort(),
        groupBy: list(groupBy),
      };
    });
}

// --- The specification ---------------------------------------------------------------

describe('serverless package', () => {
  it('leaves no variable for osls to resolve: only pseudo parameters and this template’s resources, inside Fn::Sub', () => {
    const unresolved: string[] = [];
    const isSubReference = (name: string, variables: readonly string[]): boolean => {
      const [logicalId = '', attribute, ...more] = name.split('.');
      return (
        name.startsWith('!') ||
        PSEUDO_PARAMETERS.has(name) ||
        variables.includes(name) ||
        (more.length === 0 &&
          (logicalId in template.Resources ||
            (attribute === undefined && logicalId in (template.Parameters ?? {}))))
      );
    };
    const visit = (node: unknown, where: string, variables?: readonly string[]): void => {
      if (typeof node === 'string') {
        for (const [placeholder, name = ''] of node.matchAll(/\$\{([^}]*)\}/g)) {
          if (variables === undefined || !isSubReference(name, variables))
            unresolved.push(`${where}: ${placeholder}`);
        }
      } else if (Array.isArray(node)) {
        node.forEach((item, index) => {
          visit(item, `${where}[${index}]`);
        });
      } else if (typeof node === 'object' && node !== null) {
        for (const [key, value] of Object.entries(node)) {
          if (key !== 'Fn::Sub') visit(value, `${where}.${key}`);
          else if (typeof value === 'string') visit(value, `${where}.Fn::Sub`, []);
          else {
            const [text, map = {}] = value as [string, Record<string, unknown>?];
            visit(text, `${where}.Fn::Sub`, Object.keys(map));
            visit(map, `${where}.Fn::Sub[1]`);
          }
        }
      }
    };

    visit(template, 'template');

    expect(unresolved).toEqual([]);
  });
});

describe.each(FUNCTIONS)('the $name function', (fn) => {
  const properties = () => resource(fn.id).Properties;

  it('runs on Node.js 22 or newer, on arm64', () => {
    const { Runtime, Architectures } = properties();
    expect(Runtime).toMatch(/^nodejs\d+\.x$/);
    expect(Number(/\d+/.exec(String(Runtime))?.[0])).toBeGreaterThanOrEqual(22);
    expect(Architectures).toEqual(['arm64']);
  });

  const memorySize = 'memorySize' in fn ? fn.memorySize : 256;
  it(`points at ${fn.handler} with ${memorySize} MB and a ${fn.timeout} s timeout`, () => {
    expect(properties()).toMatchObject({
      Handler: fn.handler,
      MemorySize: memorySize,
      Timeout: fn.timeout,
    });
  });

  it('gets the settings its handler reads, with the documented defaults', () => {
    expect(functionEnvironment(fn.id)).toEqual(fn.environment);
  });

  it(`runs as its own role, ${fn.role}, which no other function shares`, () => {
    expect(properties().Role).toEqual({ 'Fn::Sub': `\${${fn.role}.Arn}` });
    expect(resource(fn.role).Type).toBe('AWS::IAM::Role');
    const sharing = resourcesOfType('AWS::Lambda::Function').filter(
      ([id, other]) =>
        id !== fn.id && JSON.stringify(other.Properties.Role).includes(`"${fn.role}"`),
    );
    expect(sharing.map(([id]) => id)).toEqual([]);
  });

  it('logs to its own log group, kept for a limited time', () => {
    expect(logGroupName(fn.logGroup)).toBe(`/aws/lambda/${properties().FunctionName}`);
    expect(resource(fn.logGroup).Properties.RetentionInDays).toBeGreaterThan(0);
    expect([resource(fn.id).DependsOn].flat()).toContain(fn.logGroup);
  });

  it('encrypts its logs with the stack key', () => {
    expect(resource(fn.logGroup).Properties.KmsKeyId).toEqual(KEY_ARN);
  });
});

describe('the functions’ shared settings', () => {
  it.each([CHECK_BUCKET_TAGS, TRACK_BUCKET_CHANGES])(
    'are the same tag keys, allowed accounts and policy file in %s as in validateFinding',
    (functionId) => {
      for (const name of SHARED_SETTINGS) {
        expect([name, functionEnvironment(functionId)[name]]).toEqual([
          name,
          functionEnvironment(VALIDATE_FINDING)[name],
        ]);
      }
    },
  );

  it('name the same ledger, waivers and reminder period in the functions that keep the ledger', () => {
    for (const name of [
      'LEDGER_TABLE',
      'WAIVERS_FILE',
      'REMINDER_AFTER_HOURS',
      'SECURITY_TOPIC_ARN',
    ]) {
      expect([name, functionEnvironment(TRACK_BUCKET_CHANGES)[name]]).toEqual([
        name,
        functionEnvironment(VALIDATE_FINDING)[name],
      ]);
    }
  });
});

describe('the Macie finding rule', () => {
  const rule = (): Resource => ruleForSource('aws.macie')[1];

  it('matches only Macie sensitive-data findings, on the default bus', () => {
    expect(rule().Properties.EventPattern).toEqual({
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { type: [{ prefix: 'SensitiveData:' }] },
    });
    expect(rule().Properties.EventBusName).toBeUndefined();
    expect(rule().Properties.State).toBe('ENABLED');
  });

  it('targets validateFinding only', () => {
    expect(onlyTarget(rule()).Arn).toEqual({ 'Fn::GetAtt': [VALIDATE_FINDING, 'Arn'] });
  });

  it('retries a failed delivery as long as EventBridge allows (185 attempts, 24 h)', () => {
    expect(onlyTarget(rule()).RetryPolicy).toEqual({
      MaximumRetryAttempts: 185,
      MaximumEventAgeInSeconds: 86_400,
    });
  });

  it('sends what it could not deliver to the dead-letter queue', () => {
    expect(onlyTarget(rule()).DeadLetterConfig).toEqual({ Arn: QUEUE_ARN });
  });

  it('is the one thing EventBridge may invoke validateFinding for', () => {
    const [, permission] = onlyOne(
      resourcesOfType('AWS::Lambda::Permission').filter(
        ([, p]) =>
          p.Properties.Principal === 'events.amazonaws.com' &&
          JSON.stringify(p.Properties.FunctionName).includes(`"${VALIDATE_FINDING}"`),
      ),
    );
    expect(permission.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [VALIDATE_FINDING, 'Arn'] },
    });
    expect(JSON.stringify(permission.Properties.SourceArn)).toContain(
      `"${String(rule().Properties.Name)}"`,
    );
  });
});

describe('a failed invocation (the handler throws)', () => {
  // EventBridge invokes Lambda asynchronously, so its retry policy and dead-letter queue
  // cover delivery only; once Lambda has the event, Lambda retries and sends it on.
  it('is retried by Lambda, then goes to the dead-letter queue', () => {
    const [, config] = onlyOne(
      resourcesOfType('AWS::Lambda::EventInvokeConfig').filter(
        ([, c]) => JSON.stringify(c.Properties.FunctionName) === `{"Ref":"${VALIDATE_FINDING}"}`,
      ),
    );
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: expect.any(Number),
      DestinationConfig: { OnFailure: { Destination: QUEUE_ARN } },
    });
  });

  it('may be sent to the dead-letter queue by validateFinding’s role, and nowhere else in SQS', () => {
    const sqs = statementsWithAction('ValidateFindingRole', (a) => a.startsWith('sqs:'));
    expect(sqs.map((s) => [s.Effect, actionsOf(s), resourcesOf(s)])).toEqual([
      ['Allow', ['sqs:SendMessage'], [QUEUE_ARN]],
    ]);
  });

  it('cannot be sent anywhere in SQS by checkBucketTags’ role', () => {
    expect(statementsWithAction('CheckBucketTagsRole', (a) => a.startsWith('sqs:'))).toEqual([]);
  });
});

describe('the dead-letter queue', () => {
  const queue = (): Resource => resource(QUEUE);
  const policy = (): Resource => onlyOne(resourcesOfType('AWS::SQS::QueuePolicy'))[1];

  it('is encrypted with SQS-managed keys (which EventBridge can send to)', () => {
    expect(queue().Type).toBe('AWS::SQS::Queue');
    expect(queue().Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('keeps events for 14 days, the SQS maximum', () => {
    expect(queue().Properties.MessageRetentionPeriod).toBe(1_209_600);
  });

  it('accepts messages from EventBridge for this stack’s rules only', () => {
    const ruleNames = resourcesOfType('AWS::Events::Rule')
      .filter(([, rule]) => rule.Properties.EventPattern !== undefined)
      .map(([, rule]) => String(rule.Properties.Name));
    expect(policy().Properties.Queues).toEqual([{ Ref: QUEUE }]);

    const allows = statementsOf(policy().Properties.PolicyDocument).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows.map(withoutSid)).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: QUEUE_ARN,
        Condition: {
          ArnEquals: {
            'aws:SourceArn': ruleNames.map((ruleName) => ({
              'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${ruleName}`,
            })),
          },
        },
      },
    ]);
  });

  it('refuses every request made without TLS', () => {
    const denies = statementsOf(policy().Properties.PolicyDocument).filter(
      (s) => s.Effect === 'Deny',
    );
    const withoutTls = denies.filter(
      (s) => String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false',
    );
    expect(withoutTls.map((s) => [s.Principal, actionsOf(s), resourcesOf(s)])).toEqual([
      ['*', ['sqs:*'], [QUEUE_ARN]],
    ]);
  });
});

describe('the central security topic', () => {
  const topicPolicy = (): Resource =>
    onlyOne(
      resourcesOfType('AWS::SNS::TopicPolicy').filter(([, p]) =>
        JSON.stringify(p.Properties.Topics).includes(`"${TOPIC}"`),
      ),
    )[1];

  it('is encrypted with the stack key', () => {
    expect(resource(TOPIC).Type).toBe('AWS::SNS::Topic');
    expect(resource(TOPIC).Properties.KmsMasterKeyId).toEqual({ Ref: KEY });
  });

  it('may be published to by CloudWatch alarms and EventBridge only', () => {
    expect(topicPolicy().Properties.Topics).toEqual([TOPIC_REF]);
    const allows = statementsOf(topicPolicy().Properties.PolicyDocument).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows.map((s) => Object.keys(s.Principal as object))).toEqual(
      allows.map(() => ['Service']),
    );
    expect([...new Set(allows.flatMap(principalServicesOf))].sort()).toEqual([
      'cloudwatch.amazonaws.com',
      'events.amazonaws.com',
    ]);
    expect(allows.flatMap(actionsOf)).toEqual(allows.map(() => 'sns:Publish'));
    expect(allows.flatMap(resourcesOf)).toEqual(allows.map(() => TOPIC_REF));
  });

  it('takes their messages only on behalf of this account (aws:SourceAccount)', () => {
    const allows = statementsOf(topicPolicy().Properties.PolicyDocument).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows.length).toBeGreaterThan(0);
    for (const statement of allows) {
      expect(statement.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': THIS_ACCOUNT } });
    }
  });
});

describe('the stack’s own deployment bucket', () => {
  const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:central-security';
  /** Tags as a map, with the central topic's ARN where the template refers to it. */
  function tagsOf(name: string): Record<string, string> {
    const tags = resource(name).Properties.Tags as { Key: string; Value: unknown }[];
    return Object.fromEntries(tags.map(({ Key, Value }) => [Key, tagValue(Value)]));
  }
  function tagValue(value: unknown): string {
    if (typeof value === 'string') return value;
    return JSON.stringify(value) === JSON.stringify(TOPIC_REF) ? TOPIC_ARN : JSON.stringify(value);
  }

  it('declares a classification, central security’s topic and team in its tags', () => {
    expect(tagsOf('ServerlessDeploymentBucket')).toEqual({
      DataClassification: 'Internal',
      SupportSNSTopic: TOPIC_ARN,
      Team: 'central-security',
    });
  });

  it('passes its own tag rule once central security’s topic has a confirmed subscription', () => {
    const judgement = judgeBucketTags(
      tagsOf('ServerlessDeploymentBucket'),
      '111122223333',
      loadPolicy(),
      {
        keys: { classification: 'DataClassification', topic: 'SupportSNSTopic', team: 'Team' },
        allowedTopicAccounts: [],
        requireTeam: true,
      },
      { kind: 'deliverable' },
      judgeTopicOptIn(
        { kind: 'read', tags: tagsOf(TOPIC) },
        { key: 'AcceptsClassificationAlerts', value: 'true' },
      ),
    );

    expect(judgement).toEqual(expect.objectContaining({ compliance: 'COMPLIANT', problems: [] }));
  });
});

describe('the stack key', () => {
  const keyPolicy = (): Statement[] => statementsOf(resource(KEY).Properties.KeyPolicy);

  it('is a customer-managed KMS key with rotation enabled', () => {
    expect(resource(KEY).Type).toBe('AWS::KMS::Key');
    expect(resource(KEY).Properties.EnableKeyRotation).toBe(true);
  });

  it('is administered by this account only', () => {
    const accounts = keyPolicy().filter(
      (s) => s.Effect === 'Allow' && !principalServicesOf(s).length,
    );
    expect(accounts.map((s) => s.Principal)).toEqual([
      { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
    ]);
  });

  it('lets CloudWatch alarms and EventBridge encrypt for the topic, from this account only', () => {
    const forPublishers = keyPolicy().filter((s) =>
      principalServicesOf(s).some((p) => /^(cloudwatch|events)\.amazonaws\.com$/.test(p)),
    );
    expect(forPublishers.map(withoutSid)).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': THIS_ACCOUNT } },
      },
    ]);
  });

  it('lets CloudWatch Logs use it for this stack’s log groups only', () => {
    const forLogs = keyPolicy().filter((s) =>
      JSON.stringify(s.Principal).includes('logs.${AWS::Region}.amazonaws.com'),
    );
    expect(forLogs).toHaveLength(1);
    const context = forLogs[0]?.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'] as
      | { 'Fn::Sub': string }
      | undefined;
    const pattern = context?.['Fn::Sub'] ?? '';

    for (const { logGroup } of FUNCTIONS)
      expect(globMatches(pattern, logGroupArn(logGroupName(logGroup)))).toBe(true);
    expect(globMatches(pattern, logGroupArn('/aws/lambda/another-service-dev-fn'))).toBe(false);
  });
});

describe('IAM permissions', () => {
  it('never grant a wildcard action (`*` or `service:*`), in any branch of any role or policy', () => {
    const wildcards = iamStatements()
      .flatMap(actionsOf)
      .filter((action) => action === '*' || action.endsWith(':*'));
    expect(wildcards).toEqual([]);
  });

  it('name Resource "*" only for actions that have no resource-level permissions', () => {
    const anywhere = iamStatements()
      .filter((s) => s.Effect === 'Allow' && resourcesOf(s).includes('*'))
      .flatMap(actionsOf);
    expect(anywhere.filter((action) => !ACTIONS_WITHOUT_RESOURCES.has(action))).toEqual([]);
  });

  it('give each function its own role (no shared framework role)', () => {
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    expect(
      new Set(FUNCTIONS.map((fn) => JSON.stringify(resource(fn.id).Properties.Role))).size,
    ).toBe(FUNCTIONS.length);
  });
});

describe.each(FUNCTIONS)('the $name role', (fn) => {
  it('may be assumed by Lambda only', () => {
    expect(
      statementsOf(resource(fn.role).Properties.AssumeRolePolicyDocument).map(withoutSid),
    ).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
  });

  it('has no managed policies (whose permissions these tests would not see)', () => {
    expect(resource(fn.role).Properties.ManagedPolicyArns).toBeUndefined();
  });

  it(`grants only what ${fn.name} uses`, () => {
    expect(roleActions(fn.role)).toEqual(fn.actions);
  });

  it('writes its own log group only', () => {
    const logs = statementsWithAction(fn.role, (a) => a.startsWith('logs:'));
    expect(logs.length).toBeGreaterThan(0);
    for (const statement of logs) {
      expect(resourcesOf(statement)).toEqual([
        { 'Fn::Sub': `${logGroupArn(logGroupName(fn.logGroup))}:*` },
      ]);
    }
  });
});

describe.each(['ValidateFindingRole', 'TrackBucketChangesRole', 'SummarizeLedgerRole'])(
  'publishing from %s',
  (role) => {
    const isCentral = (statement: Statement) =>
      JSON.stringify(resourcesOf(statement)) === JSON.stringify([TOPIC_REF]);
    const publishing = () => statementsWithAction(role, (a) => a === 'sns:Publish');

    it('may always publish to the central security topic (the stack’s own), with no condition', () => {
      expect(publishing().filter(isCentral).map(withoutSid)).toEqual([
        { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_REF },
      ]);
    });

    it('publishes to any other topic only while it carries AcceptsClassificationAlerts=true', () => {
      const teams = publishing().filter((statement) => !isCentral(statement));
      // Allowed accounts, the organisation, this account: one applies.
      expect(teams).toHaveLength(3);
      for (const statement of teams) {
        expect(statement.Condition?.StringEquals).toEqual(expect.objectContaining(OPTED_IN));
      }
    });
  },
);

describe('what validateFinding may do', () => {
  const ROLE = 'ValidateFindingRole';

  /** The one Fn::If that chooses validateFinding's sns:Publish statement. */
  const publishChoice = (): FnIf['Fn::If'] => {
    const choices = roleDocuments(ROLE)
      .flatMap((document) => document.Statement)
      .filter(isFnIf)
      .filter((choice) => JSON.stringify(choice).includes('"sns:Publish"'));
    expect(choices).toHaveLength(1);
    return (choices[0] as FnIf)['Fn::If'];
  };

  it('publishes alerts under the HasAllowedTopicAccounts condition, off unless ALLOWED_TOPIC_ACCOUNTS is set', () => {
    const [condition] = publishChoice();
    expect(condition).toBe('HasAllowedTopicAccounts');
    expect(template.Conditions?.HasAllowedTopicAccounts).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [functionEnvironment().ALLOWED_TOPIC_ACCOUNTS, ''] }],
    });
    expect(template.Parameters?.AllowedTopicAccounts).toMatchObject({
      Type: 'String',
      Default: '',
      AllowedPattern: '^(\\d{12}(,\\d{12})*)?$',
    });
    expect(conditionHolds({ Condition: 'HasAllowedTopicAccounts' })).toBe(false);
  });

  it('publishes to opted-in topics of the organisation, in an organisation with no account list', () => {
    const [, , whenNoneAllowed] = publishChoice();
    const [condition, inOrganization] = (whenNoneAllowed as FnIf)['Fn::If'];
    expect(condition).toBe('InOrganization');
    expect(withoutSid(inOrganization as Statement)).toEqual({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: ALL_TOPICS,
      Condition: {
        StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' }, ...OPTED_IN },
      },
    });
  });

  it('publishes to opted-in topics of this account only, when no other account is allowed', () => {
    const [, , whenNoneAllowed] = publishChoice();
    const [, , alone] = (whenNoneAllowed as FnIf)['Fn::If'];
    expect(withoutSid(alone as Statement)).toEqual({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: THIS_ACCOUNTS_TOPICS,
      Condition: { StringEquals: OPTED_IN },
    });
  });

  it('publishes to opted-in topics of this account and the allowed ones only, when some are allowed', () => {
    const [, whenAllowed] = publishChoice();
    expect(withoutSid(whenAllowed as Statement)).toEqual({
      Effect: 'Allow',
      Action: 'sns:Publish',
      Resource: ALL_TOPICS,
      Condition: {
        StringEquals: { 'aws:ResourceAccount': THIS_AND_ALLOWED_ACCOUNTS, ...OPTED_IN },
      },
    });
  });

  it('reads the tags of the topics it may publish to, and no others', () => {
    const reads = roleDocuments(ROLE)
      .flatMap((document) => document.Statement)
      .filter(isFnIf)
      .filter((choice) => JSON.stringify(choice).includes('"sns:ListTagsForResource"'));
    expect(reads).toHaveLength(1);
    const [condition, whenAllowed, whenNoneAllowed] = (reads[0] as FnIf)['Fn::If'];
    expect(condition).toBe('HasAllowedTopicAccounts');
    expect(withoutSid(whenAllowed as Statement)).toEqual({
      Effect: 'Allow',
      Action: 'sns:ListTagsForResource',
      Resource: ALL_TOPICS,
      Condition: { StringEquals: { 'aws:ResourceAccount': THIS_AND_ALLOWED_ACCOUNTS } },
    });
    expect(withoutSid(whenNoneAllowed as Statement)).toEqual({
      Effect: 'Allow',
      Action: 'sns:ListTagsForResource',
      Resource: THIS_ACCOUNTS_TOPICS,
    });
  });

  it('never publishes to Resource "*"', () => {
    const publish = statementsWithAction(ROLE, (a) => a === 'sns:Publish');
    expect(publish.length).toBeGreaterThan(0);
    for (const statement of publish) expect(resourcesOf(statement)).not.toContain('*');
  });

  it('uses KMS with the stack key only, for the central topic and the ledger', () => {
    const kms = statementsWithAction(ROLE, (a) => a.startsWith('kms:'));
    expect(kms.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
      [['kms:Decrypt', 'kms:GenerateDataKey*'], [KEY_ARN]],
    ]);
  });

  it('puts metrics only in the namespace it writes to (METRICS_NAMESPACE)', () => {
    const metrics = statementsWithAction(ROLE, (a) => a === 'cloudwatch:PutMetricData');
    expect(metrics).toHaveLength(1);
    expect(metrics[0]?.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': functionEnvironment().METRICS_NAMESPACE },
    });
  });

  it('reads bucket tags', () => {
    const tagging = statementsWithAction(ROLE, (a) => a === 's3:GetBucketTagging');
    expect(tagging.flatMap(resourcesOf)).toEqual([ALL_BUCKETS]);
  });

  it('has no AWS Config permission', () => {
    expect(roleActions(ROLE).filter((a) => a.startsWith('config:'))).toEqual([]);
  });

  it('reads and writes the ledger table only, and never deletes or scans it', () => {
    const ledger = statementsWithAction(ROLE, (a) => a.startsWith('dynamodb:'));
    expect(ledger.map((s) => [actionsOf(s), resourcesOf(s)])).toEqual([
      [
        ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }],
      ],
    ]);
  });
});

describe('the ledger table', () => {
  const table = (): Resource => resource('LedgerTable');

  it('is on demand, recoverable to a point in time, and kept when the stack goes', () => {
    expect(table().Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table().Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(table().DeletionPolicy).toBe('Retain');
  });

  it('expires finding markers by TTL on expiresAt', () => {
    expect(table().Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
  });

  it('is encrypted with the stack key', () => {
    expect(table().Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: KEY_ARN,
    });
  });
});

describe('what checkBucketTags may do', () => {
  const ROLE = 'CheckBucketTagsRole';

  it('reports evaluations to AWS Config and reads configuration history', () => {
    expect(roleActions(ROLE)).toEqual(
      expect.arrayContaining(['config:PutEvaluations', 'config:GetResourceConfigHistory']),
    );
  });

  it('lists the account’s buckets', () => {
    expect(roleActions(ROLE)).toContain('s3:ListAllMyBuckets');
  });

  it('reads bucket tags', () => {
    const tagging = statementsWithAction(ROLE, (a) => a === 's3:GetBucketTagging');
    expect(tagging.flatMap(resourcesOf)).toEqual([ALL_BUCKETS]);
  });

  it('looks up topics of this account only', () => {
    const lookups = statementsWithAction(ROLE, (a) => a === 'sns:GetTopicAttributes');
    expect(lookups.flatMap(resourcesOf)).toEqual([THIS_ACCOUNTS_TOPICS]);
  });

  it('reads the tags (the opt-in tag) of topics of this account only', () => {
    const reads = statementsWithAction(ROLE, (a) => a === 'sns:ListTagsForResource');
    expect(reads.flatMap(resourcesOf)).toEqual([THIS_ACCOUNTS_TOPICS]);
  });

  it('lists the subscriptions of topics of this account only', () => {
    const lookups = statementsWithAction(ROLE, (a) => a === 'sns:ListSubscriptionsByTopic');
    expect(lookups.flatMap(resourcesOf)).toEqual([THIS_ACCOUNTS_TOPICS]);
  });

  it('reads the results of Config rules of its own account and region only', () => {
    const reads = statementsWithAction(
      ROLE,
      (a) => a === 'config:GetComplianceDetailsByConfigRule',
    );
    expect(reads.flatMap(resourcesOf)).toEqual([
      {
        'Fn::Sub': 'arn:${AWS::Partition}:config:${AWS::Region}:${AWS::AccountId}:config-rule/*',
      },
    ]);
  });

  it('cannot publish alerts', () => {
    expect(roleActions(ROLE)).not.toContain('sns:Publish');
  });

  it('invokes only itself, to continue a long periodic run', () => {
    const invokes = statementsWithAction(ROLE, (a) => a.startsWith('lambda:'));
    expect(invokes.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect(invokes.flatMap(resourcesOf)).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:bucket-classification-validator-dev-checkBucketTags',
      },
    ]);
  });

  it('may run in a chain of its own invocations, which it bounds itself', () => {
    expect(resource(CHECK_BUCKET_TAGS).Properties.RecursiveLoop).toBe('Allow');
  });

  it('is the function its role may invoke', () => {
    expect(resource(CHECK_BUCKET_TAGS).Properties.FunctionName).toBe(
      'bucket-classification-validator-dev-checkBucketTags',
    );
  });
});

describe('the checkBucketTags Config rule', () => {
  const rule = (): Resource & { DependsOn?: unknown } =>
    onlyOne(resourcesOfType('AWS::Config::ConfigRule'))[1];

  it('is a custom Lambda rule on S3 buckets backed by checkBucketTags', () => {
    expect(rule().Properties).toMatchObject({
      Scope: { ComplianceResourceTypes: ['AWS::S3::Bucket'] },
      Source: {
        Owner: 'CUSTOM_LAMBDA',
        SourceIdentifier: { 'Fn::GetAtt': [CHECK_BUCKET_TAGS, 'Arn'] },
      },
    });
    expect(resource(CHECK_BUCKET_TAGS).Properties.Handler).toBe(
      'handlers/check-bucket-tags.handler',
    );
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
    // The other permission, for every member account, exists only with the organisation rule.
    const [id, permission] = onlyOne(
      resourcesOfType('AWS::Lambda::Permission').filter(
        ([, p]) =>
          p.Properties.Principal === 'config.amazonaws.com' && p.Condition !== 'OrganizationRule',
      ),
    );

    expect(permission.Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': [CHECK_BUCKET_TAGS, 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
      SourceAccount: THIS_ACCOUNT,
    });
    expect([rule().DependsOn].flat()).toEqual([id]);
  });

  it('passes the requireTeamTag and exemptBuckets parameters, off by default', () => {
    expect(rule().Properties.InputParameters).toEqual({
      requireTeamTag: 'false',
      exemptBuckets: '',
    });
  });
});

describe('the bucket-change rules', () => {
  const rules = (): Array<[string, Resource]> =>
    resourcesOfType('AWS::Events::Rule').filter(([, rule]) =>
      [(rule.Properties.EventPattern as { source?: unknown })?.source]
        .flat()
        .includes('aws.config'),
    );
  const withDetailType = (type: string) =>
    rules()
      .map(([, rule]) => rule)
      .filter((rule) =>
        JSON.stringify(
          (rule.Properties.EventPattern as Record<string, unknown>)['detail-type'],
        ).includes(type),
      );

  it('match bucket configuration changes, whole or oversized, and nothing else', () => {
    expect(
      withDetailType('Config Configuration Item Change').map((r) => r.Properties.EventPattern),
    ).toEqual([
      {
        source: ['aws.config'],
        'detail-type': ['Config Configuration Item Change'],
        detail: {
          messageType: ['ConfigurationItemChangeNotification'],
          configurationItem: { resourceType: ['AWS::S3::Bucket'] },
        },
      },
      {
        source: ['aws.config'],
        'detail-type': ['Config Configuration Item Change'],
        detail: {
          messageType: ['OversizedConfigurationItemChangeNotification'],
          configurationItemSummary: { resourceType: ['AWS::S3::Bucket'] },
        },
      },
    ]);
  });

  it('match the tag rule’s changes to COMPLIANT or NON_COMPLIANT under this stack’s rule only', () => {
    expect(
      withDetailType('Config Rules Compliance Change').map((r) => r.Properties.EventPattern),
    ).toEqual([
      {
        source: ['aws.config'],
        'detail-type': ['Config Rules Compliance Change'],
        detail: {
          configRuleName: [resource(CONFIG_RULE).Properties.ConfigRuleName],
          newEvaluationResult: { complianceType: ['COMPLIANT', 'NON_COMPLIANT'] },
        },
      },
    ]);
  });

  it('each target trackBucketChanges, with retries and the dead-letter queue', () => {
    expect(rules()).toHaveLength(3);
    for (const [, rule] of rules()) {
      expect(onlyTarget(rule)).toMatchObject({
        Arn: { 'Fn::GetAtt': [TRACK_BUCKET_CHANGES, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
        DeadLetterConfig: { Arn: QUEUE_ARN },
      });
    }
  });

  it('leave the central topic to the function, so central security hears each change once', () => {
    const toTopic = resourcesOfType('AWS::Events::Rule').filter(([, rule]) =>
      JSON.stringify(rule.Properties.Targets).includes(`"${TOPIC}"`),
    );
    expect(toTopic).toEqual([]);
  });
});

describe('the alarms', () => {
  it.each([
    {
      alarm: 'FindingEventsDeadLetterAlarm',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [QUEUE, 'QueueName'] } }],
    },
    {
      alarm: 'ValidateFindingErrorsAlarm',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: VALIDATE_FINDING } }],
    },
    {
      alarm: 'CheckBucketTagsErrorsAlarm',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: CHECK_BUCKET_TAGS } }],
    },
    {
      alarm: 'TrackBucketChangesErrorsAlarm',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: TRACK_BUCKET_CHANGES } }],
    },
    {
      alarm: 'SummarizeLedgerErrorsAlarm',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: SUMMARIZE_LEDGER } }],
    },
  ])(
    '$alarm fires on $Namespace $MetricName >= 1 and notifies the central topic',
    ({ alarm, ...metric }) => {
      expect(resource(alarm).Type).toBe('AWS::CloudWatch::Alarm');
      expect(resource(alarm).Properties).toMatchObject({
        ...metric,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [TOPIC_REF],
      });
    },
  );

  it('all notify the central topic', () => {
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(3);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toContainEqual(TOPIC_REF);
  });
});

describe('the ledger schedules', () => {
  const schedules = (): Resource[] =>
    resourcesOfType('AWS::Events::Rule')
      .map(([, rule]) => rule)
      .filter((rule) => rule.Properties.ScheduleExpression !== undefined);

  it('run summarizeLedger daily for digests and hourly for bucket metrics, with a constant job', () => {
    expect(
      schedules().map((rule) => [
        rule.Properties.ScheduleExpression,
        onlyTarget(rule).Input,
        (onlyTarget(rule).Arn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
      ]),
    ).toEqual([
      ['cron(0 8 * * ? *)', '{"job":"digest"}', SUMMARIZE_LEDGER],
      ['rate(1 hour)', '{"job":"metrics"}', SUMMARIZE_LEDGER],
    ]);
  });

  it('never retry a failed run (digests would go out twice) and keep it in the dead-letter queue', () => {
    const [, config] = onlyOne(
      resourcesOfType('AWS::Lambda::EventInvokeConfig').filter(
        ([, c]) => JSON.stringify(c.Properties.FunctionName) === `{"Ref":"${SUMMARIZE_LEDGER}"}`,
      ),
    );
    expect(config.Properties).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: QUEUE_ARN } },
    });
  });

  it('let summarizeLedger scan the ledger, which no other function may', () => {
    const scanners = FUNCTIONS.filter((fn) => roleActions(fn.role).includes('dynamodb:Scan'));
    expect(scanners.map((fn) => fn.name)).toEqual(['summarizeLedger']);
  });
});

describe('counts CloudWatch refused', () => {
  it('are counted from validateFinding’s log as MetricsNotRecorded in the stack’s namespace', () => {
    expect(resource('MetricsNotRecordedFilter').Properties).toEqual({
      LogGroupName: { Ref: 'ValidateFindingLogGroup' },
      FilterPattern: '{ $.metricsNotRecorded > 0 }',
      MetricTransformations: [
        {
          MetricNamespace: functionEnvironment().METRICS_NAMESPACE,
          MetricName: 'MetricsNotRecorded',
          MetricValue: '$.metricsNotRecorded',
          Unit: 'Count',
        },
      ],
    });
  });
});

describe('the dashboard', () => {
  it('is a CloudWatch dashboard whose body CloudFormation fills in (Fn::Sub)', () => {
    const dashboard = resource('ClassificationDashboard');
    expect(dashboard.Type).toBe('AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties.DashboardBody).toEqual({ 'Fn::Sub': expect.any(String) });
  });

  it('has a body that is valid JSON with widgets, once its placeholders are filled in', () => {
    expect(() => dashboardBody()).not.toThrow();
    expect(dashboardBody().widgets.length).toBeGreaterThan(0);
  });

  it('charts classification violations by team', () => {
    expect(dashboardQueries()).toContainEqual(
      expect.objectContaining({ metric: 'ClassificationViolations', groupBy: ['Team'] }),
    );
  });

  it('charts classification violations by severity', () => {
    expect(dashboardQueries()).toContainEqual(
      expect.objectContaining({ metric: 'ClassificationViolations', groupBy: ['Severity'] }),
    );
  });

  it('charts alerts that could not reach the team, by reason', () => {
    expect(dashboardQueries()).toContainEqual(
      expect.objectContaining({ metric: 'UnroutableAlerts', groupBy: ['Reason'] }),
    );
  });

  it('queries the namespace and dimensions the functions publish with', () => {
    const published: Record<string, string[]> = {
      ClassificationViolations: ['Severity', 'Team'],
      UnroutableAlerts: ['Reason'],
      BucketsInViolation: ['Severity', 'Team'],
      UnclassifiedBuckets: ['Team'],
    };
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(0);
    for (const { metric, namespace, dimensions } of queries) {
      expect({ metric, namespace, dimensions }).toEqual({
        metric,
        namespace: functionEnvironment().METRICS_NAMESPACE,
        dimensions: published[metric],
      });
    }
  });

  it('charts the depth of the dead-letter queue', () => {
    expect(dashboardMetricLines()).toContainEqual(
      expect.arrayContaining([
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        `{{${QUEUE}.QueueName}}`,
      ]),
    );
  });

  it('charts buckets in violation and unclassified buckets over 90 days, from the ledger metrics', () => {
    const body = JSON.stringify(dashboardBody());
    expect(body).toContain('MetricName=\\"BucketsInViolation\\"');
    expect(body).toContain('MetricName=\\"UnclassifiedBuckets\\"');
    const trends = dashboardBody().widgets.filter(
      (widget) => (widget.properties as { start?: string }).start === '-P90D',
    );
    expect(trends).toHaveLength(2);
  });

  it('charts the errors of every function', () => {
    for (const { id } of FUNCTIONS) {
      expect(dashboardMetricLines()).toContainEqual(
        expect.arrayContaining(['AWS/Lambda', 'Errors', 'FunctionName', `{{${id}}}`]),
      );
    }
  });
});

describe('optional resources', () => {
  it('subscribe an e-mail address to the central topic only under HasSecurityEmail', () => {
    expect(resource('SecurityAlertsEmail')).toMatchObject({
      Type: 'AWS::SNS::Subscription',
      Condition: 'HasSecurityEmail',
      Properties: { TopicArn: TOPIC_REF, Protocol: 'email' },
    });
  });

  it('enable Amazon Macie only under EnableMacie', () => {
    expect(resource('MacieSession')).toMatchObject({
      Type: 'AWS::Macie::Session',
      Condition: 'EnableMacie',
    });
  });

  it('are both left out with the default parameters', () => {
    expect(template.Conditions?.HasSecurityEmail).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'SecurityEmail' }, ''] }],
    });
    expect(template.Conditions?.EnableMacie).toEqual({
      'Fn::Equals': [{ Ref: 'EnableMacie' }, 'true'],
    });
    expect(template.Parameters?.SecurityEmail).toMatchObject({ Type: 'String', Default: '' });
    expect(template.Parameters?.EnableMacie).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(conditionHolds({ Condition: 'HasSecurityEmail' })).toBe(false);
    expect(conditionHolds({ Condition: 'EnableMacie' })).toBe(false);
  });
});

describe('checkov skips', () => {
  it('each give the reason the check does not apply', () => {
    const skips = Object.entries(template.Resources).flatMap(([id, r]) =>
      (r.Metadata?.checkov?.skip ?? []).map((skip) => ({ resource: id, ...(skip as object) })),
    );
    expect(skips.length).toBeGreaterThan(0);
    const unexplained = skips.filter(
      (skip) =>
        !/^CKV2?_AWS_\d+$/.test(String((skip as { id?: unknown }).id)) ||
        String((skip as { comment?: unknown }).comment ?? '').trim() === '',
    );
    expect(unexplained).toEqual([]);
  });
});

describe('the stack outputs', () => {
  it('point at the central topic, the dead-letter queue and the dashboard', () => {
    expect(template.Outputs).toMatchObject({
      SecurityAlertsTopicArn: { Value: TOPIC_REF },
      FindingEventsDeadLetterQueueUrl: { Value: { Ref: QUEUE } },
      DashboardUrl: { Value: { 'Fn::Sub': expect.stringContaining('${ClassificationDashboard}') } },
    });
  });
});

describe('the function zip', () => {
  const names = (): string[] => zipEntries.map((entry) => entry.name);

  it('holds the bundled handler alone: the policy and waivers are packed into it', () => {
    expect(names()).toEqual([handlerModule()]);
  });

  it('holds no dependencies, sources or tests (everything is bundled)', () => {
    expect(
      names().filter(
        (name) => /(^|\/)(node_modules|test|\.venv)\//.test(name) || name.endsWith('.ts'),
      ),
    ).toEqual([]);
  });

  /** What `handler` is once the function's zip, unpacked in `dir`, loads with the deployed settings and `env`. */
  function handlerTypeAtColdStart(dir: string, env: Record<string, string>): string {
    const taskRoot = path.join(stack.work.path, dir);
    stack.extract('validateFinding', taskRoot);
    const settings = Object.fromEntries(
      Object.entries(functionEnvironment()).map(([name, value]) => [
        name,
        String(parameterDefault(value)),
      ]),
    );
    const output = runNode(
      ['-e', `console.log(typeof require('./${handlerModule()}').handler)`],
      taskRoot,
      {
        PATH: process.env.PATH,
        ...settings,
        SECURITY_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:central',
        // The pseudo parameter AWS::AccountId, as CloudFormation resolves it.
        CENTRAL_ACCOUNT_ID: '111122223333',
        AWS_REGION: 'us-east-1',
        ...env,
      },
    );
    return output.trim();
  }

  it('loads at cold start from the task root with the deployed settings', () => {
    expect(handlerTypeAtColdStart('task', {})).toBe('function');
  });

  it('refuses at cold start a policy file packaging did not check, naming it', () => {
    expect(() =>
      handlerTypeAtColdStart('task-unpacked', { POLICY_FILE: 'policies/team-policy.yaml' }),
    ).toThrow(
      'POLICY_FILE is "policies/team-policy.yaml", which was not checked and packed with this function (packed: policies/default-policy.yaml)',
    );
  });
});

describe('an organisation deployment', () => {
  const ROLES = FUNCTIONS.map((fn) => fn.role);

  it('is off by default: no organisation, the member role by its default name, no organisation rule', () => {
    expect(template.Parameters?.OrganizationId).toMatchObject({
      Type: 'String',
      Default: '',
      AllowedPattern: '^(o-[a-z0-9]{10,32})?$',
    });
    expect(template.Parameters?.MemberRoleName).toMatchObject({
      Type: 'String',
      Default: 'BucketClassificationMember',
    });
    expect(template.Parameters?.OrganizationConfigRule).toMatchObject({
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    expect(conditionHolds({ Condition: 'InOrganization' })).toBe(false);
    expect(conditionHolds({ Condition: 'OrganizationRule' })).toBe(false);
    expect(conditionHolds({ Condition: 'AccountRule' })).toBe(true);
  });

  it.each(ROLES)('puts %s under the path member accounts trust', (role) => {
    expect(resource(role).Properties.Path).toBe('/bucket-classification/');
  });

  it.each(ROLES)(
    'lets %s assume the member role, by its name, in the organisation’s accounts only, and only in an organisation',
    (role) => {
      const choices = roleDocuments(role)
        .flatMap((document) => document.Statement)
        .filter(isFnIf)
        .filter((choice) => JSON.stringify(choice).includes('"sts:AssumeRole"'));
      expect(choices).toHaveLength(1);
      const [condition, inOrganization, otherwise] = (choices[0] as FnIf)['Fn::If'];
      expect(condition).toBe('InOrganization');
      expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
      expect(withoutSid(inOrganization as Statement)).toEqual({
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/${MemberRoleName}' },
        Condition: { StringEquals: { 'aws:ResourceOrgID': { Ref: 'OrganizationId' } } },
      });
    },
  );

  it('keeps the account rule unless the organisation rule is asked for, and never both', () => {
    expect(resource(CONFIG_RULE).Condition).toBe('AccountRule');
    expect(template.Conditions?.AccountRule).toEqual({
      'Fn::Not': [{ Condition: 'OrganizationRule' }],
    });
    expect(template.Conditions?.OrganizationRule).toEqual({
      'Fn::And': [
        { Condition: 'InOrganization' },
        { 'Fn::Equals': [{ Ref: 'OrganizationConfigRule' }, 'true'] },
      ],
    });
  });

  it('deploys the tag rule to every member account, pointing at the function, on the same triggers', () => {
    const [, rule] = onlyOne(resourcesOfType('AWS::Config::OrganizationConfigRule'));
    expect(rule.Condition).toBe('OrganizationRule');
    expect(rule.Properties).toEqual({
      OrganizationConfigRuleName: 'bucket-classification-validator-dev-bucket-tags',
      OrganizationCustomRuleMetadata: {
        Description: expect.stringContaining('DataClassification'),
        LambdaFunctionArn: { 'Fn::GetAtt': [CHECK_BUCKET_TAGS, 'Arn'] },
        OrganizationConfigRuleTriggerTypes: [
          'ConfigurationItemChangeNotification',
          'OversizedConfigurationItemChangeNotification',
          'ScheduledNotification',
        ],
        MaximumExecutionFrequency: 'TwentyFour_Hours',
        ResourceTypesScope: ['AWS::S3::Bucket'],
        InputParameters: '{"requireTeamTag":"false","exemptBuckets":""}',
      },
    });
    const permission = resource('CheckBucketTagsOrganizationConfigPermission');
    expect(permission.Condition).toBe('OrganizationRule');
    expect(permission.Properties).toEqual({
      FunctionName: { 'Fn::GetAtt': [CHECK_BUCKET_TAGS, 'Arn'] },
      Action: 'lambda:InvokeFunction',
      Principal: 'config.amazonaws.com',
    });
  });

  it('gives the central roles’ ARNs and their pattern as outputs', () => {
    expect(template.Outputs?.ValidateFindingRoleArn?.Value).toEqual({
      'Fn::GetAtt': ['ValidateFindingRole', 'Arn'],
    });
    expect(template.Outputs?.CheckBucketTagsRoleArn?.Value).toEqual({
      'Fn::GetAtt': ['CheckBucketTagsRole', 'Arn'],
    });
    expect(template.Outputs?.CentralRolePattern?.Value).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/bucket-classification/*',
    });
  });
});
