#!/usr/bin/env node
/**
 * Deploy rehearsal: the real `serverless deploy` (osls) against moto server, a check of
 * what it created, then the real `serverless remove`. No AWS account is involved: the
 * endpoint must be a loopback address and the credentials are dummies.
 *
 *   npm run deploy:rehearse                      # starts and stops its own moto
 *   node scripts/deploy-rehearsal.js --endpoint http://127.0.0.1:5000 --stage rh1
 *
 * How osls reaches moto: osls 4.x talks to AWS only through AWS SDK v3 clients, all built
 * by `provider.getAwsSdkV3Config()` with no `endpoint` option, and SDK v3 resolves the
 * endpoint of every client from AWS_ENDPOINT_URL (after AWS_ENDPOINT_URL_<SERVICE>, which
 * is cleared here with every other AWS_* variable). No serverless.yml setting is needed.
 *
 * moto's CloudFormation skips resource types it does not implement (it logs "No Moto
 * CloudFormation support for ..." and the stack still completes); the report lists them.
 * test/unit/deploy/packaged-template.test.ts checks the template for those. moto's
 * ValidateTemplate runs cfn-lint (installed beside it) and refuses the template on any
 * finding, warnings included; the template is kept free of them.
 *
 * `rehearse()` is also what test/integration/deploy-rehearsal.test.ts runs.
 */

const { spawn } = require('node:child_process');
const { once } = require('node:events');
const { cpSync, mkdtempSync, rmSync, symlinkSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const SERVERLESS_CLI = path.join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
const SERVICE = 'bucket-classification-validator';
const REGION = 'us-east-1';
const CREDENTIALS = Object.freeze({ accessKeyId: 'testing', secretAccessKey: 'testing' });

/**
 * The settings of every function that keeps the ledger, with serverless.yml's defaults;
 * LEDGER_TABLE and SECURITY_TOPIC_ARN are compared with the stack's own resources.
 */
const LEDGER_ENVIRONMENT = Object.freeze({
  METRICS_NAMESPACE: 'DataClassification',
  CLASSIFICATION_TAG_KEY: 'DataClassification',
  TOPIC_TAG_KEY: 'SupportSNSTopic',
  TEAM_TAG_KEY: 'Team',
  TOPIC_OPT_IN_TAG_KEY: 'AcceptsClassificationAlerts',
  TOPIC_OPT_IN_TAG_VALUE: 'true',
  ALLOWED_TOPIC_ACCOUNTS: '',
  POLICY_FILE: 'policies/default-policy.yaml',
  WAIVERS_FILE: 'policies/waivers.yaml',
  REMINDER_AFTER_HOURS: '24',
});

/** What the deployed stack must hold, mirroring serverless.yml's defaults. */
const EXPECTED = Object.freeze({
  minNodeMajor: 22,
  architecture: 'arm64',
  logRetentionInDays: 30,
  functions: {
    validateFinding: {
      handler: 'handlers/validate-finding.handler',
      memorySize: 256,
      timeout: 30,
      environment: LEDGER_ENVIRONMENT,
    },
    checkBucketTags: {
      handler: 'handlers/check-bucket-tags.handler',
      memorySize: 256,
      timeout: 300,
      environment: {
        CLASSIFICATION_TAG_KEY: 'DataClassification',
        TOPIC_TAG_KEY: 'SupportSNSTopic',
        TEAM_TAG_KEY: 'Team',
        TOPIC_OPT_IN_TAG_KEY: 'AcceptsClassificationAlerts',
        TOPIC_OPT_IN_TAG_VALUE: 'true',
        ALLOWED_TOPIC_ACCOUNTS: '',
        POLICY_FILE: 'policies/default-policy.yaml',
        SWEEP_SAFETY_MARGIN_SECONDS: '60',
      },
    },
    trackBucketChanges: {
      handler: 'handlers/track-bucket-changes.handler',
      memorySize: 256,
      timeout: 60,
      environment: LEDGER_ENVIRONMENT,
    },
    summarizeLedger: {
      handler: 'handlers/summarize-ledger.handler',
      memorySize: 512,
      timeout: 300,
      environment: LEDGER_ENVIRONMENT,
    },
  },
  /** Functions that keep the ledger: their LEDGER_TABLE and SECURITY_TOPIC_ARN are the stack's. */
  ledgerFunctions: ['validateFinding', 'trackBucketChanges', 'summarizeLedger'],
  ledgerLogicalId: 'LedgerTable',
  findingRule: {
    pattern: {
      source: ['aws.macie'],
      'detail-type': ['Macie Finding'],
      detail: { type: [{ prefix: 'SensitiveData:' }] },
    },
    retryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
  },
  topicLogicalId: 'SecurityAlertsTopic',
  topicDisplayName: 'Data classification alerts (central security)',
  queueLogicalId: 'FindingEventsDeadLetterQueue',
  queueRetentionSeconds: 1209600,
});

/** Top-level folders `serverless deploy` does not read (node_modules is linked instead). */
const NOT_COPIED = new Set([
  'node_modules',
  '.git',
  '.venv',
  'dist',
  'coverage',
  '.serverless',
  '.esbuild',
]);

/**
 * Copies the project into `<into>/service`, node_modules linked, so that osls and
 * serverless-esbuild (which write .serverless/ and .esbuild/ in the service folder) touch
 * neither the working tree nor another test packaging at the same time.
 */
function copyProject(into) {
  const service = path.join(into, 'service');
  cpSync(ROOT, service, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(path.relative(ROOT, source).split(path.sep)[0] ?? ''),
  });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(service, 'node_modules'), 'dir');
  return service;
}

/** Names the stack's resources get for a stage. */
function namesFor(stage) {
  const prefix = `${SERVICE}-${stage}`;
  return {
    stack: prefix,
    function: (name) => `${prefix}-${name}`,
    logGroup: (name) => `/aws/lambda/${prefix}-${name}`,
    findingRule: `${prefix}-macie-findings`,
  };
}

/**
 * An SDK v3 client package. CloudFormation, Lambda, EventBridge and CloudWatch Logs are
 * osls's dependencies, not the project's: when npm has not hoisted them, take osls's.
 */
function requireSdk(name) {
  try {
    return require(name);
  } catch (error) {
    if (error?.code !== 'MODULE_NOT_FOUND') throw error;
    return require(require.resolve(name, { paths: [path.join(ROOT, 'node_modules', 'osls')] }));
  }
}

/** The SDK v3 client packages the checks use, loaded when a rehearsal starts. */
function sdk() {
  return {
    cloudformation: requireSdk('@aws-sdk/client-cloudformation'),
    lambda: requireSdk('@aws-sdk/client-lambda'),
    eventbridge: requireSdk('@aws-sdk/client-eventbridge'),
    logs: requireSdk('@aws-sdk/client-cloudwatch-logs'),
    sns: requireSdk('@aws-sdk/client-sns'),
    sqs: requireSdk('@aws-sdk/client-sqs'),
    s3: requireSdk('@aws-sdk/client-s3'),
    dynamodb: requireSdk('@aws-sdk/client-dynamodb'),
  };
}

/** Refuses anything but plain HTTP on a loopback address: this must never reach AWS. */
function assertLocalEndpoint(endpoint) {
  let url;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`not a URL: ${endpoint}`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  if (url.protocol !== 'http:' || !loopback.includes(url.hostname)) {
    throw new Error(`refusing to deploy to ${endpoint}: only http://127.0.0.1:<port> (moto)`);
  }
}

/**
 * The environment osls runs with: the caller's, minus every AWS_* variable (profiles,
 * session tokens, AWS_ENDPOINT_URL_<SERVICE> overrides), plus moto's endpoint and dummy
 * credentials, and no shared config or credentials file.
 */
function rehearsalEnv(endpoint, scratch) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  const nowhere = path.join(scratch, 'no-such-aws-file');
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_CONFIG_FILE: nowhere,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
  };
}

/** Runs the osls CLI; resolves with its exit code and combined output (never rejects). */
async function runServerless(args, { cwd, env, timeoutMs, onLine }) {
  const started = Date.now();
  const child = spawn(process.execPath, [SERVERLESS_CLI, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let partial = '';
  const take = (text) => {
    output += text;
    if (onLine) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', take);
  }
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }, timeoutMs);
  let code;
  try {
    const [exitCode, signal] = await Promise.race([
      once(child, 'close'),
      once(child, 'error').then(([error]) => {
        throw error;
      }),
    ]);
    code = exitCode ?? (signal ? 128 : 1);
  } catch (error) {
    output += `\n${error instanceof Error ? error.message : String(error)}`;
    code = 127;
  } finally {
    clearTimeout(timer);
    process.removeListener('exit', killOnExit);
  }
  if (onLine && partial) onLine(partial);
  if (timedOut) output += `\n(killed after ${timeoutMs} ms)`;
  return { code, output, ms: Date.now() - started };
}

/** The last `lines` lines of osls output, without the SDK's Node-version notice. */
function tail(output, lines = 25) {
  return output
    .replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?--trace-warnings[^\n]*\n/g, '')
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .join('\n');
}

/** Parses CloudFormation's template body (osls uploads JSON). */
function parseTemplate(body) {
  if (typeof body !== 'string' || body === '') return { Resources: {} };
  return JSON.parse(body);
}

function isNotFound(error) {
  const name = error && typeof error === 'object' ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  return (
    name === 'ResourceNotFoundException' ||
    name === 'NotFoundException' ||
    name === 'NoSuchBucket' ||
    name === 'NotFound' ||
    /does not exist|not found/i.test(message)
  );
}

function errorDetail(error) {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function describe(value) {
  return JSON.stringify(value);
}

/**
 * Deploys the service with osls to the moto server at `endpoint`, checks what was created,
 * removes the stack and checks it is gone.
 *
 * @param {object} options
 * @param {string} options.endpoint moto, `http://127.0.0.1:<port>`
 * @param {string} [options.stage] stage name; unique per run when moto is shared
 * @param {(line: string) => void} [options.log] progress messages (default: none)
 * @param {string} [options.serviceDir] folder with serverless.yml, where osls and
 *   serverless-esbuild write .serverless/ and .esbuild/ (default: a temporary copy of the
 *   project, removed afterwards)
 * @param {boolean} [options.verbose] also pass every osls output line to `log`
 * @param {number} [options.commandTimeoutMs] per osls command (default 5 min)
 * @returns {Promise<RehearsalReport>}
 */
async function rehearse(options) {
  const {
    endpoint,
    stage = 'rehearsal',
    log = () => {},
    serviceDir,
    verbose = false,
    commandTimeoutMs = 300_000,
  } = options;
  assertLocalEndpoint(endpoint);
  if (!/^[a-zA-Z0-9-]+$/.test(stage)) throw new Error(`invalid stage name: ${stage}`);

  const names = namesFor(stage);
  const lib = sdk();
  const config = {
    region: REGION,
    endpoint,
    credentials: { ...CREDENTIALS },
    maxAttempts: 3,
  };
  const clients = {
    cloudformation: new lib.cloudformation.CloudFormationClient(config),
    lambda: new lib.lambda.LambdaClient(config),
    eventbridge: new lib.eventbridge.EventBridgeClient(config),
    logs: new lib.logs.CloudWatchLogsClient(config),
    sns: new lib.sns.SNSClient(config),
    sqs: new lib.sqs.SQSClient(config),
    s3: new lib.s3.S3Client({ ...config, forcePathStyle: true }),
    dynamodb: new lib.dynamodb.DynamoDBClient(config),
  };
  const scratch = mkdtempSync(path.join(tmpdir(), 'deploy-rehearsal-'));
  const env = rehearsalEnv(endpoint, scratch);
  let cwd;
  try {
    cwd = serviceDir ?? copyProject(scratch);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const startedAt = Date.now();
  const checks = [];
  const report = {
    ok: false,
    endpoint,
    stage,
    stackName: names.stack,
    serviceDir: serviceDir ?? '(a temporary copy of the project)',
    timings: { deployMs: 0, verifyMs: 0, removeMs: 0, verifyRemovalMs: 0, totalMs: 0 },
    checks,
    skippedByMoto: [],
    notCreated: [],
    deployOutput: '',
    removeOutput: '',
  };
  const record = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ` - ${detail}` : ''}`);
  };
  /** Runs one check; a thrown error is a failure with the error as its detail. */
  const check = async (name, run) => {
    try {
      const result = await run();
      const { ok, detail } =
        typeof result === 'object' && result !== null ? result : { ok: true, detail: result };
      record(name, ok, detail ?? '');
    } catch (error) {
      record(name, false, errorDetail(error));
    }
  };

  const onLine = verbose ? (line) => log(`  | ${line}`) : undefined;
  /** Runs `serverless <command>` for the stage and records whether it exited 0. */
  const step = async (command) => {
    const result = await runServerless([command, '--stage', stage, '--region', REGION], {
      cwd,
      env,
      timeoutMs: commandTimeoutMs,
      onLine,
    });
    record(
      `serverless ${command} exits 0`,
      result.code === 0,
      result.code === 0
        ? `${(result.ms / 1000).toFixed(1)} s`
        : `exit ${result.code}\n${tail(result.output)}`,
    );
    return result;
  };

  try {
    log(`deploying stage ${stage} to ${endpoint} (osls deploy)`);
    const deploy = await step('deploy');
    report.timings.deployMs = deploy.ms;
    report.deployOutput = deploy.output;

    const verifyStarted = Date.now();
    // The deployment bucket's name, for the removal check. Whatever fails here, the
    // stack is still removed below.
    let deploymentBucket;
    try {
      deploymentBucket = await verifyDeployment({ clients, lib, names, check, report });
    } catch (error) {
      record('checks of the deployed stack ran', false, errorDetail(error));
    }
    report.timings.verifyMs = Date.now() - verifyStarted;

    log(`removing stage ${stage} (osls remove)`);
    const remove = await step('remove');
    report.timings.removeMs = remove.ms;
    report.removeOutput = remove.output;

    const removalStarted = Date.now();
    await verifyRemoval({ clients, lib, names, check, deploymentBucket });
    report.timings.verifyRemovalMs = Date.now() - removalStarted;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
    rmSync(scratch, { recursive: true, force: true });
    report.timings.totalMs = Date.now() - startedAt;
  }
  report.ok = checks.length > 0 && checks.every((entry) => entry.ok);
  return report;
}

async function verifyDeployment({ clients, lib, names, check, report }) {
  const cf = lib.cloudformation;
  let stack;
  await check('stack reached CREATE_COMPLETE or UPDATE_COMPLETE', async () => {
    const { Stacks = [] } = await clients.cloudformation.send(
      new cf.DescribeStacksCommand({ StackName: names.stack }),
    );
    stack = Stacks[0];
    const status = stack?.StackStatus;
    return { ok: status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE', detail: status };
  });
  if (!stack) return undefined;

  // The template CloudFormation received, and what moto made of each resource.
  const { TemplateBody } = await clients.cloudformation.send(
    new cf.GetTemplateCommand({ StackName: names.stack }),
  );
  const template = parseTemplate(TemplateBody);
  const resources = template.Resources ?? {};
  const summaries = [];
  let nextToken;
  do {
    const page = await clients.cloudformation.send(
      new cf.ListStackResourcesCommand({ StackName: names.stack, NextToken: nextToken }),
    );
    summaries.push(...(page.StackResourceSummaries ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const physical = new Map(
    summaries
      .filter((summary) => summary.LogicalResourceId)
      .map((summary) => [summary.LogicalResourceId, summary.PhysicalResourceId ?? '']),
  );
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (physical.has(logicalId)) continue;
    const entry = { logicalId, type: resource.Type };
    if (resource.Condition) {
      report.notCreated.push({ ...entry, condition: resource.Condition });
    } else {
      report.skippedByMoto.push(entry);
    }
  }
  const byType = (type) =>
    Object.entries(resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId, resource]) => ({ logicalId, resource, id: physical.get(logicalId) }));

  const topicArn = physical.get(EXPECTED.topicLogicalId);
  const queueUrl = physical.get(EXPECTED.queueLogicalId);
  const tableName = physical.get(EXPECTED.ledgerLogicalId);
  let queueArn;

  await check('ledger table exists, keyed by pk, on demand, with TTL on expiresAt', async () => {
    if (!tableName) return { ok: false, detail: `${EXPECTED.ledgerLogicalId} not in the stack` };
    const { Table = {} } = await clients.dynamodb.send(
      new lib.dynamodb.DescribeTableCommand({ TableName: tableName }),
    );
    const { TimeToLiveDescription = {} } = await clients.dynamodb.send(
      new lib.dynamodb.DescribeTimeToLiveCommand({ TableName: tableName }),
    );
    const problems = [];
    const keys = (Table.KeySchema ?? []).map((key) => `${key.AttributeName}:${key.KeyType}`);
    if (!isDeepStrictEqual(keys, ['pk:HASH'])) problems.push(`key ${describe(keys)}`);
    if (Table.BillingModeSummary?.BillingMode !== 'PAY_PER_REQUEST') {
      problems.push(`billing ${describe(Table.BillingModeSummary)}`);
    }
    const notes = [];
    if (TimeToLiveDescription.AttributeName !== 'expiresAt') {
      // moto 5's CloudFormation creates tables without their TimeToLiveSpecification;
      // fall back to what the stack asked for.
      const declared = resources[EXPECTED.ledgerLogicalId]?.Properties?.TimeToLiveSpecification;
      if (declared?.AttributeName === 'expiresAt' && declared.Enabled === true) {
        notes.push('TTL on expiresAt in the stack template (moto: its CloudFormation ignores it)');
      } else {
        problems.push(`TTL ${describe(TimeToLiveDescription)}, template ${describe(declared)}`);
      }
    }
    return {
      ok: problems.length === 0,
      detail: problems.length ? problems.join('; ') : [tableName, ...notes].join(', '),
    };
  });

  await check('central topic exists', async () => {
    if (!topicArn) return { ok: false, detail: `${EXPECTED.topicLogicalId} not in the stack` };
    const { Attributes = {} } = await clients.sns.send(
      new lib.sns.GetTopicAttributesCommand({ TopicArn: topicArn }),
    );
    const problems = [];
    if (Attributes.DisplayName !== EXPECTED.topicDisplayName) {
      problems.push(`DisplayName ${describe(Attributes.DisplayName)}`);
    }
    if (!Attributes.KmsMasterKeyId) problems.push('not encrypted (no KmsMasterKeyId)');
    return {
      ok: problems.length === 0,
      detail: problems.length
        ? problems.join('; ')
        : `${topicArn} (KMS ${Attributes.KmsMasterKeyId})`,
    };
  });

  await check('dead-letter queue exists with 14-day retention', async () => {
    if (!queueUrl) return { ok: false, detail: `${EXPECTED.queueLogicalId} not in the stack` };
    const { Attributes = {} } = await clients.sqs.send(
      new lib.sqs.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );
    queueArn = Attributes.QueueArn;
    const problems = [];
    if (Number(Attributes.MessageRetentionPeriod) !== EXPECTED.queueRetentionSeconds) {
      problems.push(`MessageRetentionPeriod ${Attributes.MessageRetentionPeriod}`);
    }
    if (
      Attributes.SqsManagedSseEnabled !== undefined &&
      Attributes.SqsManagedSseEnabled !== 'true'
    ) {
      problems.push(`SqsManagedSseEnabled ${Attributes.SqsManagedSseEnabled}`);
    }
    return {
      ok: problems.length === 0,
      detail: problems.length
        ? problems.join('; ')
        : `${queueArn}, retention ${Attributes.MessageRetentionPeriod} s`,
    };
  });

  const functionArns = {};
  for (const [name, expected] of Object.entries(EXPECTED.functions)) {
    const functionName = names.function(name);
    await check(`function ${name}: runtime, architecture, handler, environment`, async () => {
      const configuration = await clients.lambda.send(
        new lib.lambda.GetFunctionConfigurationCommand({ FunctionName: functionName }),
      );
      functionArns[name] = configuration.FunctionArn;
      const problems = [];
      const notes = [];
      const major = /^nodejs(\d+)\.x$/.exec(configuration.Runtime ?? '')?.[1];
      if (!major || Number(major) < EXPECTED.minNodeMajor) {
        problems.push(`runtime ${configuration.Runtime}`);
      }
      const architectures = configuration.Architectures ?? [];
      if (!isDeepStrictEqual(architectures, [EXPECTED.architecture])) {
        // moto 5's CloudFormation creates functions without their Architectures (it
        // keeps its default, x86_64), so fall back to what the stack asked for.
        const logicalId = Object.entries(resources).find(
          ([, resource]) =>
            resource.Type === 'AWS::Lambda::Function' &&
            resource.Properties?.FunctionName === functionName,
        )?.[0];
        const requested = logicalId ? resources[logicalId].Properties.Architectures : undefined;
        if (isDeepStrictEqual(requested, [EXPECTED.architecture])) {
          notes.push(
            `architecture ${EXPECTED.architecture} in the stack template (moto reports ${architectures.join(',')}: its CloudFormation ignores Architectures)`,
          );
        } else {
          problems.push(
            `architectures ${describe(architectures)}, template ${describe(requested)}`,
          );
        }
      }
      if (configuration.Handler !== expected.handler)
        problems.push(`handler ${configuration.Handler}`);
      if (configuration.MemorySize !== expected.memorySize) {
        problems.push(`memory ${configuration.MemorySize}`);
      }
      if (configuration.Timeout !== expected.timeout)
        problems.push(`timeout ${configuration.Timeout}`);
      const variables = configuration.Environment?.Variables ?? {};
      const wanted = { ...expected.environment };
      if (EXPECTED.ledgerFunctions.includes(name)) {
        wanted.SECURITY_TOPIC_ARN = topicArn ?? '(stack topic)';
        wanted.LEDGER_TABLE = tableName ?? '(stack table)';
      }
      for (const [key, value] of Object.entries(wanted)) {
        if (variables[key] !== value) {
          problems.push(`${key}=${describe(variables[key])} (want ${describe(value)})`);
        }
      }
      return {
        ok: problems.length === 0,
        detail: problems.length
          ? problems.join('; ')
          : [`${configuration.Runtime}`, ...notes, `${Object.keys(wanted).length} env vars`].join(
              ', ',
            ),
      };
    });
  }

  await check('Macie findings rule: pattern and target validateFinding', async () => {
    const rule = await clients.eventbridge.send(
      new lib.eventbridge.DescribeRuleCommand({ Name: names.findingRule }),
    );
    const { Targets = [] } = await clients.eventbridge.send(
      new lib.eventbridge.ListTargetsByRuleCommand({ Rule: names.findingRule }),
    );
    const problems = [];
    if (rule.State !== 'ENABLED') problems.push(`state ${rule.State}`);
    const pattern = rule.EventPattern ? JSON.parse(rule.EventPattern) : undefined;
    if (!isDeepStrictEqual(pattern, EXPECTED.findingRule.pattern)) {
      problems.push(`pattern ${rule.EventPattern}`);
    }
    if (Targets.length !== 1) problems.push(`${Targets.length} targets`);
    const [target] = Targets;
    if (target) {
      if (!functionArns.validateFinding || target.Arn !== functionArns.validateFinding) {
        problems.push(`target ${target.Arn}`);
      }
      if (!isDeepStrictEqual(target.RetryPolicy, EXPECTED.findingRule.retryPolicy)) {
        problems.push(`retry policy ${describe(target.RetryPolicy)}`);
      }
      if (!queueArn || target.DeadLetterConfig?.Arn !== queueArn) {
        problems.push(`dead-letter queue ${describe(target.DeadLetterConfig)}`);
      }
    }
    return {
      ok: problems.length === 0,
      detail: problems.length ? problems.join('; ') : `${rule.Name} -> ${target?.Arn}`,
    };
  });

  await check('EventBridge may invoke validateFinding from the findings rule', async () => {
    const { Policy } = await clients.lambda.send(
      new lib.lambda.GetPolicyCommand({ FunctionName: names.function('validateFinding') }),
    );
    const statements = JSON.parse(Policy ?? '{}').Statement ?? [];
    const allowed = statements.some(
      (statement) =>
        statement.Effect === 'Allow' &&
        describe(statement.Principal).includes('events.amazonaws.com') &&
        describe(statement.Condition ?? {}).includes(`rule/${names.findingRule}`),
    );
    return { ok: allowed, detail: allowed ? '' : `policy ${Policy}` };
  });

  // Every other rule the stack declares exists with the template's pattern and target ids.
  for (const { logicalId, resource, id } of byType('AWS::Events::Rule')) {
    const ruleName = id?.includes('/') ? id.split('/').pop() : id;
    if (ruleName === names.findingRule) continue;
    await check(`rule ${logicalId} exists as declared`, async () => {
      if (!ruleName) return { ok: false, detail: 'not in the stack' };
      const rule = await clients.eventbridge.send(
        new lib.eventbridge.DescribeRuleCommand({ Name: ruleName }),
      );
      const { Targets = [] } = await clients.eventbridge.send(
        new lib.eventbridge.ListTargetsByRuleCommand({ Rule: ruleName }),
      );
      const problems = [];
      const declared = resource.Properties?.EventPattern;
      if (declared && !isDeepStrictEqual(JSON.parse(rule.EventPattern ?? 'null'), declared)) {
        problems.push(`pattern ${rule.EventPattern}, declared ${describe(declared)}`);
      }
      const wantedIds = (resource.Properties?.Targets ?? []).map((target) => target.Id).sort();
      const gotIds = Targets.map((target) => target.Id).sort();
      if (!isDeepStrictEqual(gotIds, wantedIds)) {
        problems.push(`targets ${describe(gotIds)}, declared ${describe(wantedIds)}`);
      }
      return {
        ok: problems.length === 0,
        detail: problems.length ? problems.join('; ') : `${ruleName}, ${gotIds.length} target(s)`,
      };
    });
  }

  // Every log group the stack declares, with its retention; at least each function's.
  const logGroups = byType('AWS::Logs::LogGroup');
  const declaredNames = logGroups.map(
    ({ resource, id }) => resource.Properties?.LogGroupName ?? id,
  );
  for (const name of Object.keys(EXPECTED.functions)) {
    const wanted = names.logGroup(name);
    if (!declaredNames.includes(wanted)) {
      await check(`log group ${wanted} declared`, () => ({
        ok: false,
        detail: 'not in the template',
      }));
    }
  }
  for (const { logicalId, resource, id } of logGroups) {
    const groupName = id || resource.Properties?.LogGroupName;
    await check(`log group ${groupName ?? logicalId} exists with its retention`, async () => {
      if (!groupName) return { ok: false, detail: `${logicalId} not in the stack` };
      const { logGroups: found = [] } = await clients.logs.send(
        new lib.logs.DescribeLogGroupsCommand({ logGroupNamePrefix: groupName }),
      );
      const group = found.find((candidate) => candidate.logGroupName === groupName);
      if (!group) return { ok: false, detail: 'not found' };
      const declared = resource.Properties?.RetentionInDays;
      const wanted =
        declared === undefined ? undefined : Number(declared) || EXPECTED.logRetentionInDays;
      const ok = wanted === undefined || group.retentionInDays === wanted;
      return { ok, detail: `retention ${group.retentionInDays ?? 'never expires'} days` };
    });
  }

  return physical.get('ServerlessDeploymentBucket');
}

async function verifyRemoval({ clients, lib, names, check, deploymentBucket }) {
  await check('stack is gone (DELETE_COMPLETE or not listed)', async () => {
    try {
      const { Stacks = [] } = await clients.cloudformation.send(
        new lib.cloudformation.DescribeStacksCommand({ StackName: names.stack }),
      );
      const status = Stacks[0]?.StackStatus;
      return { ok: !status || status === 'DELETE_COMPLETE', detail: status ?? 'not listed' };
    } catch (error) {
      if (isNotFound(error)) return { ok: true, detail: 'does not exist' };
      throw error;
    }
  });

  const gone = async (what, probe) => {
    await check(`${what} deleted`, async () => {
      try {
        await probe();
        return { ok: false, detail: 'still exists' };
      } catch (error) {
        if (isNotFound(error)) return { ok: true, detail: '' };
        throw error;
      }
    });
  };
  for (const name of Object.keys(EXPECTED.functions)) {
    await gone(`function ${name}`, () =>
      clients.lambda.send(
        new lib.lambda.GetFunctionConfigurationCommand({ FunctionName: names.function(name) }),
      ),
    );
  }
  await gone('Macie findings rule', () =>
    clients.eventbridge.send(new lib.eventbridge.DescribeRuleCommand({ Name: names.findingRule })),
  );
  if (deploymentBucket) {
    await gone('deployment bucket', () =>
      clients.s3.send(new lib.s3.HeadBucketCommand({ Bucket: deploymentBucket })),
    );
  }
}

/** A short, human-readable report. */
function formatReport(report) {
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const failed = report.checks.filter((entry) => !entry.ok);
  const lines = [
    '',
    `Deploy rehearsal: stack ${report.stackName} on ${report.endpoint}`,
    `  deploy ${seconds(report.timings.deployMs)}, checks ${seconds(report.timings.verifyMs)}, ` +
      `remove ${seconds(report.timings.removeMs)}, total ${seconds(report.timings.totalMs)}`,
    `  checks: ${report.checks.length - failed.length} passed, ${failed.length} failed`,
  ];
  if (report.skippedByMoto.length) {
    lines.push(
      '  skipped by moto (no CloudFormation support; see the template test):',
      ...report.skippedByMoto.map(({ logicalId, type }) => `    ${logicalId} (${type})`),
    );
  }
  if (report.notCreated.length) {
    lines.push(
      '  not created (condition false for this stage):',
      ...report.notCreated.map(
        ({ logicalId, type, condition }) => `    ${logicalId} (${type}, ${condition})`,
      ),
    );
  }
  for (const entry of failed) {
    lines.push(
      `  FAILED: ${entry.name}${entry.detail ? `\n    ${entry.detail.split('\n').join('\n    ')}` : ''}`,
    );
  }
  lines.push(report.ok ? 'Rehearsal passed.' : 'Rehearsal FAILED.');
  return lines.join('\n');
}

// --- moto server, for the command line --------------------------------------------

async function findFreePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function answersHttp(endpoint) {
  try {
    await fetch(`${endpoint}/`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts moto server from .venv (made by scripts/python-env.sh) on a free loopback port,
 * as test/support/moto-server.ts does for the tests, and notes the resource types its log
 * says its CloudFormation does not support.
 */
async function startMoto({ readyTimeoutMs = 30_000 } = {}) {
  // moto's server with DynamoDB requests taken one at a time (see the script).
  const python = path.join(ROOT, '.venv', 'bin', 'python');
  const motoServer = path.join(ROOT, 'scripts', 'moto_server.py');
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawn(python, [motoServer, '-H', '127.0.0.1', '-p', String(port)], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    let stderr = '';
    const unsupported = new Set();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-16 * 1024);
      for (const match of stderr.matchAll(/No Moto CloudFormation support for (\S+)/g)) {
        unsupported.add(match[1]);
      }
    });
    let exited = false;
    let spawnError;
    const exit = once(child, 'exit').then(() => {
      exited = true;
    });
    child.once('error', (error) => {
      spawnError = error;
      exited = true;
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async () => {
      process.removeListener('exit', killOnExit);
      if (exited || child.pid === undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    };
    const deadline = Date.now() + readyTimeoutMs;
    while (!exited && Date.now() < deadline && !(await answersHttp(endpoint))) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!exited && (await answersHttp(endpoint))) {
      return { endpoint, stop, unsupportedTypes: () => [...unsupported] };
    }
    await stop();
    if (/Address already in use/i.test(stderr) && attempt < 3) continue;
    const reason = spawnError
      ? `could not be started (${spawnError.message}; run scripts/python-env.sh)`
      : exited
        ? 'exited before answering'
        : `did not answer within ${readyTimeoutMs} ms`;
    throw new Error(`moto_server on ${endpoint} ${reason}\n${stderr.trim().slice(-2000)}`);
  }
}

function parseArgs(argv) {
  const args = { stage: undefined, endpoint: undefined, verbose: false };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--stage' || arg === '--endpoint') {
      const value = argv[++index];
      if (!value) throw new Error(`${arg} needs a value`);
      args[arg.slice(2)] = value;
    } else if (arg === '--verbose' || arg === '-v') {
      args.verbose = true;
    } else if (arg === '--help' || arg === '-h') {
      args.help = true;
    } else {
      throw new Error(`unknown argument: ${arg}`);
    }
  }
  return args;
}

async function main(argv) {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(
      'usage: node scripts/deploy-rehearsal.js [--stage NAME] [--endpoint http://127.0.0.1:PORT] [--verbose]\n' +
        '  Without --endpoint, starts moto server from .venv (run scripts/python-env.sh first).\n',
    );
    return 0;
  }
  const log = (line) => process.stderr.write(`${line}\n`);
  const stage = args.stage ?? `rh${Date.now().toString(36)}`;
  let moto;
  if (!args.endpoint) {
    const started = Date.now();
    moto = await startMoto();
    log(
      `moto_server started on ${moto.endpoint} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  try {
    const report = await rehearse({
      endpoint: args.endpoint ?? moto.endpoint,
      stage,
      log,
      verbose: args.verbose,
    });
    process.stdout.write(`${formatReport(report)}\n`);
    if (moto) {
      const types = moto.unsupportedTypes();
      if (types.length) {
        process.stdout.write(`  moto log: no CloudFormation support for ${types.join(', ')}\n`);
      }
    }
    return report.ok ? 0 : 1;
  } finally {
    await moto?.stop();
  }
}

module.exports = {
  copyProject,
  EXPECTED,
  SERVICE,
  REGION,
  namesFor,
  rehearsalEnv,
  rehearse,
  formatReport,
  startMoto,
};

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(
        `deploy rehearsal failed: ${error instanceof Error ? error.stack : error}\n`,
      );
      process.exitCode = 1;
    },
  );
}
