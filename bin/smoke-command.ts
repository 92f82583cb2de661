import { randomBytes } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import {
  type FunctionInvoker,
  type Invocation,
  LambdaFunctionInvoker,
} from '../lib/lambda-invocation';
import { StsCallerAccount } from '../lib/sts-caller-account';
import { type TagKeySettings, tagKeysFromEnv } from '../lib/tag-keys';
import { inert, inertLines, MAX_MESSAGE } from '../policies/untrusted-text';
import { parseTopicArn } from '../rules/topic-arn';
import { EXIT_OK, EXIT_USAGE } from './check-command';
import {
  SMOKE_BUCKET,
  SMOKE_DECLARED_LEVEL,
  SMOKE_DETECTION,
  smokeFindingEvent,
} from './smoke-event';
import { DEFAULT_STAGE, validateFindingFunctionName } from './smoke-names';
import { UsageError } from './usage-error';

/** The function ran but sent no notice, or failed. */
export const EXIT_NOT_DELIVERED = 1;

export { DEFAULT_STAGE, validateFindingFunctionName } from './smoke-names';

/** Stage names Serverless accepts: letters, digits and hyphens. */
const STAGE = /^[A-Za-z0-9-]+$/;

export interface SmokeFlags {
  readonly stage: string | undefined;
  readonly region: string | undefined;
  readonly function: string | undefined;
  readonly topic: string | undefined;
}

export interface SmokeOptions {
  readonly functionName: string;
  readonly region: string;
  /** The team topic the sample bucket names; without one the notice goes to central security. */
  readonly topicArn: string | undefined;
  readonly tagKeys: TagKeySettings;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The AWS pieces `smoke` works through, built for one region. */
export interface SmokeAws {
  /** The caller's account (STS `GetCallerIdentity`, which needs no permission). */
  callerAccountId(): Promise<string>;
  readonly functions: FunctionInvoker;
  close(): void;
}

export interface SmokeDeps {
  readonly smokeAws: (region: string) => SmokeAws;
  readonly now: () => Date;
  /** 32 hex characters for the sample finding's id. */
  readonly findingId: () => string;
}

/**
 * Turns the flags into options: the function is `--function`, else the
 * Serverless name of `validateFinding` in `--stage` (default `dev`); the region
 * `--region`, else `AWS_REGION`.
 *
 * @throws UsageError for a bad stage or topic, both --stage and --function, or no region.
 */
export function smokeOptions(
  flags: SmokeFlags,
  env: NodeJS.ProcessEnv,
  io: Pick<SmokeOptions, 'stdout' | 'stderr'>,
): SmokeOptions {
  if (flags.stage !== undefined && flags.function !== undefined) {
    throw new UsageError(
      'give --stage or --function, not both: --function names the function whole',
    );
  }
  const stage = flags.stage ?? DEFAULT_STAGE;
  if (!STAGE.test(stage)) {
    throw new UsageError(`--stage must be letters, digits and hyphens; got "${inert(stage)}"`);
  }
  const functionName = flags.function?.trim() || validateFindingFunctionName(stage);
  const region = flags.region?.trim() || env.AWS_REGION?.trim();
  if (!region) throw new UsageError('smoke needs --region REGION or AWS_REGION');
  if (flags.topic !== undefined && parseTopicArn(flags.topic) === undefined) {
    throw new UsageError(
      `--topic must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); got "${inert(flags.topic)}"`,
    );
  }
  return {
    functionName,
    region,
    topicArn: flags.topic,
    tagKeys: tagKeysFromEnv(env),
    stdout: io.stdout,
    stderr: io.stderr,
  };
}

/** What `validateFinding` returns for a sample finding (see flows/track-finding.ts). */
const sampleOutcome = z.object({
  outcome: z.literal('sample'),
  severity: z.string(),
  topics: z.array(z.string()),
  fallback: z.string().optional(),
});

const anyOutcome = z.object({ outcome: z.string(), reason: z.string().optional() });

/** The error document Lambda returns with `FunctionError`. */
const functionErrorDocument = z.object({
  errorType: z.string().optional(),
  errorMessage: z.string().optional(),
});

/**
 * Proves a deployment end to end: invokes `validateFinding` synchronously with a
 * sample Macie finding that violates the policy, and reads what it returned: the
 * topics the notice went to. Sample findings stay out of the ledger and the
 * metrics, so a smoke test leaves no trace in either.
 *
 * @returns 0 when the notice went out; 1 when the function ran but sent none or
 *   failed (FunctionError); 2 when the function cannot be invoked.
 */
export async function runSmoke(options: SmokeOptions, deps: SmokeDeps): Promise<number> {
  const aws = deps.smokeAws(options.region);
  const fn = `${inert(options.functionName, MAX_MESSAGE)} (${inert(options.region)})`;
  try {
    const topic = options.topicArn === undefined ? undefined : parseTopicArn(options.topicArn);
    let accountId: string;
    try {
      accountId = topic?.accountId ?? (await aws.callerAccountId());
    } catch (error) {
      return awsFailure(options, "look up the caller's account (STS GetCallerIdentity)", error);
    }
    const event = smokeFindingEvent({
      accountId,
      region: options.region,
      topicArn: options.topicArn,
      tagKeys: options.tagKeys,
      findingId: deps.findingId(),
      now: deps.now(),
    });

    let invocation: Invocation;
    try {
      invocation = await aws.functions.invoke(options.functionName, event);
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') {
        options.stderr(
          `bucket-classification: function ${fn} not found: deploy the stack to that stage and ` +
            'region, or name the function with --function\n',
        );
        return EXIT_USAGE;
      }
      return awsFailure(options, `invoke ${fn}`, error);
    }
    return judgeReply(options, fn, invocation);
  } finally {
    aws.close();
  }
}

function judgeReply(options: SmokeOptions, fn: string, invocation: Invocation): number {
  const reply = parseJson(invocation.payload);
  if (invocation.functionError !== undefined) {
    const error = functionErrorDocument.safeParse(reply);
    const what = error.success
      ? [error.data.errorType, error.data.errorMessage].filter(Boolean).join(': ')
      : invocation.payload;
    options.stderr(
      `bucket-classification: ${fn} failed (${inert(invocation.functionError)}): ${inert(what || 'no error message', MAX_MESSAGE)}\n`,
    );
    writeLogTail(options, invocation);
    return EXIT_NOT_DELIVERED;
  }
  const sample = sampleOutcome.safeParse(reply);
  if (!sample.success) {
    const other = anyOutcome.safeParse(reply);
    options.stderr(
      other.success
        ? `bucket-classification: ${fn} did not take the sample finding as a sample: it answered "${inert(other.data.outcome)}"${other.data.reason ? ` (${inert(other.data.reason, MAX_MESSAGE)})` : ''}\n`
        : `bucket-classification: ${fn} answered something other than a finding outcome: ${inert(invocation.payload, MAX_MESSAGE)}\n`,
    );
    writeLogTail(options, invocation);
    return EXIT_NOT_DELIVERED;
  }
  const { severity, topics, fallback } = sample.data;
  if (topics.length === 0) {
    options.stderr(
      `bucket-classification: ${fn} judged the sample finding compliant and sent no notice: ` +
        `the deployed policy allows ${SMOKE_DETECTION.type} at ${SMOKE_DECLARED_LEVEL}\n`,
    );
    writeLogTail(options, invocation);
    return EXIT_NOT_DELIVERED;
  }
  const lines = [
    `${fn} judged the sample finding (bucket ${SMOKE_BUCKET}, ${SMOKE_DETECTION.type} at ${SMOKE_DECLARED_LEVEL}): ${inert(severity)}.`,
    `Notice sent to:${fallback ? ` (not the team's topic: ${inert(fallback)})` : ''}`,
    ...topics.map((arn) => `  ${inert(arn, MAX_MESSAGE)}`),
    'Recorded: nothing. Sample findings stay out of the ledger and the metrics.',
  ];
  options.stdout(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The end of the function's log, for the reader to see why. */
function writeLogTail(options: SmokeOptions, invocation: Invocation): void {
  if (!invocation.logTail) return;
  const lines = invocation.logTail.trimEnd().split('\n');
  options.stderr(`The end of its log:\n${inertLines(lines.map((line) => `  ${line}`))}\n`);
}

function awsFailure(options: SmokeOptions, what: string, error: unknown): number {
  const { name, message } = error as Error;
  options.stderr(
    `bucket-classification: smoke: could not ${what}: ${inert(`${name}: ${message}`, MAX_MESSAGE)}\n`,
  );
  return EXIT_USAGE;
}

/** The real adapters: the SDK's default credentials and endpoints, Lambda and STS in `region`. */
export function awsAdapters(region: string): SmokeAws {
  const lambda = new LambdaClient({ region });
  const sts = new STSClient({ region });
  const caller = new StsCallerAccount(sts);
  return {
    callerAccountId: () => caller.accountId(),
    functions: new LambdaFunctionInvoker(lambda),
    close() {
      lambda.destroy();
      sts.destroy();
    },
  };
}

/** The real clock and a random finding id. */
export const SMOKE_DEPS: SmokeDeps = {
  smokeAws: awsAdapters,
  now: () => new Date(),
  findingId: () => randomBytes(16).toString('hex'),
};
