/**
 * The EventBridge patterns of the packaged stack, evaluated by moto's EventBridge:
 * each rule is created with the template's own pattern and an SQS target, sample
 * events are put on the bus, and the queue shows which ones the rule routes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { exampleFindingsPath, REPO_ROOT } from '../support/fixtures';
import { type PackagedStack, packageStack } from '../support/package-stack';
import { createQueue, drainQueue } from '../support/sqs-inbox';

interface Template {
  readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const RUN = Date.now().toString(36);
const events = new EventBridgeClient({});
const sqs = new SQSClient({});

let stack: PackagedStack;
let template: Template;

beforeAll(() => {
  stack = packageStack('it');
  template = stack.template<Template>();
}, 120_000);

afterAll(() => stack?.remove());

/** The template's pattern, live in moto as a rule with a queue target. */
async function ruleWithQueue(name: string, pattern: unknown): Promise<{ queueUrl: string }> {
  const queue = await createQueue(sqs, `${name}-${RUN}`);
  await events.send(
    new PutRuleCommand({ Name: `${name}-${RUN}`, EventPattern: JSON.stringify(pattern) }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `${name}-${RUN}`,
      Targets: [{ Id: 'queue', Arn: queue.arn }],
    }),
  );
  return { queueUrl: queue.url };
}

/** Puts events (EventBridge envelopes) on the default bus, tagged with a marker. */
async function putAll(envelopes: ReadonlyArray<Record<string, unknown>>): Promise<void> {
  for (const envelope of envelopes) {
    const { FailedEntryCount } = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: String(envelope.source),
            DetailType: String(envelope['detail-type']),
            Detail: JSON.stringify(envelope.detail),
          },
        ],
      }),
    );
    expect(FailedEntryCount ?? 0).toBe(0);
  }
}

/** Takes every event the rule delivered to a queue. */
async function delivered(queueUrl: string): Promise<Array<Record<string, unknown>>> {
  return drainQueue(sqs, queueUrl, (body) => JSON.parse(body) as Record<string, unknown>, {
    waitTimeSeconds: 1,
  });
}

function patternOf(predicate: (properties: Record<string, unknown>) => boolean): unknown {
  const rule = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === 'AWS::Events::Rule' &&
      resource.Properties.EventPattern !== undefined &&
      predicate(resource.Properties),
  );
  if (!rule) throw new Error('no such rule in the template');
  return rule.Properties.EventPattern;
}

/** Every EventBridge envelope among the project's Macie fixtures and examples. */
function macieEnvelopes(): Array<Record<string, unknown>> {
  const files = [
    ...readdirSync(path.join(REPO_ROOT, 'test/events/macie')).map((f) =>
      path.join(REPO_ROOT, 'test/events/macie', f),
    ),
    ...readdirSync(exampleFindingsPath()).map((f) => path.join(exampleFindingsPath(), f)),
  ].filter((file) => file.endsWith('.json'));
  return files
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>)
    .filter((value) => 'detail-type' in value)
    .map((envelope, i) => ({
      ...envelope,
      detail: { ...(envelope.detail as object), id: `${RUN}-${i}` },
    }));
}

describe('the Macie finding rule pattern', () => {
  it('routes sensitive-data findings, and nothing else, to validateFinding', async () => {
    const pattern = patternOf((p) => JSON.stringify(p.EventPattern).includes('aws.macie'));
    const { queueUrl } = await ruleWithQueue('findings', pattern);
    const envelopes = macieEnvelopes();
    const expected = envelopes
      .filter(
        (e) =>
          e.source === 'aws.macie' &&
          String((e.detail as { type?: string }).type).startsWith('SensitiveData:'),
      )
      .map((e) => (e.detail as { id: string }).id)
      .sort();

    await putAll(envelopes);

    const routed = (await delivered(queueUrl))
      .map((event) => (event.detail as { id: string }).id)
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(8);
    expect(envelopes.length).toBeGreaterThan(expected.length);
    expect(routed).toEqual(expected);
  });
});

describe('the tag-rule compliance-change pattern', () => {
  it("routes the stack's Config rule turning a bucket COMPLIANT or NON_COMPLIANT, and nothing else", async () => {
    const pattern = patternOf((p) => JSON.stringify(p.EventPattern).includes('Compliance Change'));
    const ruleName = String(
      Object.values(template.Resources).find((r) => r.Type === 'AWS::Config::ConfigRule')
        ?.Properties.ConfigRuleName,
    );
    const { queueUrl } = await ruleWithQueue('compliance', pattern);
    const change = (configRuleName: string, complianceType: string, resourceId: string) => ({
      source: 'aws.config',
      'detail-type': 'Config Rules Compliance Change',
      detail: {
        resourceId,
        awsRegion: 'us-east-1',
        awsAccountId: '123456789012',
        configRuleName,
        messageType: 'ComplianceChangeNotification',
        newEvaluationResult: { complianceType, annotation: 'SupportSNSTopic is missing.' },
        resourceType: 'AWS::S3::Bucket',
      },
    });

    await putAll([
      change(ruleName, 'NON_COMPLIANT', `turned-bad-${RUN}`),
      change(ruleName, 'COMPLIANT', `turned-good-${RUN}`),
      change(ruleName, 'NOT_APPLICABLE', `deleted-${RUN}`),
      change('some-other-rule', 'NON_COMPLIANT', `other-rule-${RUN}`),
    ]);

    const routed = (await delivered(queueUrl))
      .map((event) => (event.detail as { resourceId: string }).resourceId)
      .sort();
    expect(routed).toEqual([`turned-bad-${RUN}`, `turned-good-${RUN}`]);
  });
});

describe('the bucket-change patterns', () => {
  const item = (resourceType: string, resourceId: string) => ({
    source: 'aws.config',
    'detail-type': 'Config Configuration Item Change',
    detail: {
      messageType: 'ConfigurationItemChangeNotification',
      configurationItem: { resourceType, resourceId, tags: { DataClassification: 'Public' } },
    },
  });
  const oversized = (resourceType: string, resourceId: string) => ({
    source: 'aws.config',
    'detail-type': 'Config Configuration Item Change',
    detail: {
      messageType: 'OversizedConfigurationItemChangeNotification',
      configurationItemSummary: { resourceType, resourceId },
    },
  });
  const samples = () => [
    item('AWS::S3::Bucket', `bucket-${RUN}`),
    item('AWS::EC2::Instance', `instance-${RUN}`),
    oversized('AWS::S3::Bucket', `big-bucket-${RUN}`),
    oversized('AWS::EC2::SecurityGroup', `big-group-${RUN}`),
  ];
  const routedIds = async (queueUrl: string) =>
    (await delivered(queueUrl)).map((event) => {
      const detail = event.detail as {
        configurationItem?: { resourceId: string };
        configurationItemSummary?: { resourceId: string };
      };
      return (detail.configurationItem ?? detail.configurationItemSummary)?.resourceId;
    });

  it('route changes of buckets, and not of other resources', async () => {
    const pattern = patternOf((p) =>
      JSON.stringify(p.EventPattern).includes('"configurationItem"'),
    );
    const { queueUrl } = await ruleWithQueue('bucket-changes', pattern);

    await putAll(samples());

    expect(await routedIds(queueUrl)).toEqual([`bucket-${RUN}`]);
  });

  it('route oversized changes of buckets, and not of other resources', async () => {
    const pattern = patternOf((p) =>
      JSON.stringify(p.EventPattern).includes('configurationItemSummary'),
    );
    const { queueUrl } = await ruleWithQueue('oversized-bucket-changes', pattern);

    await putAll(samples());

    expect(await routedIds(queueUrl)).toEqual([`big-bucket-${RUN}`]);
  });
});
